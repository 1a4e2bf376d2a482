import type { Job } from './steps/dispatch.js';

/**
 * `breadth-first`: threads take turns (round robin), oldest call first within a thread, so one busy
 * thread cannot starve another. `depth-first`: the newest waiting call first (continue the latest
 * branch before older work).
 */
export type ThreadScheduling = 'breadth-first' | 'depth-first';

/** How far into a queue `take` looks for a call whose listener has a free permit. */
const SCAN_LIMIT = 64;

/** A queue's consumed prefix is dropped once it is at least this long and half the array. */
const COMPACT_AT = 1024;

/**
 * One thread's waiting calls, oldest first, in `jobs[head..]`, and its place in the ring of
 * threads: a circular doubly linked list in order of arrival (`prev`/`next`).
 */
interface ThreadQueue {
  readonly thread: string;
  jobs: Array<Job | undefined>;
  head: number;
  prev: ThreadQueue;
  next: ThreadQueue;
}

/**
 * Handler calls waiting for a slot. `take` returns the next call by the scheduling policy whose
 * listener can run now, so a saturated listener never blocks the others (no head-of-line blocking
 * behind the global limit). Its size is bounded by the pump's admission control, not here.
 *
 * Cost: `push` is O(1); `take` is O(1) when the call the policy names first can run. Otherwise it
 * scans at most {@link SCAN_LIMIT} calls per queue, and (breadth-first) stops once every listener
 * with a waiting call was found unable to run, so a pump where nothing can start does not walk
 * every waiting thread. (A runnable call behind many threads whose first calls are all blocked
 * is still found by walking those threads, as before.)
 */
export class JobScheduler {
  /** breadth-first: one FIFO per thread, served round robin. */
  private readonly byThread = new Map<string, ThreadQueue>();
  /** The ring's first thread in arrival order (where new threads are appended before). */
  private first: ThreadQueue | undefined;
  /** The thread whose turn it is. */
  private cursor: ThreadQueue | undefined;
  /** breadth-first: waiting calls per listener key, to stop a scan that can find nothing. */
  private readonly waitingByKey = new Map<string, number>();
  /** depth-first: one stack. */
  private readonly stack: Job[] = [];
  private count = 0;

  constructor(private readonly policy: ThreadScheduling) {}

  /** Calls waiting. */
  get size(): number {
    return this.count;
  }

  /** Queue a call (O(1)). */
  push(job: Job): void {
    this.count++;
    if (this.policy === 'depth-first') {
      this.stack.push(job);
      return;
    }
    const key = job.call.listener.key;
    this.waitingByKey.set(key, (this.waitingByKey.get(key) ?? 0) + 1);
    const thread = job.call.thread;
    let queue = this.byThread.get(thread);
    if (queue) {
      queue.jobs.push(job);
    } else {
      // most threads wait with a single call: an array of exactly one
      queue = { thread, jobs: [job], head: 0, prev: undefined!, next: undefined! };
      this.byThread.set(thread, queue);
      const first = this.first;
      if (first === undefined) {
        queue.prev = queue.next = queue;
        this.first = this.cursor = queue;
      } else {
        // appended at the end of the arrival order: between the last thread and the first
        const last = first.prev;
        queue.prev = last;
        queue.next = first;
        last.next = queue;
        first.prev = queue;
      }
    }
  }

  /** The next job whose listener can run now, or undefined. `canRun` must not change during a call. */
  take(canRun: (listenerKey: string) => boolean): Job | undefined {
    if (this.count === 0) return undefined;
    return this.policy === 'depth-first' ? this.takeNewest(canRun) : this.takeInTurn(canRun);
  }

  private takeNewest(canRun: (listenerKey: string) => boolean): Job | undefined {
    const stack = this.stack;
    const top = stack.length - 1;
    for (let i = top, seen = 0; i >= 0 && seen < SCAN_LIMIT; i--, seen++) {
      const job = stack[i]!;
      if (!canRun(job.call.listener.key)) continue;
      // close the gap: at most SCAN_LIMIT newer calls move down one place
      for (let j = i; j < top; j++) stack[j] = stack[j + 1]!;
      stack.length = top;
      this.count--;
      return job;
    }
    return undefined;
  }

  private takeInTurn(canRun: (listenerKey: string) => boolean): Job | undefined {
    // Keys found unable to run in this take: the first in a variable (usually the only one, as
    // with a single busy listener), a set only from the second.
    let firstBlocked: string | undefined;
    let blocked: Set<string> | undefined;
    const keys = this.waitingByKey.size;
    let queue = this.cursor!;
    for (let step = 0, threads = this.byThread.size; step < threads; step++, queue = queue.next) {
      const { jobs, head } = queue;
      const limit = Math.min(jobs.length - head, SCAN_LIMIT);
      for (let i = 0; i < limit; i++) {
        const key = jobs[head + i]!.call.listener.key;
        if (key === firstBlocked || blocked?.has(key)) continue;
        if (!canRun(key)) {
          if (firstBlocked === undefined) firstBlocked = key;
          else (blocked ??= new Set([firstBlocked])).add(key);
          // every waiting call belongs to a listener that cannot run: nothing can start
          if ((blocked?.size ?? 1) === keys) return undefined;
          continue;
        }
        return this.remove(queue, i, key);
      }
    }
    return undefined;
  }

  /** Take the call `offset` places behind the head of `queue` and move the turn on. */
  private remove(queue: ThreadQueue, offset: number, key: string): Job {
    const jobs = queue.jobs;
    const head = queue.head;
    const at = head + offset;
    const job = jobs[at]!;
    // close the gap from the front: at most SCAN_LIMIT older calls move up one place
    for (let j = at; j > head; j--) jobs[j] = jobs[j - 1];
    jobs[head] = undefined;
    queue.head = head + 1;
    this.count--;
    const waiting = this.waitingByKey.get(key)! - 1;
    if (waiting === 0) this.waitingByKey.delete(key);
    else this.waitingByKey.set(key, waiting);

    if (queue.head === jobs.length) {
      // the thread has nothing left: it leaves the ring, and the thread after it has the turn
      this.byThread.delete(queue.thread);
      if (queue.next === queue) {
        this.first = this.cursor = undefined;
      } else {
        queue.prev.next = queue.next;
        queue.next.prev = queue.prev;
        if (this.first === queue) this.first = queue.next;
        this.cursor = queue.next;
      }
    } else {
      if (queue.head >= COMPACT_AT && queue.head * 2 >= jobs.length) {
        queue.jobs = jobs.slice(queue.head);
        queue.head = 0;
      }
      this.cursor = queue.next;
    }
    return job;
  }
}
