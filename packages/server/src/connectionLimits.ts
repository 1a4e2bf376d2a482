import { OrganismError } from '@organism/xml';

/**
 * Per-connection bounds. Every one says what happens to overflow: frames above the rate or the
 * in-flight bound are dropped with an error frame; repeated violations close the connection.
 *
 * @example
 * await startServer(org, { token, limits: { framesPerSecond: 10, maxInFlight: 4 } });
 */
export interface ConnectionLimits {
  /** Largest frame, in bytes; a larger one closes the connection with 1009. Default 1 MiB. */
  readonly maxFrameBytes: number;
  /** Sustained frames per second. Default 50. */
  readonly framesPerSecond: number;
  /** Frames sent at once above the rate before frames are dropped. Default 100. */
  readonly burst: number;
  /** Threads with unfinished work (no `<idle>` yet); a frame starting one more is dropped. Default 64. */
  readonly maxInFlight: number;
  /** Rejected frames tolerated within 10 s; one more closes the connection (4429 or 1008). Default 20. */
  readonly maxStrikes: number;
  /** Threads a connection owns at most; the oldest finished ones are forgotten. Default 10,000. */
  readonly maxThreads: number;
  /** Unsent bytes queued for a client that does not read; above it the client is closed with 1008. Default 16 MiB. */
  readonly maxBufferedBytes: number;
  /**
   * Frames of one connection the organism is admitting at once (waiting for room when it is full);
   * later ones wait their turn in order, and while as many wait the server stops reading the
   * socket. One client's flood therefore never queues more than this ahead of another's. Default 16.
   */
  readonly maxAdmitting: number;
}

/**
 * The defaults of {@link ConnectionLimits}.
 *
 * @example
 * const limits = { ...DEFAULT_CONNECTION_LIMITS, maxInFlight: DEFAULT_CONNECTION_LIMITS.maxInFlight * 2 };
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = Object.freeze({
  maxFrameBytes: 1024 * 1024,
  framesPerSecond: 50,
  burst: 100,
  maxInFlight: 64,
  maxStrikes: 20,
  maxThreads: 10_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxAdmitting: 16,
});

/** Fill in defaults; a limit that is not a positive number is ORG_ERR_CONFIG. */
export function resolveConnectionLimits(limits: Partial<ConnectionLimits> = {}): ConnectionLimits {
  const resolved = { ...DEFAULT_CONNECTION_LIMITS };
  for (const key of Object.keys(DEFAULT_CONNECTION_LIMITS) as (keyof ConnectionLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
      throw new OrganismError('ORG_ERR_CONFIG', `server limit ${key} must be a positive number, got ${String(value)}; omit it for the default (${DEFAULT_CONNECTION_LIMITS[key]})`);
    }
    (resolved as Record<string, number>)[key] = value;
  }
  return Object.freeze(resolved);
}
