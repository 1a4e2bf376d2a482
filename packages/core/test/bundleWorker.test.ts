import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { bundledWorkerEntry, touchBundle } from '../src/xmlWorker/bundleWorker.js';

const DAY = 24 * 60 * 60 * 1000;

/** Sets a file's access and modification times to `ageMs` ago. */
function age(path: string, ageMs: number): void {
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
}

describe('the XML worker bundle', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'organism-bundle-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is written once per content and prunes bundles and partial writes nobody used lately', async () => {
    const stale = join(dir, '0123456789abcdef.mjs'); // another install or version, unused for 8 days
    const recent = join(dir, 'fedcba9876543210.mjs'); // another one, used yesterday
    const deadPartial = join(dir, '0123456789abcdef.mjs.4242.tmp'); // a writer died 2 hours ago
    const livePartial = join(dir, 'fedcba9876543210.mjs.4343.tmp'); // a writer at work now
    const foreign = join(dir, 'notes.txt'); // not a bundle: never touched
    for (const file of [stale, recent, deadPartial, livePartial, foreign]) writeFileSync(file, '// x\n');
    age(stale, 8 * DAY);
    age(recent, 1 * DAY);
    age(deadPartial, 2 * 60 * 60 * 1000);
    age(foreign, 30 * DAY);

    const url = await bundledWorkerEntry(dir);
    expect(url).toBeDefined();
    const bundle = fileURLToPath(url!);
    expect(bundle.startsWith(dir)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(
      ['fedcba9876543210.mjs', 'fedcba9876543210.mjs.4343.tmp', 'notes.txt', bundle.slice(dir.length + 1)].sort(),
    );

    // Used again 8 days later: the same file, kept and refreshed, not rewritten elsewhere.
    age(bundle, 8 * DAY);
    const again = await bundledWorkerEntry(dir);
    expect(again?.href).toBe(url!.href);
    expect(Date.now() - statSync(bundle).mtimeMs).toBeLessThan(60_000);
    expect(readdirSync(dir)).toContain(bundle.slice(dir.length + 1));
  }, 60_000);

  it('says when a bundle it was given is gone, so that the worker builds it again', () => {
    const kept = join(dir, '0123456789abcdef.mjs');
    writeFileSync(kept, '// x\n');
    age(kept, 3 * DAY);
    expect(touchBundle(new URL(`file://${kept}`))).toBe(true);
    expect(Date.now() - statSync(kept).mtimeMs).toBeLessThan(60_000);
    expect(touchBundle(new URL(`file://${join(dir, 'fedcba9876543210.mjs')}`))).toBe(false);
  });
});
