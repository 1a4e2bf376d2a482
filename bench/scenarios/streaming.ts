import { createOrganism } from '@organism/core';
import { closeWithin, withDeadline } from '../deadline.js';
import { streamRequestEnvelope } from '../envelopes.js';
import { collectGarbage } from '../gc.js';
import { sink, streamer } from '../listeners.js';
import { tallyOutcomes } from '../outcomeTally.js';
import { BenchFailure, type Scenario } from '../scenario.js';
import { spread } from '../stats.js';

const PAYLOADS = 20;
const PERIOD_MS = 10;
const RUNS = 5;

interface StreamingRun {
  /** From inject() of the request to the sink handler starting on payload 0. */
  readonly first: number;
  /** … on the last payload. */
  readonly last: number;
  /** Worst delay between a payload's closing tag leaving the handler and its dispatch to the sink. */
  readonly lag: number;
}

async function streamingRun(): Promise<StreamingRun> {
  const closedAt = new Float64Array(PAYLOADS).fill(Number.NaN);
  const dispatchedAt = new Float64Array(PAYLOADS).fill(Number.NaN);
  let endedAt = Number.NaN;
  const org = createOrganism({
    name: 'bench-streaming',
    listeners: [
      streamer((n) => (closedAt[n] = performance.now()), () => (endedAt = performance.now())),
      sink((n) => (dispatchedAt[n] = performance.now())),
    ],
  });
  try {
    const tally = tallyOutcomes(org, undefined);
    collectGarbage();
    const start = performance.now();
    await org.inject(streamRequestEnvelope(PAYLOADS, PERIOD_MS));
    await withDeadline(org.whenIdle(), 10_000, 'streaming');
    tally.check('streaming', { egressed: 0 });
    let lag = 0;
    for (let n = 0; n < PAYLOADS; n++) {
      if (Number.isNaN(dispatchedAt[n]!)) throw new BenchFailure(`streaming: payload ${n} of ${PAYLOADS} never reached the sink`);
      lag = Math.max(lag, dispatchedAt[n]! - closedAt[n]!);
    }
    if (!(dispatchedAt[0]! < endedAt)) {
      throw new BenchFailure('streaming: the first payload was dispatched only after the handler finished streaming');
    }
    return { first: dispatchedAt[0]! - start, last: dispatchedAt[PAYLOADS - 1]! - start, lag };
  } finally {
    await closeWithin(org, 'streaming');
  }
}

/**
 * Scenario 6: a handler streams 20 `<chunk>` payloads over 200 ms, each written in three pieces
 * and closed at 10 ms, 20 ms, … 200 ms; each goes to a `sink` listener as soon as it closes.
 * Ideal: first dispatch at 10 ms, last at 200 ms.
 */
export const streaming: Scenario = {
  name: 'streaming',
  title: 'streaming',
  async run(ctx) {
    await streamingRun();
    const runs: StreamingRun[] = [];
    for (let run = 1; run <= RUNS; run++) {
      runs.push(await streamingRun());
      ctx.progress(`streaming run ${run}/${RUNS}: first dispatch ${runs.at(-1)!.first.toFixed(2)} ms, last ${runs.at(-1)!.last.toFixed(2)} ms`);
    }
    return {
      config: { payloads: PAYLOADS, periodMs: PERIOD_MS, piecesPerPayload: 3, runs: RUNS, idealFirstMs: PERIOD_MS, idealLastMs: PAYLOADS * PERIOD_MS },
      figures: [
        { id: 'streaming.first', label: `inject → first dispatch (ideal ${PERIOD_MS} ms)`, unit: 'ms', value: spread(runs.map((r) => r.first)) },
        { id: 'streaming.last', label: `inject → last dispatch (ideal ${PAYLOADS * PERIOD_MS} ms)`, unit: 'ms', value: spread(runs.map((r) => r.last)) },
        { id: 'streaming.lag', label: 'closing tag → dispatch, worst', unit: 'ms', value: spread(runs.map((r) => r.lag)) },
      ],
    };
  },
};
