import type { Figure } from './scenario.js';

/** A goal from the benchmark issue, judged on one figure's median. */
export interface Target {
  readonly figure: string;
  readonly op: '>=' | '<=';
  readonly threshold: number;
  readonly text: string;
}

export type Verdict = 'met' | 'missed' | 'not measured';

/** The targets for the 2-core machine class the project is measured on. */
export const TARGETS: readonly Target[] = [
  { figure: 'roundTrip.10k.rate', op: '>=', threshold: 25_000, text: 'round trip ≥ 25,000 msg/s (10,000 messages)' },
  { figure: 'roundTrip.100k.rate', op: '>=', threshold: 25_000, text: 'round trip ≥ 25,000 msg/s (100,000 messages)' },
  { figure: 'roundTrip.10k.perPassOfFloor', op: '>=', threshold: 60, text: 'per-pass rate ≥ 60 % of the XML floor (10,000)' },
  { figure: 'roundTrip.100k.perPassOfFloor', op: '>=', threshold: 60, text: 'per-pass rate ≥ 60 % of the XML floor (100,000)' },
  { figure: 'latency.handler.p99', op: '<=', threshold: 2, text: 'inject→handler p99 ≤ 2 ms at half load' },
  { figure: 'slowHandlers.ofIdeal', op: '>=', threshold: 90, text: 'slow handlers ≥ 90 % of the ideal 20,000/s' },
  { figure: 'flood.peakRss', op: '<=', threshold: 300, text: 'flood peak RSS ≤ 300 MB' },
  { figure: 'memory.idleRss', op: '<=', threshold: 100, text: 'idle organism RSS ≤ 100 MB (plain node, built packages)' },
  { figure: 'memory.floodPeakRss', op: '<=', threshold: 300, text: 'flood peak RSS ≤ 300 MB, 5,000 in flight (plain node, built packages)' },
  { figure: 'streaming.first', op: '<=', threshold: 15, text: 'first streamed dispatch ≤ 15 ms' },
];

/** Whether the figure's median meets the target. */
export function judge(target: Target, figure: Figure | undefined): Verdict {
  if (!figure) return 'not measured';
  const value = figure.value.median;
  return (target.op === '>=' ? value >= target.threshold : value <= target.threshold) ? 'met' : 'missed';
}

/** The target judged on a figure, if any. */
export function targetFor(figureId: string): Target | undefined {
  return TARGETS.find((t) => t.figure === figureId);
}
