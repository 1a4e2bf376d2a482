import { setTimeout as sleep } from 'node:timers/promises';
import type { Organism } from '@organism/core';
import { withDeadline } from './deadline.js';
import { collectGarbageAndSettle } from './gc.js';
import { startStopwatch, type Elapsed } from './stopwatch.js';
import { settleXmlWorker } from './xmlWorker.js';

/** Envelopes each timed run offers its fresh organism after the collection, before its clock. */
export const REWARM_COUNT = 4_000;

/**
 * A quiet spell after the re-warm, longer than the 250 ms after which `xml_worker: auto` no longer
 * treats a burst as the catch-up of recent traffic (docs/pipeline.md, The XML worker).
 */
const QUIET_MS = 300;

/**
 * Readies a fresh organism for a timed run: lets its XML worker start, collects garbage (so the
 * last run's garbage is not on this run's clock), offers it `envelopes` (one `await inject()`
 * each), waits until it is idle, then stays quiet for QUIET_MS. Returns the re-warm's elapsed
 * time; its messages are not part of the run.
 *
 * Why the quiet: the timed run is a burst into a quiet organism, the case every run measured
 * before the re-warm existed. A loop of `await inject()` that starts within 250 ms of earlier
 * traffic is handled inline as a catch-up, on the main thread alone (100k: 18,900–24,000
 * round trips/s measured, against 31,000–41,000 on both cores).
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
  const elapsed = watch.stop();
  await sleep(QUIET_MS);
  return elapsed;
}
