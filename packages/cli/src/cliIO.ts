import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { OrganismError } from '@organism/core';

/** Where a command reads and writes, and how it reports its exit code (tests pass their own). */
export interface CliIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  setExitCode(code: number): void;
}

/** The real process. */
export function processIO(): CliIO {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

/** `CODE: message` plus any details, for an error a command could not get past. */
export function describeError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const details = (error as { details?: readonly string[] }).details ?? [];
  const head = `${typeof code === 'string' && code.startsWith('ORG_ERR_') ? code : 'ORG_ERR_INTERNAL'}: ${(error as Error).message ?? String(error)}`;
  return [head, ...details.slice(0, 10).map((d) => `  ${d}`)].join('\n');
}

/** A file a command needs (a certificate, a key), or an OrganismError `code`: `cannot read the <what> <path>: ENOENT`. */
export function readNeededFile(path: string, what: string, code: 'ORG_ERR_CONFIG' | 'ORG_ERR_CLI_USAGE'): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new OrganismError(code, `cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
}
