import type { Observable, Subscription } from 'rxjs';
import type { Organism } from '@organism/core';

/**
 * Which threads still have work somewhere, and when each becomes idle. The server sends a client
 * `<idle>` for its thread once the thread is idle. The default counts one organism's
 * `messages$` and `calls$`; a distributed transport, whose calls run in other processes,
 * provides its own (the NATS transport's `threads`).
 *
 * @example
 * const transport = await natsTransport({ servers, organism: 'hello', egress: true });
 * await startServer(org, { threads: transport.threads });
 */
export interface ThreadActivity {
  isBusy(thread: string): boolean;
  /** Each thread as its work ends (it is then no longer busy). */
  readonly idle$: Observable<string>;
}

/**
 * Unfinished work per thread: +1 per routed message, -1 per settled handler call. The organism
 * emits a call's event only after the messages it produced were routed, so a thread whose count
 * drops to zero has nothing queued or running. Threads at zero are forgotten. With a
 * {@link ThreadActivity} given, it answers instead.
 */
export class ThreadTracker {
  private readonly pending = new Map<string, number>();
  private readonly subscriptions: Subscription[];

  constructor(
    org: Organism,
    onIdle: (thread: string) => void,
    private readonly activity?: ThreadActivity,
  ) {
    if (activity !== undefined) {
      this.subscriptions = [activity.idle$.subscribe(onIdle)];
      return;
    }
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
    return this.activity !== undefined ? this.activity.isBusy(thread) : this.pending.has(thread);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.pending.clear();
  }
}
