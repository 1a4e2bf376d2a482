/**
 * Which client identity owns each thread a client started or continued. Ownership belongs to the
 * identity, not to a connection, so the server can keep a thread from other clients after its
 * connection closed: while work on it still runs, and for good when the identity is a named one
 * that may reconnect. Bounded: an identity owns at most `maxThreads` threads (sliding: the oldest
 * one it may forget goes first).
 */
export class ThreadOwners {
  /** thread → owner (identity, lower-cased). */
  private readonly owners = new Map<string, string>();
  /** owner → its threads, oldest first. */
  private readonly byOwner = new Map<string, Set<string>>();

  constructor(private readonly maxThreads: number) {}

  /** Threads owned, by every identity together. */
  get size(): number {
    return this.owners.size;
  }

  ownerOf(thread: string): string | undefined {
    return this.owners.get(thread);
  }

  /**
   * `owner` uses `thread`. When that makes it own more than `maxThreads`, the oldest thread
   * `canForget` allows is released (another client may use it afterwards).
   */
  claim(thread: string, owner: string, canForget: (thread: string) => boolean): void {
    let threads = this.byOwner.get(owner);
    if (threads === undefined) {
      threads = new Set();
      this.byOwner.set(owner, threads);
    }
    if (threads.has(thread)) return;
    if (threads.size >= this.maxThreads) {
      for (const old of threads) {
        if (!canForget(old)) continue;
        this.release(old);
        break;
      }
    }
    threads.add(thread);
    this.owners.set(thread, owner);
  }

  /** The threads `owner` holds now (a copy: release while iterating is fine). */
  threadsOf(owner: string): string[] {
    return [...(this.byOwner.get(owner) ?? [])];
  }

  release(thread: string): void {
    const owner = this.owners.get(thread);
    if (owner === undefined) return;
    this.owners.delete(thread);
    const threads = this.byOwner.get(owner)!;
    threads.delete(thread);
    if (threads.size === 0) this.byOwner.delete(owner);
  }
}
