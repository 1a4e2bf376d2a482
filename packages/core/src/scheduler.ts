import type { Job } from './steps/dispatch';

/** `breadth-first`: oldest waiting call first; `depth-first`: newest first (continue the latest branch). */
export type ThreadScheduling = 'breadth-first' | 'depth-first';

/**
 * Handler calls waiting for a slot, one queue per listener. The next call comes from the next
 * listener (round robin) that has a free per-listener permit, so a saturated listener never blocks
 * the others (no head-of-line blocking behind the global limit). Its size is bounded by the pump's
 * admission control, not here.
 */
export class JobScheduler {
  private readonly queues = new Map<string, Job[]>();
  private order: string[] = [];
  private cursor = 0;
  private count = 0;

  constructor(private readonly policy: ThreadScheduling) {}

  get size(): number {
    return this.count;
  }

  push(job: Job): void {
    const key = job.call.listener.key;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = [];
      this.queues.set(key, queue);
      this.order.push(key);
    }
    queue.push(job);
    this.count++;
  }

  /** The next job whose listener can run now, or undefined. */
  take(canRun: (listenerKey: string) => boolean): Job | undefined {
    const n = this.order.length;
    for (let i = 0; i < n; i++) {
      const index = (this.cursor + i) % n;
      const key = this.order[index]!;
      if (!canRun(key)) continue;
      const queue = this.queues.get(key)!;
      const job = this.policy === 'depth-first' ? queue.pop()! : queue.shift()!;
      this.count--;
      if (queue.length === 0) {
        this.queues.delete(key);
        this.order.splice(index, 1);
        this.cursor = this.order.length === 0 ? 0 : index % this.order.length;
      } else {
        this.cursor = (index + 1) % n;
      }
      return job;
    }
    return undefined;
  }

  /** Remove and return everything still waiting (used when closing). */
  drainAll(): Job[] {
    const all = [...this.queues.values()].flat();
    this.queues.clear();
    this.order = [];
    this.cursor = 0;
    this.count = 0;
    return all;
  }
}
