import { OrganismError } from '@organism/xml';
import type { ThreadSnapshot } from './transport.js';

/** Per-thread limits; `organism.yaml` keys in parentheses. */
export interface ThreadBudgets {
  /** Longest call chain on a thread (`max_hops`). Default 32. */
  readonly maxHops: number;
  /** Messages routed to listeners on one thread (`max_messages_per_thread`). Default 1,000. */
  readonly maxMessages: number;
  /** The same payload (canonical hash) to the same listener on one thread (`max_repeats`). Default 5. */
  readonly maxRepeats: number;
}

export const DEFAULT_BUDGETS: ThreadBudgets = Object.freeze({ maxHops: 32, maxMessages: 1000, maxRepeats: 5 });

interface ThreadRecord {
  /** Work on this thread that is queued, in a pass, or running. */
  holds: number;
  messages: number;
  /**
   * The repeat guard's counts by (listener, payload fingerprint). Most threads carry one payload
   * per listener, so the first fingerprint is kept in the record itself and a map is made only
   * for a second one: a record stays a few dozen bytes while its work waits.
   */
  firstListener: string | undefined;
  firstLength: number;
  firstHash: number;
  firstCount: number;
  repeats: Map<string, number> | undefined;
  halted: OrganismError | undefined;
}

/**
 * What the organism privately knows per thread: budgets spent and whether it was ended. A record
 * lives exactly as long as work on its thread does (`hold`/`letGo`), so the registry never grows
 * with the number of threads ever seen. Call chains themselves travel with the work as plain data.
 */
export class ThreadRegistry {
  private readonly threads = new Map<string, ThreadRecord>();

  constructor(private readonly budgets: ThreadBudgets) {}

  /** Threads with work in progress. */
  get size(): number {
    return this.threads.size;
  }

  hold(thread: string): void {
    let record = this.threads.get(thread);
    if (!record) {
      record = { holds: 0, messages: 0, firstListener: undefined, firstLength: 0, firstHash: 0, firstCount: 0, repeats: undefined, halted: undefined };
      this.threads.set(thread, record);
    }
    record.holds++;
  }

  letGo(thread: string): void {
    const record = this.threads.get(thread);
    if (!record) return;
    record.holds--;
    if (record.holds <= 0) this.threads.delete(thread);
  }

  /** End a thread: nothing further is routed on it while its remaining work drains. */
  halt(thread: string, reason: OrganismError): void {
    const record = this.threads.get(thread);
    if (record && !record.halted) record.halted = reason;
  }

  haltedBy(thread: string): OrganismError | undefined {
    return this.threads.get(thread)?.halted;
  }

  /** The thread's spent budgets as plain data (for a delivery carried to another process). */
  snapshot(thread: string): ThreadSnapshot {
    const record = this.threads.get(thread);
    if (!record) return { messages: 0, repeats: [] };
    const repeats: Array<readonly [string, number]> = [];
    if (record.firstListener !== undefined) repeats.push([repeatKey(record.firstListener, record.firstLength, record.firstHash), record.firstCount]);
    if (record.repeats) for (const entry of record.repeats) repeats.push(entry);
    return { messages: record.messages, repeats };
  }

  /**
   * Continue a thread whose work arrived from another process: its counts become at least the
   * snapshot's. The thread must be held. Malformed entries are ignored (counts only ever grow).
   */
  absorb(thread: string, snapshot: ThreadSnapshot): void {
    const record = this.threads.get(thread);
    if (!record) return;
    if (Number.isInteger(snapshot.messages) && snapshot.messages > record.messages) record.messages = snapshot.messages;
    for (const [key, count] of snapshot.repeats) {
      const cut = key.lastIndexOf('\u0000');
      const colon = key.indexOf(':', cut);
      if (cut < 0 || colon < 0 || !Number.isInteger(count)) continue;
      const listener = key.slice(0, cut);
      const length = Number(key.slice(cut + 1, colon));
      const hash = Number(key.slice(colon + 1));
      if (record.firstListener === undefined || (record.firstListener === listener && record.firstLength === length && record.firstHash === hash)) {
        record.firstListener = listener;
        record.firstLength = length;
        record.firstHash = hash;
        record.firstCount = Math.max(record.firstCount, count);
        continue;
      }
      record.repeats ??= new Map();
      record.repeats.set(key, Math.max(record.repeats.get(key) ?? 0, count));
    }
  }

  /**
   * Count one delivery of `payloadXml` to `listener` along a chain of `hops`; returns the budget
   * error that ends the thread, or undefined. The thread must be held.
   */
  charge(thread: string, listener: string, hops: number, payloadXml: string): OrganismError | undefined {
    const record = this.threads.get(thread);
    if (!record) return undefined;
    if (hops > this.budgets.maxHops) {
      return new OrganismError(
        'ORG_ERR_BUDGET_HOPS',
        `thread ${thread} exceeded ${this.budgets.maxHops} hops (a call chain that deep is a loop): the thread was ended`,
      );
    }
    record.messages++;
    if (record.messages > this.budgets.maxMessages) {
      return new OrganismError(
        'ORG_ERR_BUDGET_MESSAGES',
        `thread ${thread} exceeded ${this.budgets.maxMessages} messages: the thread was ended`,
      );
    }
    if (countRepeat(record, listener, payloadXml) > this.budgets.maxRepeats) {
      return new OrganismError(
        'ORG_ERR_REPEAT',
        `the same payload reached "${listener}" more than ${this.budgets.maxRepeats} times on thread ${thread}: the thread was ended`,
      );
    }
    return undefined;
  }
}

/** Count one more delivery of `payloadXml` to `listener` on the record's thread; returns the count. */
function countRepeat(record: ThreadRecord, listener: string, payloadXml: string): number {
  const length = payloadXml.length;
  const hash = fnv1a(payloadXml);
  if (record.firstListener === undefined) {
    record.firstListener = listener;
    record.firstLength = length;
    record.firstHash = hash;
    record.firstCount = 1;
    return 1;
  }
  if (record.firstListener === listener && record.firstLength === length && record.firstHash === hash) return ++record.firstCount;
  record.repeats ??= new Map();
  const key = repeatKey(listener, length, hash);
  const seen = (record.repeats.get(key) ?? 0) + 1;
  record.repeats.set(key, seen);
  return seen;
}

function repeatKey(listener: string, length: number, hash: number): string {
  return `${listener}\u0000${length}:${hash}`;
}

/** FNV-1a over UTF-16 code units: a cheap fingerprint (with the length) for the repeat guard. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
