import { describe, it, expect, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Every shell session shown in the README and docs/ (a fenced block whose lines start with
// `$ `) is run here as written, and its output compared with what the page shows. Sessions
// that need a server already running in another terminal are covered by the CLI and server
// tests instead; they are listed by `needsServer` below.

interface Step {
  readonly command: string;
  readonly expected: readonly string[];
}

interface Session {
  readonly where: string;
  readonly steps: readonly Step[];
}

const pages = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];

function sessions(page: string): Session[] {
  const lines = readFileSync(page, 'utf8').split('\n');
  const out: Session[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|console)?$/.test(lines[i]!) || !lines[i + 1]?.startsWith('$ ')) continue;
    const start = i + 1;
    const steps: { command: string; expected: string[] }[] = [];
    for (i = start; i < lines.length && lines[i] !== '```'; i++) {
      const line = lines[i]!;
      if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: [] });
      else steps.at(-1)!.expected.push(line);
    }
    out.push({ where: `${page}:${start + 1}`, steps });
  }
  return out;
}

const needsServer = (s: Session): boolean => s.steps.some((step) => /organism send|--port|--no-console/.test(step.command));
const all = pages.flatMap(sessions);
const runnable = all.filter((s) => !needsServer(s));
const written: string[] = [];

afterAll(() => {
  for (const file of written) rmSync(file, { force: true });
});

/** The CLI as installed (`organism` on PATH, as the pages write it) is this repository's bin. */
function asRun(command: string): string {
  return command.replace(/(^|\|\s*|;\s*)organism /g, '$1node packages/cli/bin/organism.js ');
}

/** Drops what npm prints around a script, and blank lines. */
function outputLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^> (organism@|node )/.test(line) && !/^npm (warn|notice)/i.test(line));
}

/** A shown line as a pattern: `…` stands for anything, `[0e5d4217]` for any thread id. */
function pattern(line: string): RegExp {
  const parts = line.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\[[0-9a-f]{8}\\\]/g, '\\[[0-9a-f]{8}\\]'));
  return new RegExp(`^${parts.join('.*')}$`);
}

function compare(expected: readonly string[], actual: readonly string[]): string[] {
  const shown = expected.filter((line) => line.trim() !== '');
  const elided = shown.some((line) => line.trim() === '…');
  const left = [...actual];
  const problems: string[] = [];
  for (const line of shown) {
    if (line.trim() === '…') continue;
    const re = pattern(line);
    const at = left.findIndex((candidate) => re.test(candidate));
    if (at < 0) problems.push(`shown but not printed: ${line}`);
    else left.splice(at, 1);
  }
  if (!elided) for (const line of left) problems.push(`printed but not shown: ${line}`);
  return problems;
}

describe('the shell sessions shown in the README and docs/', () => {
  it('finds the sessions (the ones needing a running server are tested elsewhere)', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(8);
    expect(all.filter(needsServer).length).toBeGreaterThan(0);
  });

  it.each(runnable.map((s) => [s.where, s] as const))('%s runs as shown', (_where, session) => {
    const env: Record<string, string> = {};
    for (const step of session.steps) {
      const exported = /^export (\w+)=(\S+)$/.exec(step.command);
      if (exported) {
        env[exported[1]!] = exported[2]!;
        continue;
      }
      const command = asRun(step.command);
      // braces, so that `2>&1` covers every command of a line such as `a; echo "exit $?"`
      const result = spawnSync('sh', ['-c', `{ ${command}\n} 2>&1`], {
        encoding: 'utf8',
        input: '',
        timeout: 60_000,
        env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      expect(result.error).toBeUndefined();
      const redirected = /> (\S+)$/.exec(command)?.[1];
      if (redirected) {
        written.push(redirected);
        expect(existsSync(redirected) && statSync(redirected).size).toBeGreaterThan(0);
      }
      expect({ command: step.command, problems: compare(step.expected, outputLines(result.stdout)) }).toEqual({
        command: step.command,
        problems: [],
      });
    }
  }, 120_000);
});

describe('the example files the docs name', () => {
  const named = new Set(
    pages.flatMap((page) =>
      readFileSync(page, 'utf8')
        .split('\n')
        // sample error messages name misspelt files on purpose
        .filter((line) => !line.includes('ORG_ERR_'))
        .flatMap((line) => [...line.matchAll(/\bexamples\/[\w./-]+\.(?:ts|yaml)\b/g)].map((m) => m[0])),
    ),
  );

  it.each([...named])('%s exists', (file) => {
    expect(existsSync(file)).toBe(true);
  });

  it.each([
    ['docs/getting-started.md', 'examples/shout/shout.ts'],
    ['docs/getting-started.md', 'examples/shout/shout.yaml'],
    ['docs/getting-started.md', 'examples/shout/embed.ts'],
    ['README.md', 'examples/embed.ts'],
  ])('%s shows %s verbatim', (page, file) => {
    const body = readFileSync(file, 'utf8');
    expect(readFileSync(page, 'utf8')).toContain('\n' + body + '```');
  });
});
