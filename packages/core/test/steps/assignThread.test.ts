import { describe, it, expect } from '@jest/globals';
import { assignThread, isUuidV4 } from '../../src/index.js';
import { THREAD } from '../support/envelopes.js';
import { arriving, marbles } from '../support/steps.js';

const env = { newThreadId: () => 'fixed' };

describe('assignThread', () => {
  it('keeps a UUID v4 thread, lower-cased', () => {
    const upper = arriving('', { thread: THREAD.toUpperCase() });
    const lower = arriving('', { thread: THREAD });
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-|', { a: upper, b: lower });
      expectObservable(source.pipe(assignThread(env))).toBe('-a-b-|', {
        a: expect.objectContaining({ thread: THREAD }),
        b: expect.objectContaining({ thread: THREAD }),
      });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
    expect(upper.newThread).toBeUndefined();
    expect(lower.newThread).toBeUndefined();
  });

  it('starts a new thread when it is missing, not a UUID, or a UUID of another version (two in one frame)', () => {
    const missing = arriving('');
    const garbage = arriving('', { thread: 'thread-1' });
    const v1 = arriving('', { thread: '3f1c2a4b-1234-1abc-8def-0123456789ab' });
    marbles().run(({ cold, expectObservable }) => {
      const fresh = expect.objectContaining({ thread: 'fixed', newThread: true });
      expectObservable(cold('a(bc)|', { a: missing, b: garbage, c: v1 }).pipe(assignThread(env))).toBe('a(bc)|', { a: fresh, b: fresh, c: fresh });
    });
  });

  it('isUuidV4 accepts only canonical version-4 UUIDs', () => {
    expect(isUuidV4(THREAD)).toBe(true);
    expect(isUuidV4(THREAD.toUpperCase())).toBe(true);
    expect(isUuidV4(`{${THREAD}}`)).toBe(false);
    expect(isUuidV4('3f1c2a4b-1234-4abc-7def-0123456789ab')).toBe(false); // variant
    expect(isUuidV4(undefined)).toBe(false);
  });
});

describe('isUuidV4 (character loop)', () => {
  const REFERENCE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
  it('agrees with the UUID v4 pattern on valid ids and on every single-character change of them', async () => {
    const { randomUUID } = await import('node:crypto');
    const alphabet = '0123456789abcdefABCDEFgG-4{ z';
    let checked = 0;
    for (let n = 0; n < 50; n++) {
      const id = n % 2 === 0 ? randomUUID() : randomUUID().toUpperCase();
      expect(isUuidV4(id)).toBe(true);
      for (let i = 0; i < id.length; i++) {
        for (const ch of alphabet) {
          const changed = id.slice(0, i) + ch + id.slice(i + 1);
          expect(isUuidV4(changed)).toBe(REFERENCE.test(changed));
          checked++;
        }
      }
      expect(isUuidV4(id.slice(1))).toBe(false);
      expect(isUuidV4(`${id}0`)).toBe(false);
    }
    expect(checked).toBeGreaterThan(50_000);
    expect(isUuidV4(undefined)).toBe(false);
  });
});
