import { Counter, Gauge, type Registry } from 'prom-client';

/** The server's own counters, registered next to the organism's. */
export interface ServerMetrics {
  readonly connections: Gauge;
  readonly connectionsTotal: Counter<'outcome'>;
  readonly framesTotal: Counter<'outcome'>;
  readonly framesRejected: Counter<'code'>;
  readonly egressDropped: Counter;
  readonly readsPaused: Counter;
}

export function createServerMetrics(registry: Registry): ServerMetrics {
  const registers = [registry];
  const metrics: ServerMetrics = {
    connections: new Gauge({ name: 'organism_server_connections', help: 'Open authenticated WebSocket connections.', registers }),
    connectionsTotal: new Counter({
      name: 'organism_server_connections_total',
      help: 'WebSocket connection attempts, by outcome: accepted, unauthorized, identity_in_use.',
      labelNames: ['outcome'],
      registers,
    }),
    framesTotal: new Counter({
      name: 'organism_server_frames_total',
      help: 'Client frames, by outcome: accepted (the organism took it) or rejected (an error frame answered it).',
      labelNames: ['outcome'],
      registers,
    }),
    framesRejected: new Counter({
      name: 'organism_server_frames_rejected_total',
      help: 'Client frames answered with an error frame, by code.',
      labelNames: ['code'],
      registers,
    }),
    egressDropped: new Counter({
      name: 'organism_server_egress_dropped_total',
      help: 'Egress messages for a client that is not connected or is being closed (or from a client to another), dropped.',
      registers,
    }),
    readsPaused: new Counter({
      name: 'organism_server_reads_paused_total',
      help: 'Times the server stopped reading a connection whose frames wait for the organism (maxAdmitting).',
      registers,
    }),
  };
  for (const outcome of ['accepted', 'unauthorized', 'identity_in_use']) metrics.connectionsTotal.inc({ outcome }, 0);
  for (const outcome of ['accepted', 'rejected']) metrics.framesTotal.inc({ outcome }, 0);
  return metrics;
}
