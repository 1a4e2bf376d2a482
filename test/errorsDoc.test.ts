import { describe, it, expect } from '@jest/globals';
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ErrorCodes } from '@organism/xml';

describe('docs/errors.md', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  const documented = new Set([...doc.matchAll(/^###\s+`?(ORG_ERR_[A-Z0-9_]+)`?\s*$/gm)].map((m) => m[1]!));

  it('documents every error code of the registry', () => {
    const missing = Object.keys(ErrorCodes).filter((code) => !documented.has(code));
    expect(missing).toEqual([]);
  });

  it('documents no code that the registry lacks', () => {
    const unknown = [...documented].filter((code) => !(code in ErrorCodes));
    expect(unknown).toEqual([]);
  });

  it('every code used in the source is registered', () => {
    const used = new Set(execSync("grep -rhoE \"'ORG_ERR_[A-Z0-9_]+'\" packages/*/src", { encoding: 'utf8' }).match(/ORG_ERR_[A-Z0-9_]+/g) ?? []);
    const unregistered = [...used].filter((code) => !(code in ErrorCodes));
    expect(unregistered).toEqual([]);
  });
});
