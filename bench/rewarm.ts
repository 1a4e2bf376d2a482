import type { Organism } from '@organism/core';
import { withDeadline } from './deadline';
import { collectGarbageAndSettle } from './gc';
import { startStopwatch, type Elapsed } from './stopwatch';
import { settleXmlWorker } from './xmlWorker';

/** Envelopes each timed run offers its fresh organism after the collection, before its clock. */
export const REWARM_COUNT = 4_000;

/**
 * Readies a fresh organism for a timed run: lets its XML worker start, collects garbage (so the
 * last run's garbage is not on this run's clock), then offers it `envelopes` (one `await inject()`
 * each) and waits until it is idle. Returns that re-warm's elapsed time; its messages are not
 * part of the run.
 *
 * Why the re-warm: the forced collection behind `gc()` does not retain the maps V8's optimized
 * code depends on, as the collections a busy process runs do (`--retain-maps-for-n-gc`). Between
 * runs no message object is alive, so their maps die, and every function compiled against them
 * is deoptimized: ~45 functions here (the pump's, libxml2-wasm's, Node's timers). Without the
 * re-warm the first ~2,000 messages of each run paid 90–190 µs each instead of 35–45 for
 * re-optimizing, which measures the collection, not the pump.
 *
 * @example
 * const rewarm = await rewarmAfterCollection(org, ctx.rewarmEnvelopes);
 * const watch = startStopwatch();
 */
export async function rewarmAfterCollection(org: Organism, envelopes: readonly string[]): Promise<Elapsed> {
  await settleXmlWorker(org);
  await collectGarbageAndSettle();
  const watch = startStopwatch();
  for (const envelope of envelopes) await org.inject(envelope);
  await withDeadline(org.whenIdle(), 120_000, 're-warm');
  return watch.stop();
}
