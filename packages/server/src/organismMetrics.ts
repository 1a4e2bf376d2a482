import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Subscription } from 'rxjs';
import { ErrorCodes } from '@organism/xml';
import type { Organism } from '@organism/core';

/** Prometheus metrics of one organism, in their own registry. */
export interface OrganismMetrics {
  readonly registry: Registry;
  /** Stop counting (unsubscribes from the organism); the registry keeps its last values. */
  dispose(): void;
}

/** Handler latency buckets, in seconds: tools answer in milliseconds, LLM agents in tens of seconds. */
const HANDLER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Count what an organism does, for `GET /metrics`. The names are listed in docs/metrics.md:
 * `organism_messages_routed_total{listener}`, `organism_messages_egressed_total{kind}`,
 * `organism_errors_total{code}`, `organism_handler_duration_seconds{listener,outcome}`,
 * `organism_queued`, `organism_in_flight`, `organism_pending`, `organism_listeners`, plus the
 * Node.js process metrics unless `processMetrics: false`.
 *
 * @example
 * const metrics = createOrganismMetrics(org);
 * console.log(await metrics.registry.metrics());
 * metrics.dispose();
 */
export function createOrganismMetrics(org: Organism, options: { registry?: Registry; processMetrics?: boolean } = {}): OrganismMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const routed = new Counter({
    name: 'organism_messages_routed_total',
    help: 'Messages routed to a listener (one per recipient).',
    labelNames: ['listener'],
    registers,
  });
  const egressed = new Counter({
    name: 'organism_messages_egressed_total',
    help: 'Messages that left the organism, by kind: reply or huh.',
    labelNames: ['kind'],
    registers,
  });
  const errors = new Counter({
    name: 'organism_errors_total',
    help: 'Errors on the organism error stream, by stable code (docs/errors.md).',
    labelNames: ['code'],
    registers,
  });
  const latency = new Histogram({
    name: 'organism_handler_duration_seconds',
    help: 'Handler call duration, from its start to the end of its output, by listener and outcome.',
    labelNames: ['listener', 'outcome'],
    buckets: HANDLER_BUCKETS,
    registers,
  });
  new Gauge({
    name: 'organism_queued',
    help: 'Messages and handler calls accepted and not yet started.',
    registers,
    collect() {
      this.set(org.stats().queued);
    },
  });
  new Gauge({
    name: 'organism_in_flight',
    help: 'Handler calls running now.',
    registers,
    collect() {
      this.set(org.stats().inFlight);
    },
  });
  new Gauge({
    name: 'organism_pending',
    help: 'Work accepted and not finished (passes, queued and running calls).',
    registers,
    collect() {
      this.set(org.stats().pending);
    },
  });
  new Gauge({
    name: 'organism_listeners',
    help: 'Registered listeners.',
    registers,
    collect() {
      this.set(org.routing.listeners.size);
    },
  });

  // Known label values start at zero so dashboards and rate() see them before the first event.
  for (const code of Object.keys(ErrorCodes)) errors.inc({ code }, 0);
  for (const kind of ['reply', 'huh']) egressed.inc({ kind }, 0);
  for (const listener of org.routing.listeners.values()) routed.inc({ listener: listener.name }, 0);

  const subscriptions: Subscription[] = [
    org.messages$.subscribe((m) => routed.inc({ listener: m.listener })),
    org.egress$.subscribe((m) => egressed.inc({ kind: m.tag === 'huh' ? 'huh' : 'reply' })),
    org.errors$.subscribe((e) => errors.inc({ code: e.code })),
    org.calls$.subscribe((c) => latency.observe({ listener: c.listener, outcome: c.outcome }, c.durationMs / 1000)),
  ];
  return {
    registry,
    dispose() {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}
