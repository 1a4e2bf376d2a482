import { createOrganism, type OrganismOptions } from '@organism/core';
import { closeWithin, withDeadline } from '../deadline.js';
import { greeter } from '../listeners.js';
import { ROUND_TRIP_LOADS, ROUND_TRIP_WARM_UP, formatCount } from '../loads.js';
import { tallyOutcomes } from '../outcomeTally.js';
import type { BenchContext, Figure, Scenario } from '../scenario.js';
import { spread } from '../stats.js';
import { cpuPerMessage, ratePerSecond, startStopwatch, type Elapsed } from '../stopwatch.js';
import { XML_FLOOR_WORK, createXmlFloor, xmlFloorFigure } from './xmlFloor.js';
import { REWARM_COUNT, rewarmAfterCollection } from '../rewarm.js';

/** The organism defaults, spelled out: the round trip measures what an embedder gets. */
export const ROUND_TRIP_OPTIONS = {
  maxConcurrentHandlers: 20,
  maxConcurrentPerAgent: 5,
  maxQueued: 10_000,
  whenFull: 'wait',
} as const satisfies Partial<OrganismOptions>;

/** One timed round-trip run and the re-warm before it. */
export interface RoundTripRun {
  readonly elapsed: Elapsed;
  /** The {@link REWARM_COUNT} messages the fresh organism handled right after the collection. */
  readonly rewarm: Elapsed;
}

/**
 * Injects the first `count` shared greeting envelopes, one `await inject()` at a time (so the
 * injector waits whenever admission is full), into a fresh organism re-warmed after a full
 * collection, and stops the clock when the organism is idle: every greeting handled and every
 * response delivered on egress$.
 */
export async function roundTripRun(ctx: BenchContext, count: number): Promise<RoundTripRun> {
  const { envelopes } = ctx.greetings;
  const org = createOrganism({ name: 'bench-round-trip', listeners: [greeter()], ...ROUND_TRIP_OPTIONS });
  try {
    const tally = tallyOutcomes(org, { from: 'greeter', to: 'user', tag: 'greetingresponse' });
    const rewarm = await rewarmAfterCollection(org, ctx.rewarmEnvelopes);
    tally.check('round trip re-warm', { egressed: ctx.rewarmEnvelopes.length });
    const watch = startStopwatch();
    for (let i = 0; i < count; i++) await org.inject(envelopes[i]!);
    await withDeadline(org.whenIdle(), 120_000, `round trip ${formatCount(count)}`);
    const elapsed = watch.stop();
    tally.check(`round trip ${formatCount(count)}`, { egressed: ctx.rewarmEnvelopes.length + count });
    return { elapsed, rewarm };
  } finally {
    await closeWithin(org, 'round trip');
  }
}

/**
 * Scenarios 1 and 2: the XML floor and the round trip, measured in pairs. Each round-trip run
 * (greeting injected → full pipeline → greeter → typed response enveloped → egress$) follows a
 * floor run over the same envelopes, so the two see the same machine and each ratio compares a
 * pair; other load on the machine moves both.
 */
export const roundTrip: Scenario = {
  name: 'roundTrip',
  title: 'round trip',
  async run(ctx) {
    const floor = ctx.withFloor ? createXmlFloor(ctx.greetings.envelopes, ctx.rewarmEnvelopes) : undefined;
    try {
      floor?.measure(ROUND_TRIP_WARM_UP);
      await roundTripRun(ctx, ROUND_TRIP_WARM_UP);
      const figures: Figure[] = [];
      const rewarms: Elapsed[] = [];
      for (const load of ROUND_TRIP_LOADS) {
        const floors: Elapsed[] = [];
        const trips: Elapsed[] = [];
        for (let run = 1; run <= load.runs; run++) {
          if (floor) floors.push(floor.measure(load.count));
          const trip = await roundTripRun(ctx, load.count);
          trips.push(trip.elapsed);
          rewarms.push(trip.rewarm);
          const floorRate = floor ? `XML floor ${formatCount(Math.round(ratePerSecond(load.count, floors.at(-1)!)))} msg/s, ` : '';
          const rate = ratePerSecond(load.count, trips.at(-1)!);
          ctx.progress(`${formatCount(load.count)} run ${run}/${load.runs}: ${floorRate}round trip ${formatCount(Math.round(rate))} msg/s`);
        }
        const rates = trips.map((e) => ratePerSecond(load.count, e));
        const roundTripFigure: Figure = {
          id: `roundTrip.${load.key}.rate`,
          label: `${formatCount(load.count)} messages`,
          unit: 'msg/s',
          value: spread(rates),
          cpuUsPerMessage: spread(trips.map((e) => cpuPerMessage(load.count, e))),
        };
        if (!floor) {
          figures.push(roundTripFigure);
          continue;
        }
        const floorRates = floors.map((e) => ratePerSecond(load.count, e));
        figures.push(
          xmlFloorFigure(load.key, load.count, floors),
          roundTripFigure,
          {
            id: `roundTrip.${load.key}.ofFloor`,
            label: `${formatCount(load.count)}: round trips ÷ XML floor`,
            unit: '%',
            value: spread(rates.map((rate, i) => (100 * rate) / floorRates[i]!)),
          },
          {
            id: `roundTrip.${load.key}.perPassOfFloor`,
            label: `${formatCount(load.count)}: passes (2 per trip) ÷ XML floor`,
            unit: '%',
            value: spread(rates.map((rate, i) => (100 * 2 * rate) / floorRates[i]!)),
          },
          {
            // The same per-pass ratio by CPU time, which other load on the machine skews less.
            id: `roundTrip.${load.key}.perPassOfFloorCpu`,
            label: `${formatCount(load.count)}: floor CPU ÷ CPU per pass`,
            unit: '%',
            value: spread(trips.map((trip, i) => (100 * floors[i]!.cpuUs) / (trip.cpuUs / 2))),
          },
        );
      }
      figures.push({
        // Not a target: what the first messages after a forced full collection cost (see rewarm.ts).
        id: 'roundTrip.rewarm.rate',
        label: `each run's re-warm: first ${formatCount(REWARM_COUNT)} after a full GC`,
        unit: 'msg/s',
        value: spread(rewarms.map((e) => ratePerSecond(REWARM_COUNT, e))),
        cpuUsPerMessage: spread(rewarms.map((e) => cpuPerMessage(REWARM_COUNT, e))),
      });
      return {
        config: { ...ROUND_TRIP_OPTIONS, loads: ROUND_TRIP_LOADS, warmUp: ROUND_TRIP_WARM_UP, rewarm: REWARM_COUNT, xmlFloor: XML_FLOOR_WORK, pairing: 'each round-trip run follows a floor run of the same size; both re-warm after their full GC' },
        figures,
      };
    } finally {
      floor?.[Symbol.dispose]();
    }
  },
};
