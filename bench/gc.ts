/**
 * Runs a full garbage collection when node was started with `--expose-gc` (as `npm run bench`
 * does), so one run's garbage is not collected on the next run's clock. A no-op otherwise.
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
