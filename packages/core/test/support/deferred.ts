/** A promise the test settles by hand. */
export interface Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Let every pending promise callback and I/O turn run (not a timed sleep). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Counts the handlers inside it and holds each one until the test releases it, so concurrency is
 * observed from inside the handlers: `inFlight` now, `max` ever.
 */
export class Gate {
  inFlight = 0;
  max = 0;
  entered = 0;
  exited = 0;
  private readonly held: Deferred[] = [];
  private watchers: Array<{ readonly count: number; readonly resolve: () => void }> = [];

  /** Call first thing in a handler: returns once the test releases this entry. */
  async enter(): Promise<void> {
    this.inFlight++;
    this.entered++;
    this.max = Math.max(this.max, this.inFlight);
    const hold = deferred();
    this.held.push(hold);
    this.watchers = this.watchers.filter((w) => (this.entered >= w.count ? (w.resolve(), false) : true));
    try {
      await hold.promise;
    } finally {
      this.inFlight--;
      this.exited++;
    }
  }

  /** Resolves once `count` handlers have entered in total. */
  whenEntered(count: number): Promise<void> {
    if (this.entered >= count) return Promise.resolve();
    return new Promise((resolve) => this.watchers.push({ count, resolve }));
  }

  /** Release the longest-held handler; false when none is held. */
  releaseOne(): boolean {
    const next = this.held.shift();
    next?.resolve();
    return next !== undefined;
  }

  releaseAll(): void {
    while (this.releaseOne());
  }
}
