/**
 * Tracks the peak of a few gauges, read on a timer (default every 10 ms) and whenever
 * `sample()` is called (a tight loop that starves timers can sample itself).
 *
 * @example
 * const peaks = samplePeaks({ rss: () => process.memoryUsage.rss(), queued: () => org.stats().queued });
 * await flood();
 * const { rss, queued } = peaks.stop();
 */
export function samplePeaks<K extends string>(
  gauges: Record<K, () => number>,
  intervalMs = 10,
): { sample(): void; stop(): Record<K, number> } {
  const keys = Object.keys(gauges) as K[];
  const peaks = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const sample = () => {
    for (const key of keys) {
      const value = gauges[key]();
      if (value > peaks[key]) peaks[key] = value;
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return { ...peaks };
    },
  };
}
