import type { Subscription } from 'rxjs';
import type { Organism } from '@organism/core';

/**
 * Unfinished work per thread: +1 per routed message, -1 per settled handler call. The organism
 * emits a call's event only after the messages it produced were routed, so a thread whose count
 * drops to zero has nothing queued or running. Threads at zero are forgotten.
 */
export class ThreadTracker {
  private readonly pending = new Map<string, number>();
  private readonly subscriptions: Subscription[];

  constructor(org: Organism, onIdle: (thread: string) => void) {
    this.subscriptions = [
      org.messages$.subscribe((m) => this.pending.set(m.thread, (this.pending.get(m.thread) ?? 0) + 1)),
      org.calls$.subscribe((c) => {
        const count = this.pending.get(c.thread);
        // A call routed before we subscribed: not ours to count.
        if (count === undefined) return;
        if (count > 1) {
          this.pending.set(c.thread, count - 1);
        } else {
          this.pending.delete(c.thread);
          onIdle(c.thread);
        }
      }),
    ];
  }

  isBusy(thread: string): boolean {
    return this.pending.has(thread);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.pending.clear();
  }
}
