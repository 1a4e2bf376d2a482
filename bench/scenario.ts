import type { Spread } from './stats.js';
import type { GreetingEnvelopes } from './envelopes.js';

export type Unit = 'msg/s' | 'calls/s' | 'ms' | 'MB' | '%' | 'count';

/** One measured figure: the spread of its value over the measured runs. */
export interface Figure {
  /** Stable key, used by targets and in results.json (`roundTrip.100k.rate`). */
  readonly id: string;
  /** The table heading of its row, when not the scenario's own title. */
  readonly group?: string;
  readonly label: string;
  readonly unit: Unit;
  readonly value: Spread;
  /** Process CPU time (every thread) per message, beside a wall-clock rate. */
  readonly cpuUsPerMessage?: Spread;
}

/** What a scenario returns when every check passed. */
export interface ScenarioOutcome {
  /** The organism options and load that produced the figures. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly figures: readonly Figure[];
}

/** What the bench needs from a scenario: a name for the table and a run that measures. */
export interface Scenario {
  /** Key for `--only` and results.json (`roundTrip`). */
  readonly name: string;
  /** Heading in the table (`round trip`). */
  readonly title: string;
  /** Measures; throws {@link BenchFailure} (or anything) when a check fails, which makes a FAILED row. */
  run(ctx: BenchContext): Promise<ScenarioOutcome>;
}

export interface BenchContext {
  /** The greeting envelopes shared by the XML floor, the round trip and the latency scenario. */
  readonly greetings: GreetingEnvelopes;
  /** Other greeting envelopes (threads of their own) that runs re-warm with (`rewarm.ts`), never timed. */
  readonly rewarmEnvelopes: readonly string[];
  /** False with `--no-floor` (profiling the pump alone): the round trip skips its paired XML floor. */
  readonly withFloor: boolean;
  /** A figure measured earlier in this bench. */
  figure(id: string): Figure | undefined;
  /** One progress line on stderr (the table goes to stdout). */
  progress(line: string): void;
}

/** A check that failed: the scenario's figures are not to be trusted. */
export class BenchFailure extends Error {
  override readonly name = 'BenchFailure';
}
