import { describe, expect, it } from '@jest/globals';
import { ThreadRegistry } from '../src/threadRegistry.js';

const THREAD = '5f0c7a3e-2b1d-4c8e-9a6f-0d3b2c1e4f5a';
const budgets = { maxHops: 4, maxMessages: 100, maxRepeats: 3 };

/** Charge `payload` to `listener` until the registry refuses it; returns how many it accepted. */
function acceptedRepeats(registry: ThreadRegistry, listener: string, payload: string): number {
  for (let accepted = 0; accepted < 50; accepted++) {
    const error = registry.charge(THREAD, listener, 1, payload);
    if (error) {
      expect(error.code).toBe('ORG_ERR_REPEAT');
      expect(error.message).toContain(`"${listener}" more than 3 times`);
      return accepted;
    }
  }
  throw new Error('the repeat guard never tripped');
}

describe('ThreadRegistry repeat guard', () => {
  it('refuses the same payload to the same listener after max_repeats', () => {
    const registry = new ThreadRegistry(budgets);
    registry.hold(THREAD);
    expect(acceptedRepeats(registry, 'greeter', '<greeting><name>A</name></greeting>')).toBe(3);
  });

  it('counts each (listener, payload) pair on its own, whichever came first', () => {
    const registry = new ThreadRegistry(budgets);
    registry.hold(THREAD);
    const first = '<greeting><name>A</name></greeting>';
    const sameLength = '<greeting><name>B</name></greeting>';
    // Interleave the first pair (kept in the record) with others (kept in a map).
    for (let round = 0; round < 3; round++) {
      expect(registry.charge(THREAD, 'greeter', 1, first)).toBeUndefined();
      expect(registry.charge(THREAD, 'greeter', 1, sameLength)).toBeUndefined();
      expect(registry.charge(THREAD, 'shouter', 1, first)).toBeUndefined();
    }
    expect(registry.charge(THREAD, 'greeter', 1, first)?.code).toBe('ORG_ERR_REPEAT');
    expect(registry.charge(THREAD, 'greeter', 1, sameLength)?.code).toBe('ORG_ERR_REPEAT');
    expect(registry.charge(THREAD, 'shouter', 1, first)?.code).toBe('ORG_ERR_REPEAT');
    expect(registry.charge(THREAD, 'shouter', 1, sameLength)).toBeUndefined();
  });

  it('forgets a thread once its work is let go, and counts afresh after', () => {
    const registry = new ThreadRegistry(budgets);
    registry.hold(THREAD);
    registry.hold(THREAD);
    expect(acceptedRepeats(registry, 'greeter', '<x/>')).toBe(3);
    registry.letGo(THREAD);
    expect(registry.size).toBe(1);
    registry.letGo(THREAD);
    expect(registry.size).toBe(0);
    registry.hold(THREAD);
    expect(acceptedRepeats(registry, 'greeter', '<x/>')).toBe(3);
  });

  it('charges nothing on a thread that is not held', () => {
    const registry = new ThreadRegistry(budgets);
    for (let i = 0; i < 10; i++) expect(registry.charge(THREAD, 'greeter', 1, '<x/>')).toBeUndefined();
    expect(registry.size).toBe(0);
  });

  it('still enforces max_hops and max_messages', () => {
    const registry = new ThreadRegistry({ ...budgets, maxMessages: 5, maxRepeats: 100 });
    registry.hold(THREAD);
    expect(registry.charge(THREAD, 'greeter', 5, '<x/>')?.code).toBe('ORG_ERR_BUDGET_HOPS');
    const codes = Array.from({ length: 6 }, (_, i) => registry.charge(THREAD, 'greeter', 1, `<x>${i}</x>`)?.code);
    expect(codes).toEqual([undefined, undefined, undefined, undefined, undefined, 'ORG_ERR_BUDGET_MESSAGES']);
  });
});
