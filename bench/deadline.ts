import { BenchFailure } from './scenario.js';

/**
 * Resolves like `promise`, or fails with a BenchFailure naming `what` after `ms`: a pump that
 * never goes idle makes a FAILED row, not a hung bench.
 *
 * @example
 * await withDeadline(org.whenIdle(), 60_000, 'round trip: organism idle');
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BenchFailure(`${what}: not done after ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes an organism, failing the scenario instead of hanging when close() never settles. */
export function closeWithin(org: { close(): Promise<void> }, what: string, ms = 30_000): Promise<void> {
  return withDeadline(org.close(), ms, `${what}: close()`);
}
