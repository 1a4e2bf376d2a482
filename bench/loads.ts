/** A batch of messages measured several times; `key` names it in figure ids. */
export interface Load {
  readonly key: string;
  readonly count: number;
  readonly runs: number;
}

/** The round-trip loads; the XML floor measures the same envelopes in the same batches. */
export const ROUND_TRIP_LOADS: readonly Load[] = [
  { key: '10k', count: 10_000, runs: 5 },
  { key: '100k', count: 100_000, runs: 3 },
];

/** Messages in each warm-up run (JIT, libxml2 heap, compiled schemas), never measured. */
export const WARM_UP_COUNT = 10_000;

/**
 * The round trip (and its paired floor) warms up longer: its CPU per message keeps falling for
 * the first few tens of thousands of messages, which would otherwise land in the 10,000 runs.
 */
export const ROUND_TRIP_WARM_UP = 30_000;

/** Largest number of greeting envelopes any scenario takes from the shared set. */
export const GREETING_COUNT = 100_000;

/** `12345` → `12,345` */
export function formatCount(n: number): string {
  return n.toLocaleString('en');
}
