import type { Logger } from 'pino';
import type { Subscription } from 'rxjs';
import type { Organism } from '@organism/core';

/**
 * Log what an organism does: one line per routed message and per egress message at debug level,
 * one per error at warn. Returns the subscription; unsubscribe to stop.
 *
 * @example
 * const logging = logOrganism(org, createLogger({ level: 'debug' }));
 * // ...
 * logging.unsubscribe();
 */
export function logOrganism(org: Organism, logger: Logger): Subscription {
  const subscription = org.messages$.subscribe((m) => {
    if (logger.isLevelEnabled('debug')) logger.debug({ listener: m.listener, from: m.from, to: m.to, thread: m.thread, tag: m.tag }, 'routed');
  });
  subscription.add(
    org.egress$.subscribe((m) => {
      if (logger.isLevelEnabled('debug')) logger.debug({ from: m.from, to: m.to, thread: m.thread, tag: m.tag }, 'egress');
    }),
  );
  subscription.add(
    org.errors$.subscribe((e) =>
      logger.warn({ code: e.code, step: e.step, from: e.from, to: e.to, thread: e.thread, listener: e.listener }, e.message),
    ),
  );
  return subscription;
}
