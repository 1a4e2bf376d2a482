/** The spread of one figure over several measured runs. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Every run's value, in run order. */
  readonly runs: readonly number[];
}

/**
 * Median (mean of the two middle values for an even count), min and max of the runs.
 *
 * @example
 * spread([3, 1, 2]); // { median: 2, min: 1, max: 3, runs: [3, 1, 2] }
 */
export function spread(runs: readonly number[]): Spread {
  if (runs.length === 0) throw new RangeError('spread() needs at least one run');
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: [...runs] };
}

/** Latency distribution of one run. */
export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Nearest-rank percentiles (p50, p99, max) of a sample; the sample is sorted in place.
 *
 * @example
 * percentiles(Float64Array.from([5, 1, 4, 2, 3])); // { count: 5, p50: 3, p99: 5, max: 5 }
 */
export function percentiles(sample: Float64Array): Percentiles {
  if (sample.length === 0) throw new RangeError('percentiles() needs at least one value');
  sample.sort();
  return { count: sample.length, p50: rank(sample, 0.5), p99: rank(sample, 0.99), max: sample[sample.length - 1]! };
}

function rank(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
