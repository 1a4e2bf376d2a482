import { createOrganism, type OrganismOptions } from '@organism/core';
import { closeWithin, withDeadline } from '../deadline';
import { collectGarbage } from '../gc';
import { greeter } from '../listeners';
import { ROUND_TRIP_LOADS, WARM_UP_COUNT, formatCount } from '../loads';
import { tallyOutcomes } from '../outcomeTally';
import type { BenchContext, Figure, Scenario } from '../scenario';
import { spread } from '../stats';
import { cpuPerMessage, ratePerSecond, startStopwatch, type Elapsed } from '../stopwatch';

/** The organism defaults, spelled out: the round trip measures what an embedder gets. */
export const ROUND_TRIP_OPTIONS = {
  maxConcurrentHandlers: 20,
  maxConcurrentPerAgent: 5,
  maxQueued: 10_000,
  whenFull: 'wait',
} as const satisfies Partial<OrganismOptions>;

/**
 * Injects the first `count` shared greeting envelopes, one `await inject()` at a time (so the
 * injector waits whenever admission is full), into a fresh organism, and stops the clock when
 * the organism is idle: every greeting handled and every response delivered on egress$.
 */
export async function roundTripRun(ctx: BenchContext, count: number): Promise<Elapsed> {
  const { envelopes } = ctx.greetings;
  const org = createOrganism({ name: 'bench-round-trip', listeners: [greeter()], ...ROUND_TRIP_OPTIONS });
  try {
    const tally = tallyOutcomes(org, { from: 'greeter', to: 'user', tag: 'greetingresponse' });
    collectGarbage();
    const watch = startStopwatch();
    for (let i = 0; i < count; i++) await org.inject(envelopes[i]!);
    await withDeadline(org.whenIdle(), 120_000, `round trip ${formatCount(count)}`);
    const elapsed = watch.stop();
    tally.check(`round trip ${formatCount(count)}`, { egressed: count });
    return elapsed;
  } finally {
    await closeWithin(org, 'round trip');
  }
}

/**
 * Scenario 2: greeting envelopes injected → full pipeline → greeter → typed response enveloped
 * → second pass → egress$. A round trip is two pipeline passes; the ratios compare with the XML
 * floor measured earlier in the same bench, on the same envelopes.
 */
export const roundTrip: Scenario = {
  name: 'roundTrip',
  title: 'round trip',
  async run(ctx) {
    await roundTripRun(ctx, WARM_UP_COUNT);
    const figures: Figure[] = [];
    for (const load of ROUND_TRIP_LOADS) {
      const rates: number[] = [];
      const cpu: number[] = [];
      for (let run = 1; run <= load.runs; run++) {
        const elapsed = await roundTripRun(ctx, load.count);
        rates.push(ratePerSecond(load.count, elapsed));
        cpu.push(cpuPerMessage(load.count, elapsed));
        ctx.progress(`round trip ${formatCount(load.count)} run ${run}/${load.runs}: ${formatCount(Math.round(rates.at(-1)!))} msg/s`);
      }
      figures.push({
        id: `roundTrip.${load.key}.rate`,
        label: `${formatCount(load.count)} messages`,
        unit: 'msg/s',
        value: spread(rates),
        cpuUsPerMessage: spread(cpu),
      });
      const floorFigure = ctx.figure(`xmlFloor.${load.key}.rate`);
      const floor = floorFigure?.value.median;
      const floorCpu = floorFigure?.cpuUsPerMessage?.median;
      if (floor !== undefined) {
        figures.push({
          id: `roundTrip.${load.key}.ofFloor`,
          label: `${formatCount(load.count)}: round trips ÷ XML floor`,
          unit: '%',
          value: spread(rates.map((rate) => (100 * rate) / floor)),
        });
        figures.push({
          id: `roundTrip.${load.key}.perPassOfFloor`,
          label: `${formatCount(load.count)}: passes (2 per trip) ÷ XML floor`,
          unit: '%',
          value: spread(rates.map((rate) => (100 * 2 * rate) / floor)),
        });
      }
      if (floorCpu !== undefined) {
        // The same ratio by CPU time, which other load on the machine skews far less than wall time.
        figures.push({
          id: `roundTrip.${load.key}.perPassOfFloorCpu`,
          label: `${formatCount(load.count)}: floor CPU ÷ CPU per pass`,
          unit: '%',
          value: spread(cpu.map((us) => (100 * floorCpu) / (us / 2))),
        });
      }
    }
    return { config: { ...ROUND_TRIP_OPTIONS, loads: ROUND_TRIP_LOADS, warmUp: WARM_UP_COUNT }, figures };
  },
};
