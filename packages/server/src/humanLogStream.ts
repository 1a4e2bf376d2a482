import type { DestinationStream } from 'pino';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

function clock(time: unknown): string {
  const date = new Date(typeof time === 'number' ? time : Date.now());
  return date.toTimeString().slice(0, 8) + '.' + String(date.getMilliseconds()).padStart(3, '0');
}

function value(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/**
 * One pino JSON line as a line for people. A line that is not JSON is passed through.
 *
 * @example
 * formatLogLine('{"level":30,"time":0,"msg":"listening","url":"ws://127.0.0.1:8765"}');
 * // '00:00:00.000 INFO  listening url=ws://127.0.0.1:8765\n' (in the local time zone)
 */
export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const fields = Object.entries(record)
    .filter(([key]) => !OMIT.has(key))
    .map(([key, v]) => `${key}=${value(v)}`);
  const level = LEVELS[record.level as number] ?? String(record.level);
  return `${clock(record.time)} ${level} ${String(record.msg ?? '')}${fields.length ? ' ' + fields.join(' ') : ''}\n`;
}

/** A pino destination that writes {@link formatLogLine} output to `destination`. */
export function humanLogStream(destination: DestinationStream): DestinationStream {
  return { write: (line: string) => destination.write(formatLogLine(line)) };
}
