import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { EgressMessage, Organism, OrganismErrorEvent } from '@organism/core';

/** Options of {@link runConsole}. */
export interface ConsoleOptions {
  readonly input: Readable;
  readonly output: Writable;
  /** Interactive: prompt and keep reading. Default: whether `input` is a TTY. */
  readonly interactive?: boolean;
  /** Identity the console sends as. Default `user`. */
  readonly from?: string;
  /**
   * Print only messages addressed to this console, and no errors: for when a server shares the
   * organism and its logger reports the rest. Default false (print every egress and error).
   */
  readonly onlyOwn?: boolean;
}

const USAGE = 'type "@<listener> <payload xml>", a full <message> envelope, or "help"';

function shortThread(thread: string): string {
  return thread.slice(0, 8);
}

/** One line per egress message: `greeter → user [3f1c2a4b] <greetingresponse>…`. */
export function formatEgress(message: EgressMessage): string {
  const label = message.tag === 'huh' ? 'huh' : message.from;
  return `${label} → ${message.to} [${shortThread(message.thread)}] ${message.payload}`;
}

export function formatError(event: OrganismErrorEvent): string {
  const where = event.listener ? ` (${event.listener})` : '';
  return `error ${event.code}${where}: ${event.message}`;
}

/**
 * Read lines and send them into the organism; print every message that leaves it and every
 * error. Interactive on a terminal; otherwise it reads to end of input, waits until the organism
 * is idle, and resolves (replies printed). A bad line prints a coded error and the console goes on.
 *
 * @example
 * await runConsole(org, { input: process.stdin, output: process.stdout });
 */
export async function runConsole(org: Organism, options: ConsoleOptions): Promise<void> {
  const { input, output } = options;
  const from = options.from ?? 'user';
  const interactive = options.interactive ?? Boolean((input as { isTTY?: boolean }).isTTY);
  const write = (line: string) => output.write(`${line}\n`);
  const own = options.onlyOwn === true;
  const egress = org.egress$.subscribe((m) => {
    if (!own || m.to === from) write(formatEgress(m));
  });
  const errors = org.errors$.subscribe((e) => {
    if (!own) write(formatError(e));
  });
  const lines = createInterface({ input, ...(interactive ? { output, prompt: '> ' } : {}), terminal: interactive });
  // A terminal in raw mode turns Ctrl-C into a readline event: make it the signal it means.
  if (interactive) lines.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
  try {
    if (interactive) lines.prompt();
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) {
        if (interactive) lines.prompt();
        continue;
      }
      try {
        if (line === 'help') {
          write(USAGE);
        } else if (line === 'exit' || line === 'quit') {
          break;
        } else if (line.startsWith('<')) {
          await org.inject(line, { from });
        } else {
          const match = /^@(\S+)\s+([\s\S]+)$/.exec(line);
          if (!match) {
            write(`error ORG_ERR_CONSOLE_INPUT: cannot read "${line.slice(0, 60)}": ${USAGE}`);
          } else {
            const thread = await org.send(match[1]!, match[2]!, { from });
            if (interactive) write(`sent to ${match[1]} [${shortThread(thread)}]`);
          }
        }
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'ORG_ERR_INTERNAL';
        write(`error ${code}: ${(error as Error).message}`);
      }
      if (interactive) lines.prompt();
    }
    await org.whenIdle();
  } finally {
    lines.close();
    egress.unsubscribe();
    errors.unsubscribe();
  }
}
