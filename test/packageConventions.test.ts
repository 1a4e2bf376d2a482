import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

// The conventions docs/architecture.md ("Adding a package") lists, checked for every workspace,
// so a package added later is held to them too.

interface PackageJson {
  readonly name: string;
  readonly license?: string;
  readonly engines?: Record<string, string>;
  readonly exports?: Record<string, unknown>;
  readonly types?: string;
  readonly files?: readonly string[];
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  readonly workspaces?: readonly string[];
}

const read = (file: string): string => readFileSync(file, 'utf8');
const json = <T>(file: string): T => JSON.parse(read(file)) as T;
const root = json<PackageJson>('package.json');
const workspaces = root.workspaces ?? [];
const buildReferences = json<{ references: Array<{ path: string }> }>('tsconfig.build.json').references.map((r) => r.path);

describe('package conventions', () => {
  it('the root lists workspaces and a LICENSE (MIT, the Organism authors)', () => {
    expect(workspaces.length).toBeGreaterThan(0);
    expect(read('LICENSE')).toContain('MIT License\n\nCopyright (c) 2026 The Organism authors');
    expect(read('.gitignore').split('\n')).toContain('dist/');
  });

  describe.each(workspaces)('%s', (dir) => {
    const pkg = json<PackageJson>(join(dir, 'package.json'));

    it('ships its build output with types, a license and the Node range', () => {
      expect(pkg.license).toBe('MIT');
      expect(read(join(dir, 'LICENSE'))).toBe(read('LICENSE'));
      expect(pkg.engines).toEqual({ node: '>=20.10' });
      expect(pkg.exports?.['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
      expect(pkg.types).toBe('./dist/index.d.ts');
      expect(pkg.files).toEqual(expect.arrayContaining(['dist', '!dist/.tsbuildinfo']));
      expect(pkg.files!.filter((f) => /src|test/.test(f))).toEqual([]);
    });

    it('is built by the root build, from a tsconfig.build.json of the common pattern', () => {
      const build = json<{ extends: string; references?: Array<{ path: string }> }>(join(dir, 'tsconfig.build.json'));
      expect(build.extends).toBe('../../tsconfig.build.base.json');
      expect(buildReferences).toContain(`${dir}/tsconfig.build.json`);
      // Every internal dependency is a project reference, so tsc -b builds it first.
      const internal = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((name) => name.startsWith('@organism/'));
      expect((build.references ?? []).map((r) => r.path).sort()).toEqual(internal.map((name) => `../${name.slice('@organism/'.length)}/tsconfig.build.json`).sort());
      for (const name of internal) expect(existsSync(join('packages', name.slice('@organism/'.length), 'package.json'))).toBe(true);
    });

    it('names internal dependencies by version, keeps rxjs and zod peers and TypeScript loaders out of its dependencies', () => {
      const deps = pkg.dependencies ?? {};
      for (const [name, range] of Object.entries(deps)) {
        if (!name.startsWith('@organism/')) continue;
        const { version } = json<{ version: string }>(join('packages', name.slice('@organism/'.length), 'package.json'));
        expect({ name, range }).toEqual({ name, range: `^${version}` });
      }
      expect(Object.keys(deps).filter((name) => ['tsx', 'esbuild', 'typescript'].includes(name))).toEqual([]);
      // A library exposes rxjs and zod in its types: the user's copy must be the one it uses.
      // (The CLI, an application, may depend on them directly.)
      if (pkg.name !== '@organism/cli') expect(Object.keys(deps).filter((name) => name === 'rxjs' || name === 'zod')).toEqual([]);
      if (pkg.peerDependencies?.tsx) expect(pkg.peerDependenciesMeta?.tsx?.optional).toBe(true);
    });
  });
});
