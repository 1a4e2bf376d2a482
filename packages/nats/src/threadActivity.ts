import { Subject, type Observable } from 'rxjs';

/** At most this many carried messages are tracked; beyond it the oldest thread is let go (reported idle). */
const MAX_TRACKED = 100_000;
/** Ids remembered as finished (at least this many, at most twice), so that a late or repeated "+" for them (a redelivered output) is ignored. */
const MAX_FINISHED = 10_000;

/**
 * Which threads have carried messages not yet completed anywhere in the cluster, from the
 * `+`/`-` activity every process publishes: `+ id` when it carries a message, `- id` when the
 * message was completed (acknowledged). Keyed by Nats-Msg-Id, so redeliveries count once.
 */
export class ThreadActivityTracker {
  private readonly threads = new Map<string, Set<string>>();
  /**
   * Ids finished recently, in two generations: a lookup checks both, and when the current one is
   * full it becomes the previous one. (Deleting a Set's oldest entry one by one instead leaves V8's
   * table a growing run of holes that every `values().next()` walks: it was 6 % of the egress host's
   * CPU in bench:nats.)
   */
  private finished = new Set<string>();
  private finishedBefore = new Set<string>();
  private tracked = 0;
  private readonly idle = new Subject<string>();
  readonly idle$: Observable<string> = this.idle.asObservable();

  isBusy(thread: string): boolean {
    return this.threads.has(thread);
  }

  started(thread: string, id: string): void {
    if (this.finished.has(id) || this.finishedBefore.has(id)) return;
    let ids = this.threads.get(thread);
    if (ids === undefined) this.threads.set(thread, (ids = new Set()));
    if (ids.has(id)) return;
    ids.add(id);
    if (++this.tracked > MAX_TRACKED) this.evictOldest();
  }

  ended(thread: string, id: string): void {
    this.finished.add(id);
    if (this.finished.size >= MAX_FINISHED) {
      this.finishedBefore = this.finished;
      this.finished = new Set();
    }
    const ids = this.threads.get(thread);
    if (ids === undefined || !ids.delete(id)) return;
    this.tracked--;
    if (ids.size === 0) {
      this.threads.delete(thread);
      this.idle.next(thread);
    }
  }

  private evictOldest(): void {
    const [thread, ids] = this.threads.entries().next().value!;
    this.threads.delete(thread);
    this.tracked -= ids.size;
    this.idle.next(thread);
  }

  close(): void {
    this.threads.clear();
    this.idle.complete();
  }
}
