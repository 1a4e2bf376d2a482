import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const run = promisify(execFile);
const ROOT = resolve('.');
const APP = join(ROOT, 'test', 'packed-app');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const PACKAGES = ['xml', 'schema', 'core', 'llm', 'server', 'nats', 'cli'];

interface Packed {
  readonly filename: string;
  readonly name: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

/**
 * The packages as a user gets them: `npm pack` tarballs installed in an empty project outside this
 * monorepo (npm's cache serves what the workspace already installed), then a plain-node app and a
 * nodenext type-check run there.
 */
describe('the packed packages, installed in an empty project', () => {
  let dir: string;
  let packed: Packed[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'organism-packed-'));
    const { stdout } = await run(NPM, ['pack', '--json', '--pack-destination', dir, ...PACKAGES.flatMap((p) => ['--workspace', `packages/${p}`])], { cwd: ROOT });
    packed = JSON.parse(stdout) as Packed[];
    for (const file of readdirSync(APP)) copyFileSync(join(APP, file), join(dir, file));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'packed-app', private: true, type: 'module' }));
    const typescript = (JSON.parse(readFileSync(join(ROOT, 'node_modules/typescript/package.json'), 'utf8')) as { version: string }).version;
    const typesNode = (JSON.parse(readFileSync(join(ROOT, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string }).version;
    await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packed.map((p) => `./${p.filename}`), `typescript@${typescript}`, `@types/node@${typesNode}`], {
      cwd: dir,
      timeout: 240_000,
    });
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ship built JavaScript, .d.ts, package.json and LICENSE: no sources, tests or build info', () => {
    expect(packed.map((p) => p.name).sort()).toEqual(PACKAGES.map((p) => `@organism/${p}`).sort());
    for (const { name, files } of packed) {
      const paths = files.map((f) => f.path);
      expect({ name, index: paths.filter((p) => /^dist\/index\.(js|d\.ts)$/.test(p)).sort() }).toEqual({ name, index: ['dist/index.d.ts', 'dist/index.js'] });
      expect({ name, license: paths.includes('LICENSE') }).toEqual({ name, license: true });
      const unexpected = paths.filter((p) => !/^(dist\/.+\.(js|d\.ts)|bin\/[\w-]+\.js|package\.json|LICENSE)$/.test(p) || /test/i.test(p));
      expect({ name, unexpected }).toEqual({ name, unexpected: [] });
    }
  });

  it('run under plain node: a round trip through the XML worker, a coded error for a .ts module without tsx, and the process exits by itself', async () => {
    const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: dir, timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['worker ready', 'replies 201, on the worker some', '<greetingresponse><message>Hello, World!</message></greetingresponse>']);
    expect(lines[3]).toMatch(/^load ORG_ERR_CONFIG: organism\.yaml:\d+ listeners\[0\]\.payload_class: module greeter\.ts is TypeScript.*npm install tsx/);
    expect(lines).toHaveLength(4);
  }, 90_000);

  it('run the organism command from the installed bin', async () => {
    const { stdout } = await run(join(dir, 'node_modules', '.bin', 'organism'), ['--help'], { cwd: dir, timeout: 60_000 });
    expect(stdout).toContain('Usage: organism');
  }, 90_000);

  it("type-check a user's nodenext app against the shipped .d.ts with skipLibCheck off", async () => {
    const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc');
    const check = () =>
      run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir, timeout: 120_000 }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    expect(await check()).toEqual({ code: 0, stdout: '' });
    // The same check fails on a type error in the app: it does read the packages' types.
    writeFileSync(join(dir, 'app.ts'), `${readFileSync(join(dir, 'app.ts'), 'utf8')}\ncreateOrganism({ listeners: 'none' });\n`);
    const broken = await check();
    expect(broken.code).not.toBe(0);
    expect(broken.stdout).toContain("app.ts");
  }, 150_000);
});
