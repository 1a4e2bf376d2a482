import type { Job } from './steps/dispatch';

/**
 * `breadth-first`: threads take turns (round robin), oldest call first within a thread, so one busy
 * thread cannot starve another. `depth-first`: the newest waiting call first (continue the latest
 * branch before older work).
 */
export type ThreadScheduling = 'breadth-first' | 'depth-first';

/** How far into a queue `take` looks for a call whose listener has a free permit. */
const SCAN_LIMIT = 64;

/**
 * Handler calls waiting for a slot. `take` returns the next call by the scheduling policy whose
 * listener can run now, so a saturated listener never blocks the others (no head-of-line blocking
 * behind the global limit). Its size is bounded by the pump's admission control, not here.
 */
export class JobScheduler {
  /** breadth-first: one FIFO per thread, served round robin. */
  private readonly byThread = new Map<string, Job[]>();
  private ring: string[] = [];
  private cursor = 0;
  /** depth-first: one stack. */
  private readonly stack: Job[] = [];
  private count = 0;

  constructor(private readonly policy: ThreadScheduling) {}

  get size(): number {
    return this.count;
  }

  push(job: Job): void {
    this.count++;
    if (this.policy === 'depth-first') {
      this.stack.push(job);
      return;
    }
    const thread = job.call.thread;
    let queue = this.byThread.get(thread);
    if (!queue) {
      queue = [];
      this.byThread.set(thread, queue);
      this.ring.push(thread);
    }
    queue.push(job);
  }

  /** The next job whose listener can run now, or undefined. */
  take(canRun: (listenerKey: string) => boolean): Job | undefined {
    if (this.policy === 'depth-first') {
      const stack = this.stack;
      for (let i = stack.length - 1, seen = 0; i >= 0 && seen < SCAN_LIMIT; i--, seen++) {
        if (canRun(stack[i]!.call.listener.key)) {
          this.count--;
          return i === stack.length - 1 ? stack.pop() : stack.splice(i, 1)[0];
        }
      }
      return undefined;
    }
    const n = this.ring.length;
    for (let step = 0; step < n; step++) {
      const index = (this.cursor + step) % n;
      const thread = this.ring[index]!;
      const queue = this.byThread.get(thread)!;
      const limit = Math.min(queue.length, SCAN_LIMIT);
      for (let i = 0; i < limit; i++) {
        if (!canRun(queue[i]!.call.listener.key)) continue;
        const job = i === 0 ? queue.shift()! : queue.splice(i, 1)[0]!;
        this.count--;
        if (queue.length === 0) {
          this.byThread.delete(thread);
          this.ring.splice(index, 1);
          this.cursor = this.ring.length === 0 ? 0 : index % this.ring.length;
        } else {
          this.cursor = (index + 1) % n;
        }
        return job;
      }
    }
    return undefined;
  }
}
