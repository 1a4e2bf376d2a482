import { describe, it, expect } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../examples/embed.js';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('shows the embedding example verbatim, and that example runs', async () => {
    const example = readFileSync('examples/embed.ts', 'utf8');
    expect(readme).toContain('```ts\n' + example + '```');
    const replies = await main('organism.yaml');
    expect(replies).toEqual(
      expect.arrayContaining([
        'greeter: <greetingresponse><message>Hello, World!</message></greetingresponse>',
        expect.stringMatching(/^researcher: <answer><sum>13<\/sum><product>42<\/product>/),
      ]),
    );
  });

  it('keeps the quick start to the two commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toMatch(/```sh\nnpm test\n```/);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toContain('run organism.yaml');
    expect(pkg.scripts.test).toContain('typecheck');
  });

  it('runs the CLI as the README shows it: npm install links `organism` into node_modules/.bin', () => {
    expect(readme).toContain('npx organism send --to greeter');
    const help = spawnSync(join('node_modules', '.bin', 'organism'), ['--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: organism');
    expect(help.stdout).toContain('send');
  }, 90_000);

  it('links only docs pages that exist', () => {
    const links = [...readme.matchAll(/\]\((docs\/[^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(() => readFileSync(link)).not.toThrow();
  });
});
