/** Counts strikes within a sliding window; remembers at most `limit + 1` timestamps. */
export class StrikeCounter {
  private readonly times: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Record a strike; true when more than `limit` fell within the window. */
  strike(): boolean {
    const now = this.now();
    this.times.push(now);
    while (this.times.length > 0 && now - this.times[0]! > this.windowMs) this.times.shift();
    if (this.times.length > this.limit + 1) this.times.shift();
    return this.times.length > this.limit;
  }
}
