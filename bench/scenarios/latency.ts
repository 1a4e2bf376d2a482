import { setTimeout as sleep } from 'node:timers/promises';
import { createOrganism, type OrganismOptions } from '@organism/core';
import { closeWithin, withDeadline } from '../deadline.js';
import { collectGarbage } from '../gc.js';
import { greeter } from '../listeners.js';
import { WARM_UP_COUNT, formatCount } from '../loads.js';
import { tallyOutcomes } from '../outcomeTally.js';
import { BenchFailure, type BenchContext, type Figure, type Scenario } from '../scenario.js';
import { percentiles, spread, type Percentiles } from '../stats.js';
import { ROUND_TRIP_OPTIONS, roundTripRun } from './roundTrip.js';
import { ratePerSecond } from '../stopwatch.js';

const RUNS = 3;
const RUN_SECONDS = 2;
const WARM_UP_SECONDS = 0.5;

interface LatencyRun {
  readonly handler: Percentiles;
  readonly egress: Percentiles;
  /** Injections per second actually achieved by the pacer. */
  readonly offered: number;
}

/**
 * Offers `rate` messages/s for `seconds`: every ~1 ms timer tick injects the envelopes that are
 * due by then (one `await inject()` each), so the pump idles between ticks as a real service
 * does. Latency counts from the moment `inject()` is called for a message to the moment its
 * handler starts (the greeter's first statement) and to the moment its response is on egress$.
 */
async function latencyRun(
  ctx: BenchContext,
  index: ReadonlyMap<string, number>,
  rate: number,
  seconds: number,
  xmlWorker: OrganismOptions['xmlWorker'] = 'auto',
): Promise<LatencyRun> {
  const { envelopes } = ctx.greetings;
  const count = Math.min(envelopes.length, Math.round(rate * seconds));
  const injectAt = new Float64Array(count);
  const handlerAt = new Float64Array(count).fill(Number.NaN);
  const egressAt = new Float64Array(count).fill(Number.NaN);
  const stamp = (times: Float64Array, thread: string) => {
    const i = index.get(thread);
    if (i !== undefined && i < count) times[i] = performance.now();
  };
  const org = createOrganism({
    name: 'bench-latency',
    listeners: [greeter({ onCall: (thread) => stamp(handlerAt, thread) })],
    ...ROUND_TRIP_OPTIONS,
    xmlWorker,
  });
  try {
    const tally = tallyOutcomes(org, { from: 'greeter', to: 'user', tag: 'greetingresponse' }, (m) => stamp(egressAt, m.thread));
    collectGarbage();
    const start = performance.now();
    let sent = 0;
    while (sent < count) {
      const due = Math.min(count, Math.ceil(((performance.now() - start) * rate) / 1000));
      while (sent < due) {
        injectAt[sent] = performance.now();
        await org.inject(envelopes[sent]!);
        sent++;
      }
      if (sent < count) await sleep(1);
    }
    const offered = ratePerSecond(count, { wallMs: performance.now() - start, cpuUs: 0 });
    await withDeadline(org.whenIdle(), 60_000, 'latency run');
    tally.check(`latency at ${formatCount(Math.round(rate))} msg/s`, { egressed: count });
    const toHandler = new Float64Array(count);
    const toEgress = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      toHandler[i] = handlerAt[i]! - injectAt[i]!;
      toEgress[i] = egressAt[i]! - injectAt[i]!;
      if (Number.isNaN(toHandler[i]!) || Number.isNaN(toEgress[i]!)) {
        throw new BenchFailure(`latency: message ${i} has no handler or egress time (its thread was not kept)`);
      }
    }
    return { handler: percentiles(toHandler), egress: percentiles(toEgress), offered };
  } finally {
    await closeWithin(org, 'latency');
  }
}

/**
 * Scenario 3: inject→handler and inject→egress latency at about half the maximum round-trip rate
 * measured earlier in this bench (measured here first when the round trip did not run).
 */
export const latency: Scenario = {
  name: 'latency',
  title: 'latency',
  async run(ctx) {
    let maxRate = Math.max(
      ctx.figure('roundTrip.10k.rate')?.value.median ?? 0,
      ctx.figure('roundTrip.100k.rate')?.value.median ?? 0,
    );
    if (maxRate === 0) {
      await roundTripRun(ctx, WARM_UP_COUNT);
      const { elapsed } = await roundTripRun(ctx, WARM_UP_COUNT);
      maxRate = ratePerSecond(WARM_UP_COUNT, elapsed);
    }
    const rate = maxRate / 2;
    const index = new Map<string, number>();
    ctx.greetings.threads.forEach((thread, i) => index.set(thread, i));

    await latencyRun(ctx, index, rate, WARM_UP_SECONDS);
    const runs: LatencyRun[] = [];
    for (let run = 1; run <= RUNS; run++) {
      runs.push(await latencyRun(ctx, index, rate, RUN_SECONDS));
      const last = runs.at(-1)!;
      ctx.progress(
        `latency run ${run}/${RUNS} at ${formatCount(Math.round(last.offered))} msg/s: inject→handler p99 ${last.handler.p99.toFixed(3)} ms, ` +
          `inject→egress p99 ${last.egress.p99.toFixed(3)} ms`,
      );
    }
    // The same load with the XML worker off: every envelope handled inside inject() on the main thread.
    await latencyRun(ctx, index, rate, WARM_UP_SECONDS, 'off');
    const inline: LatencyRun[] = [];
    for (let run = 1; run <= RUNS; run++) {
      inline.push(await latencyRun(ctx, index, rate, RUN_SECONDS, 'off'));
      const last = inline.at(-1)!;
      ctx.progress(
        `latency run ${run}/${RUNS}, xml_worker off, at ${formatCount(Math.round(last.offered))} msg/s: inject→handler p99 ${last.handler.p99.toFixed(3)} ms`,
      );
    }
    const figure = (id: string, label: string, pick: (run: LatencyRun) => number, from = runs): Figure => ({
      id: `latency.${id}`,
      label,
      unit: 'ms',
      value: spread(from.map(pick)),
    });
    return {
      config: {
        ...ROUND_TRIP_OPTIONS,
        targetRate: Math.round(rate),
        halfOf: Math.round(maxRate),
        runs: RUNS,
        secondsPerRun: RUN_SECONDS,
        pacing: 'each ~1 ms timer tick injects the messages due by then',
        inlineComparison: 'the same target rate again with xmlWorker: off',
      },
      figures: [
        { id: 'latency.offered', label: 'offered load (half of max round trip)', unit: 'msg/s', value: spread(runs.map((r) => r.offered)) },
        figure('handler.p50', 'inject→handler p50', (r) => r.handler.p50),
        figure('handler.p99', 'inject→handler p99', (r) => r.handler.p99),
        figure('handler.max', 'inject→handler max', (r) => r.handler.max),
        figure('egress.p50', 'inject→egress p50', (r) => r.egress.p50),
        figure('egress.p99', 'inject→egress p99', (r) => r.egress.p99),
        figure('egress.max', 'inject→egress max', (r) => r.egress.max),
        {
          id: 'latency.inline.offered',
          label: 'xml_worker off: offered load (the same target rate)',
          unit: 'msg/s',
          value: spread(inline.map((r) => r.offered)),
        },
        figure('inline.handler.p50', 'xml_worker off: inject→handler p50', (r) => r.handler.p50, inline),
        figure('inline.handler.p99', 'xml_worker off: inject→handler p99', (r) => r.handler.p99, inline),
        figure('inline.handler.max', 'xml_worker off: inject→handler max', (r) => r.handler.max, inline),
      ],
    };
  },
};
