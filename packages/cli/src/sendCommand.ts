import type { Subscription } from 'rxjs';
import { OrganismError } from '@organism/core';
import { connect, DEFAULT_HOST, DEFAULT_PORT, type ServerFrame } from '@organism/server';
import { describeError, readNeededFile, type CliIO } from './cliIO.js';
import { formatEgress } from './console.js';

/** Options of `organism send`. */
export interface SendOptions {
  readonly url?: string;
  readonly token?: string;
  readonly to?: string;
  /** Give up when the thread is not idle by then. */
  readonly timeout: number;
  /** A PEM file of certificates to trust for `wss://` (default `ORGANISM_CA`). */
  readonly ca?: string;
}

export const DEFAULT_URL = `ws://${DEFAULT_HOST}:${DEFAULT_PORT}`;

/**
 * `organism send`: connect, send one frame, print every message the server sends back until the
 * frame's thread is idle. Exit code 1 on a `<huh>`, an error frame, a refused connection or a
 * timeout.
 */
export async function sendCommand(payload: string, options: SendOptions, io: CliIO): Promise<void> {
  const url = options.url ?? io.env.ORGANISM_URL ?? DEFAULT_URL;
  const token = options.token ?? io.env.ORGANISM_TOKEN;
  if (token === undefined || token === '') {
    io.stderr.write('ORG_ERR_CLI_USAGE: no token: pass --token or set ORGANISM_TOKEN (the token `organism run` uses)\n');
    io.setExitCode(1);
    return;
  }
  const frame = options.to === undefined ? payload : `@${options.to} ${payload}`;
  const caFile = options.ca ?? (io.env.ORGANISM_CA || undefined);
  let client;
  try {
    const ca = caFile === undefined ? undefined : readNeededFile(caFile, 'CA file', 'ORG_ERR_CLI_USAGE');
    client = await connect(url, { token, timeoutMs: options.timeout, ...(ca === undefined ? {} : { ca }) });
  } catch (error) {
    io.stderr.write(`${describeError(error)}\n`);
    io.setExitCode(1);
    return;
  }
  let failed = false;
  const accepted = new Set<string>();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new OrganismError('ORG_ERR_CLIENT_TIMEOUT', `the thread was not idle within ${options.timeout} ms; raise --timeout`)),
        options.timeout,
      );
      let subscription: Subscription | undefined;
      let done = false;
      const finish = (error?: OrganismError) => {
        done = true;
        clearTimeout(timer);
        subscription?.unsubscribe();
        if (error) reject(error);
        else resolve();
      };
      subscription = client.frames$.subscribe({
        next: (received: ServerFrame) => {
          switch (received.kind) {
            case 'message':
              io.stdout.write(`${formatEgress(received)}\n`);
              if (received.huh) failed = true;
              return;
            case 'accepted':
              accepted.add(received.thread);
              return;
            case 'idle':
              if (accepted.has(received.thread)) finish();
              return;
            case 'error':
              io.stderr.write(`error ${received.code}: ${received.message}\n`);
              failed = true;
              finish();
              return;
            case 'welcome':
              return;
          }
        },
        complete: () => finish(new OrganismError('ORG_ERR_CLIENT_CLOSED', 'the server closed the connection before the thread was idle')),
        error: (error: unknown) => finish(error instanceof OrganismError ? error : new OrganismError('ORG_ERR_CLIENT_CONNECT', String(error))),
      });
      if (done) subscription.unsubscribe();
      else client.send(frame);
    });
  } catch (error) {
    io.stderr.write(`${describeError(error)}\n`);
    failed = true;
  } finally {
    await client.close();
  }
  if (failed) io.setExitCode(1);
}
