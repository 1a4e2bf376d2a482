/**
 * Runs a full garbage collection when node was started with `--expose-gc` (as `npm run bench`
 * does), so one run's garbage is not collected on the next run's clock. A no-op otherwise.
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * {@link collectGarbage}, then a few turns of the event loop, so FinalizationRegistry callbacks
 * queued by that collection (libxml2-wasm frees its wrappers through them) run now, not on the
 * next run's clock.
 */
export async function collectGarbageAndSettle(): Promise<void> {
  collectGarbage();
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}
