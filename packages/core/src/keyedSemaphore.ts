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

interface Slot {
  held: number;
  waiters: Array<() => void>;
}

export function createKeyedSemaphore(permits: number): KeyedSemaphore {
  if (!Number.isInteger(permits) || permits < 1) {
    throw new RangeError(`a keyed semaphore needs at least 1 permit per key, got ${permits}`);
  }
  const slots = new Map<string, Slot>();

  const releaser = (key: string, slot: Slot): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slot.waiters.shift();
      if (next) {
        next(); // hand the permit over directly: held count is unchanged
      } else {
        slot.held--;
        if (slot.held === 0) slots.delete(key);
      }
    };
  };

  return {
    acquire(key, signal) {
      let slot = slots.get(key);
      if (!slot) {
        slot = { held: 0, waiters: [] };
        slots.set(key, slot);
      }
      const s = slot;
      if (s.held < permits) {
        s.held++;
        return Promise.resolve(releaser(key, s));
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(releaser(key, s));
        };
        const onAbort = () => {
          const i = s.waiters.indexOf(grant);
          if (i >= 0) s.waiters.splice(i, 1);
          if (s.held === 0 && s.waiters.length === 0) slots.delete(key);
          reject(signal?.reason);
        };
        s.waiters.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    tryAcquire(key) {
      let slot = slots.get(key);
      if (!slot) {
        slot = { held: 0, waiters: [] };
        slots.set(key, slot);
      }
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
