import type { Organism } from '@organism/core';

/**
 * Lets the organism's XML worker finish starting before a clock starts. The worker boots on
 * event-loop turns (its code is bundled, then the thread loads it), and an injector whose every
 * `await inject()` resolves at once never yields one: without this pause a run that starts right
 * after the worker was triggered would measure the main-thread fallback instead of the steady
 * state a server reaches within a second. Returns the worker's state.
 */
export async function settleXmlWorker(org: Organism, timeoutMs = 10_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  while (org.stats().xmlWorker === 'starting' && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return org.stats().xmlWorker;
}
