import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';

describe('a .ts module named in organism.yaml, under plain node', () => {
  // The built core registers tsx's loader once and imports the module natively: the module gets
  // the @organism/core already loaded, not a second copy of every package (what tsImport did).
  it('is loaded through tsx and shares the process\'s @organism/core', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['packages/core/test/support/tsModule/load.mjs'], { timeout: 60_000 });
    expect(stdout.trim().split('\n')).toEqual([
      '<greetingresponse><message>Hello, TS!</message></greetingresponse>',
      'same core: true',
      'core from: packages/core/dist/index.js',
    ]);
  }, 90_000);
});
