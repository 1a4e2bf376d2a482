/**
 * Writes to the NATS connection held until the end of this event-loop turn, then made in order.
 *
 * nats.js writes to its socket in a microtask after the first command of a batch, so a worker
 * whose handlers settle one by one (each on its own microtask) wrote one socket write per store,
 * acknowledgement and activity line: in bench:nats the writes were the largest single cost of
 * each process. Held for the turn, everything the turn produced leaves in one write. The order
 * of the calls is kept; what is queued with {@link Outbox.last} goes after all of them (the
 * activity lines of the turn, see NatsTransportImpl.announce).
 */
export class Outbox {
  private readonly queue: Array<() => void> = [];
  private end: (() => void) | undefined;
  private scheduled: NodeJS.Immediate | undefined;

  /** Run `write` at the end of this turn, after the writes queued before it. */
  later(write: () => void): void {
    this.queue.push(write);
    this.scheduled ??= setImmediate(this.flush);
  }

  /** Run `write` at the end of this turn, after every other write of the turn; one per turn (a second replaces the first). */
  last(write: () => void): void {
    this.end = write;
    this.scheduled ??= setImmediate(this.flush);
  }

  /** Make every held write now (also before the connection drains). */
  readonly flush = (): void => {
    if (this.scheduled !== undefined) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    // A write may queue another (a failed publish settles, its caller retries): run those too.
    for (let i = 0; i < this.queue.length; i++) run(this.queue[i]!);
    this.queue.length = 0;
    const end = this.end;
    this.end = undefined;
    if (end !== undefined) run(end);
  };
}

function run(write: () => void): void {
  try {
    write();
  } catch {
    // One failing write keeps the rest. A store settles its own publish with the error; an
    // acknowledgement that cannot be sent leaves the message to be redelivered; activity is advisory.
  }
}
