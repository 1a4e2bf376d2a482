/**
 * One connection's frames on their way into the organism, in the order they came: at most
 * `concurrency` are being admitted at once and the rest wait their turn here. The organism's own
 * admission queue is first come, first served across all callers, so without this bound one
 * client flooding a full organism would put thousands of frames ahead of everyone else's. The
 * queue itself is bounded by its owner, which stops reading the client's socket while
 * {@link FrameQueue.waiting} is at `concurrency` or more (see ClientConnection).
 */
export class FrameQueue {
  private admitting = 0;
  private readonly turns: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    /** Called whenever {@link waiting} changed. */
    private readonly onChange: () => void,
  ) {}

  /** Frames waiting for their turn (not counting the ones being admitted). */
  get waiting(): number {
    return this.turns.length;
  }

  /** Run `admit` once it is this frame's turn; the turn passes on when it settles. */
  async run<T>(admit: () => Promise<T>): Promise<T> {
    if (this.admitting < this.concurrency) {
      this.admitting++;
    } else {
      // The turn is handed over with `admitting` unchanged: see the finally below.
      await new Promise<void>((resolve) => {
        this.turns.push(resolve);
        this.onChange();
      });
    }
    try {
      return await admit();
    } finally {
      const next = this.turns.shift();
      if (next === undefined) {
        this.admitting--;
      } else {
        next();
        this.onChange();
      }
    }
  }
}
