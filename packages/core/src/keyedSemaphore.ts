import { RingQueue } from './ringQueue.js';

/**
 * A semaphore per key (one per listener name), with a fixed number of permits each.
 *
 * Overflow policy: waiters queue in FIFO order per key; the queue is bounded by whoever
 * admits work (the pump's admission limit), not here. A waiter whose signal aborts is
 * removed from its queue, and a key with no holders and no waiters is deleted, so the
 * map never grows with the number of keys ever seen.
 *
 * @example
 * const sem = createKeyedSemaphore(2);
 * const release = await sem.acquire('greeter');
 * try { await work(); } finally { release(); }
 */
export interface KeyedSemaphore {
  /** Resolves with a release function once a permit for `key` is free. */
  acquire(key: string, signal?: AbortSignal): Promise<() => void>;
  /** A release function if a permit for `key` is free right now, else undefined (nothing queued). */
  tryAcquire(key: string): (() => void) | undefined;
  /** Permits currently held for `key` (0 for an unknown key). */
  inUse(key: string): number;
  /** Number of keys currently tracked (holders or waiters). */
  readonly size: number;
}

/** A caller waiting for a permit; `grant` is cleared once it was granted or gave up. */
interface Waiter {
  grant: (() => void) | undefined;
}

interface Slot {
  held: number;
  /**
   * FIFO of waiters, made on the first one; given-up waiters stay in it until they reach the head,
   * and the whole queue goes once no waiter is left waiting.
   */
  waiters: RingQueue<Waiter> | undefined;
  /** Waiters still waiting (not granted, not given up). */
  waiting: number;
}

/**
 * Create a {@link KeyedSemaphore} with `permits` permits per key. `tryAcquire`, `inUse` and a
 * release are O(1) (amortized): waiters sit in a ring, and a waiter that gives up is marked, not
 * searched for. (A waiter with a signal still costs what `AbortSignal` charges to add and remove
 * its listener.)
 */
export function createKeyedSemaphore(permits: number): KeyedSemaphore {
  if (!Number.isInteger(permits) || permits < 1) {
    throw new RangeError(`a keyed semaphore needs at least 1 permit per key, got ${permits}`);
  }
  const slots = new Map<string, Slot>();

  const slotOf = (key: string): Slot => {
    let slot = slots.get(key);
    if (!slot) {
      slot = { held: 0, waiters: undefined, waiting: 0 };
      slots.set(key, slot);
    }
    return slot;
  };

  /** The oldest waiter still waiting, removed from the queue (the slot has one). */
  const nextWaiter = (slot: Slot): Waiter => {
    let waiter = slot.waiters!.shift()!;
    while (!waiter.grant) waiter = slot.waiters!.shift()!;
    if (--slot.waiting === 0) slot.waiters = undefined; // only given-up waiters could be left
    return waiter;
  };

  const releaser = (key: string, slot: Slot): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slot.waiting > 0 ? nextWaiter(slot) : undefined;
      if (next) {
        const grant = next.grant!;
        next.grant = undefined;
        grant(); // hand the permit over directly: held count is unchanged
      } else {
        slot.held--;
        if (slot.held === 0) slots.delete(key);
      }
    };
  };

  return {
    acquire(key, signal) {
      const s = slotOf(key);
      if (s.held < permits) {
        s.held++;
        return Promise.resolve(releaser(key, s));
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(releaser(key, s));
          },
        };
        const onAbort = () => {
          if (!waiter.grant) return;
          waiter.grant = undefined;
          s.waiting--;
          if (s.waiting === 0) {
            // only given-up waiters are left: drop them
            s.waiters = undefined;
            if (s.held === 0) slots.delete(key);
          }
          reject(signal?.reason);
        };
        (s.waiters ??= new RingQueue()).push(waiter);
        s.waiting++;
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    tryAcquire(key) {
      const slot = slotOf(key);
      if (slot.held >= permits) return undefined;
      slot.held++;
      return releaser(key, slot);
    },
    inUse(key) {
      return slots.get(key)?.held ?? 0;
    },
    get size() {
      return slots.size;
    },
  };
}
