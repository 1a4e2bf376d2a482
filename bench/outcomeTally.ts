import type { EgressMessage, Organism } from '@organism/core';
import { BenchFailure } from './scenario.js';

/** Counts of what left an organism during a run. */
export interface OutcomeTally {
  readonly egressed: number;
  readonly errors: number;
  /**
   * Throws a BenchFailure unless exactly `egressed` messages left, all of the expected shape,
   * and no error was reported.
   */
  check(what: string, expected: { egressed: number }): void;
}

/**
 * Subscribes to `egress$` and `errors$` (call it before the first inject: they are hot) and
 * counts. Egress messages that are not `expect` (a `<huh>`, a wrong sender) count as wrong.
 *
 * @example
 * const tally = tallyOutcomes(org, { from: 'greeter', to: 'user', tag: 'greetingresponse' });
 * for (const e of envelopes) await org.inject(e);
 * await org.whenIdle();
 * tally.check('round trip 10,000', { egressed: 10_000 });
 */
export function tallyOutcomes(
  org: Organism,
  expect: { from: string; to: string; tag: string } | undefined,
  onEgress?: (message: EgressMessage) => void,
): OutcomeTally {
  let egressed = 0;
  let wrong = 0;
  let firstWrong: string | undefined;
  const errorCodes = new Map<string, number>();
  let firstError: string | undefined;
  org.egress$.subscribe((message) => {
    egressed++;
    if (expect && (message.from !== expect.from || message.to !== expect.to || message.tag !== expect.tag)) {
      wrong++;
      firstWrong ??= `<${message.tag}> ${message.from} → ${message.to}: ${message.payload.slice(0, 200)}`;
    }
    onEgress?.(message);
  });
  org.errors$.subscribe((event) => {
    errorCodes.set(event.code, (errorCodes.get(event.code) ?? 0) + 1);
    firstError ??= `${event.code} at ${event.step}: ${event.message.slice(0, 200)}`;
  });
  return {
    get egressed() {
      return egressed;
    },
    get errors() {
      let total = 0;
      for (const n of errorCodes.values()) total += n;
      return total;
    },
    check(what, expected) {
      const problems: string[] = [];
      if (egressed !== expected.egressed) problems.push(`${egressed.toLocaleString('en')} of ${expected.egressed.toLocaleString('en')} expected egress messages`);
      if (wrong > 0) problems.push(`${wrong.toLocaleString('en')} unexpected egress (first: ${firstWrong})`);
      if (errorCodes.size > 0) {
        const codes = [...errorCodes].map(([code, n]) => `${code} ×${n}`).join(', ');
        problems.push(`errors ${codes} (first: ${firstError})`);
      }
      if (problems.length > 0) throw new BenchFailure(`${what}: ${problems.join('; ')}`);
    },
  };
}
