import pino, { type DestinationStream, type Logger } from 'pino';
import { humanLogStream } from './humanLogStream.js';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** `trace`, `debug`, `info` (default), `warn`, `error`, `fatal` or `silent`. */
  readonly level?: string;
  /** Human-readable lines instead of JSON. Default: whether the destination is a terminal. */
  readonly pretty?: boolean;
  /** Where lines go. Default: standard error, written synchronously so no line is lost on exit. */
  readonly destination?: DestinationStream;
}

const LEVEL_NAMES = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * A pino logger: human-readable on a terminal, JSON lines otherwise.
 *
 * @example
 * const logger = createLogger({ level: 'debug' });
 * logger.info({ url: 'ws://127.0.0.1:8765' }, 'listening');
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!LEVEL_NAMES.includes(level)) {
    throw new Error(`unknown log level "${level}": use one of ${LEVEL_NAMES.join(', ')}`);
  }
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  const pretty = options.pretty ?? (options.destination === undefined && Boolean(process.stderr.isTTY));
  return pino({ level }, pretty ? humanLogStream(destination) : destination);
}
