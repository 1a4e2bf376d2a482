import { createOrganism } from '@organism/core';
import { closeWithin, withDeadline } from '../deadline.js';
import { noticeEnvelope } from '../envelopes.js';
import { collectGarbage } from '../gc.js';
import { observers } from '../listeners.js';
import { formatCount } from '../loads.js';
import { tallyOutcomes } from '../outcomeTally.js';
import { BenchFailure, type Scenario } from '../scenario.js';
import { spread } from '../stats.js';
import { cpuPerMessage, ratePerSecond, startStopwatch } from '../stopwatch.js';
import { settleXmlWorker } from '../xmlWorker.js';

const LISTENERS = 10;
const COUNT = 3_000;
const RUNS = 5;
const WARM_UP = 1_000;

async function broadcastRun(envelopes: readonly string[], count: number) {
  let calls = 0;
  // Organism defaults: 20 handlers at once, 5 per listener.
  const org = createOrganism({ name: 'bench-broadcast', listeners: observers(LISTENERS, () => calls++) });
  try {
    const tally = tallyOutcomes(org, undefined);
    collectGarbage();
    await settleXmlWorker(org);
    const watch = startStopwatch();
    for (let i = 0; i < count; i++) await org.inject(envelopes[i]!);
    await withDeadline(org.whenIdle(), 120_000, `broadcast ${formatCount(count)}`);
    const elapsed = watch.stop();
    tally.check(`broadcast ${formatCount(count)}`, { egressed: 0 });
    if (calls !== count * LISTENERS) {
      throw new BenchFailure(`broadcast: ${formatCount(calls)} handler calls, expected ${formatCount(count * LISTENERS)}`);
    }
    return { rate: ratePerSecond(count, elapsed), cpu: cpuPerMessage(count, elapsed) };
  } finally {
    await closeWithin(org, 'broadcast');
  }
}

/** Scenario 7: one bare `<notice>` without `<to>` reaches 10 broadcast listeners. */
export const broadcast: Scenario = {
  name: 'broadcast',
  title: 'broadcast',
  async run(ctx) {
    const envelopes = Array.from({ length: COUNT }, (_, i) => noticeEnvelope(i));
    await broadcastRun(envelopes, WARM_UP);
    const runs = [];
    for (let run = 1; run <= RUNS; run++) {
      runs.push(await broadcastRun(envelopes, COUNT));
      ctx.progress(`broadcast run ${run}/${RUNS}: ${formatCount(Math.round(runs.at(-1)!.rate))} msg/s`);
    }
    return {
      config: { listeners: LISTENERS, messages: COUNT, runs: RUNS, maxConcurrentHandlers: 20, maxConcurrentPerAgent: 5, handler: 'returns nothing' },
      figures: [
        {
          id: 'broadcast.rate',
          label: `${formatCount(COUNT)} notices × ${LISTENERS} listeners`,
          unit: 'msg/s',
          value: spread(runs.map((r) => r.rate)),
          cpuUsPerMessage: spread(runs.map((r) => r.cpu)),
        },
        {
          id: 'broadcast.calls',
          label: 'handler calls',
          unit: 'calls/s',
          value: spread(runs.map((r) => r.rate * LISTENERS)),
        },
      ],
    };
  },
};
