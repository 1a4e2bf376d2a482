/** Wall-clock and CPU time spent between start and stop. */
export interface Elapsed {
  readonly wallMs: number;
  /** User + system CPU of the whole process (all threads: the GC helpers count too). */
  readonly cpuUs: number;
}

/**
 * Starts measuring wall time (`performance.now()`) and process CPU (`process.cpuUsage()`).
 *
 * @example
 * const watch = startStopwatch();
 * await work();
 * const { wallMs, cpuUs } = watch.stop();
 */
export function startStopwatch(): { stop(): Elapsed } {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  return {
    stop() {
      const wallMs = performance.now() - wall;
      const used = process.cpuUsage(cpu);
      return { wallMs, cpuUs: used.user + used.system };
    },
  };
}

/** Messages per second for `count` messages in `elapsed`. */
export function ratePerSecond(count: number, elapsed: Elapsed): number {
  return (count * 1000) / elapsed.wallMs;
}

/** CPU microseconds per message. */
export function cpuPerMessage(count: number, elapsed: Elapsed): number {
  return elapsed.cpuUs / count;
}
