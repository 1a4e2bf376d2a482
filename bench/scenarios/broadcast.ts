import { createOrganism } from '@organism/core';
import { closeWithin, withDeadline } from '../deadline';
import { noticeEnvelope } from '../envelopes';
import { collectGarbage } from '../gc';
import { observers } from '../listeners';
import { formatCount } from '../loads';
import { tallyOutcomes } from '../outcomeTally';
import { BenchFailure, type Scenario } from '../scenario';
import { spread } from '../stats';
import { cpuPerMessage, ratePerSecond, startStopwatch } from '../stopwatch';
import { settleXmlWorker } from '../xmlWorker';

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
