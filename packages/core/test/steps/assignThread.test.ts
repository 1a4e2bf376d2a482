import { describe, it, expect } from '@jest/globals';
import { assignThread, isUuidV4 } from '../../src/index';
import { THREAD } from '../support/envelopes';
import { arriving, marbles } from '../support/steps';

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
