import { createOrganism, type OrganismOptions } from '@organism/core';
import { closeWithin, withDeadline } from '../deadline.js';
import { greeter } from '../listeners.js';
import { formatCount } from '../loads.js';
import { tallyOutcomes } from '../outcomeTally.js';
import { samplePeaks } from '../peakSampler.js';
import type { BenchContext, Scenario } from '../scenario.js';
import { spread } from '../stats.js';
import { cpuPerMessage, ratePerSecond, startStopwatch } from '../stopwatch.js';
import { rewarmAfterCollection } from '../rewarm.js';

const HANDLER_MS = 50;
const CONCURRENCY = 1_000;
/** 1,000 handlers in flight, 50 ms each. */
const IDEAL_RATE = (CONCURRENCY * 1000) / HANDLER_MS;
/** One second of ideal work: the first 50 ms, before any handler can finish, cost at most 4.8 % of it. */
const COUNT = 20_000;
const RUNS = 3;
const WARM_UP = 2_000;

const OPTIONS = {
  // One listener: the per-agent bound must allow the global one.
  maxConcurrentHandlers: CONCURRENCY,
  maxConcurrentPerAgent: CONCURRENCY,
  maxQueued: 10_000,
  whenFull: 'wait',
} as const satisfies Partial<OrganismOptions>;

async function slowRun(ctx: BenchContext, count: number) {
  const { envelopes } = ctx.greetings;
  const org = createOrganism({ name: 'bench-slow', listeners: [greeter({ delayMs: HANDLER_MS })], ...OPTIONS });
  try {
    const tally = tallyOutcomes(org, { from: 'greeter', to: 'user', tag: 'greetingresponse' });
    await rewarmAfterCollection(org, ctx.rewarmEnvelopes);
    tally.check('slow handlers re-warm', { egressed: ctx.rewarmEnvelopes.length });
    const peaks = samplePeaks({ inFlight: () => org.stats().inFlight });
    const watch = startStopwatch();
    for (let i = 0; i < count; i++) await org.inject(envelopes[i]!);
    await withDeadline(org.whenIdle(), 120_000, `slow handlers ${formatCount(count)}`);
    const elapsed = watch.stop();
    const { inFlight } = peaks.stop();
    tally.check(`slow handlers ${formatCount(count)}`, { egressed: ctx.rewarmEnvelopes.length + count });
    return { rate: ratePerSecond(count, elapsed), cpu: cpuPerMessage(count, elapsed), inFlight };
  } finally {
    await closeWithin(org, 'slow handlers');
  }
}

/**
 * Scenario 4: a greeter that takes 50 ms, `max_concurrent_handlers` 1,000: the pump should keep
 * 1,000 calls in flight and approach 20,000 round trips/s.
 */
export const slowHandlers: Scenario = {
  name: 'slowHandlers',
  title: 'slow handlers',
  async run(ctx) {
    await slowRun(ctx, WARM_UP);
    const runs = [];
    for (let run = 1; run <= RUNS; run++) {
      runs.push(await slowRun(ctx, COUNT));
      ctx.progress(`slow handlers run ${run}/${RUNS}: ${formatCount(Math.round(runs.at(-1)!.rate))} msg/s, peak in flight ${runs.at(-1)!.inFlight}`);
    }
    return {
      config: { ...OPTIONS, handlerMs: HANDLER_MS, messages: COUNT, runs: RUNS, idealRate: IDEAL_RATE },
      figures: [
        {
          id: 'slowHandlers.rate',
          label: `${formatCount(COUNT)} messages, 50 ms handler`,
          unit: 'msg/s',
          value: spread(runs.map((r) => r.rate)),
          cpuUsPerMessage: spread(runs.map((r) => r.cpu)),
        },
        {
          id: 'slowHandlers.ofIdeal',
          label: `achieved ÷ ideal ${formatCount(IDEAL_RATE)}/s`,
          unit: '%',
          value: spread(runs.map((r) => (100 * r.rate) / IDEAL_RATE)),
        },
        { id: 'slowHandlers.peakInFlight', label: 'peak handlers in flight', unit: 'count', value: spread(runs.map((r) => r.inFlight)) },
      ],
    };
  },
};
