import { Subject, type Observable } from 'rxjs';
import { WebSocket } from 'ws';
import { OrganismError } from '@organism/xml';
import { CloseCodes } from './closeCodes.js';
import { parseServerFrame, type ServerFrame } from './parseServerFrame.js';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Give up if the server has not welcomed the client by then. Default 10 s. */
  readonly timeoutMs?: number;
  /**
   * For `wss://`: the PEM certificate(s) to trust for this connection, e.g. a self-signed
   * server's own certificate. Default: Node's trusted CAs (plus `NODE_EXTRA_CA_CERTS`).
   */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
}

/** A connected, authenticated client. */
export interface OrganismClient extends AsyncDisposable {
  /** The identity the server gave this connection (the `<from>` of everything it sends). */
  readonly identity: string;
  /** The organism's name. */
  readonly organism: string;
  /** Send one frame: an envelope, `@<listener> <payload>`, or a bare payload. */
  send(frame: string): void;
  /** Every frame after the welcome, in order. Hot: subscribe before sending. */
  readonly frames$: Observable<ServerFrame>;
  /** Resolves when the connection is closed, with the close code and reason. */
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  /** Close the connection (1000) and wait for it to end. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Connect to an organism server and wait for its welcome.
 *
 * @throws OrganismError ORG_ERR_SERVER_AUTH when the token is refused, ORG_ERR_CLIENT_CONNECT when
 *   the server cannot be reached, ORG_ERR_CLIENT_TIMEOUT when it does not answer in time.
 * @example
 * const client = await connect('ws://127.0.0.1:8765', { token: process.env.ORGANISM_TOKEN });
 * client.frames$.subscribe((frame) => console.log(frame));
 * client.send('@greeter <greeting><name>World</name></greeting>');
 */
export function connect(url: string, options: ConnectOptions = {}): Promise<OrganismClient> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        handshakeTimeout: timeoutMs,
        ...(options.ca !== undefined ? { ca: options.ca as string | Buffer | Array<string | Buffer> } : {}),
        ...(options.token !== undefined ? { headers: { authorization: `Bearer ${options.token}` } } : {}),
      });
    } catch (error) {
      reject(new OrganismError('ORG_ERR_CLIENT_CONNECT', `cannot connect to ${url}: ${(error as Error).message}`, { cause: error }));
      return;
    }
    const frames = new Subject<ServerFrame>();
    let welcomed: OrganismClient | undefined;
    const timer = setTimeout(() => {
      reject(new OrganismError('ORG_ERR_CLIENT_TIMEOUT', `${url} did not welcome the client within ${timeoutMs} ms`));
      ws.terminate();
    }, timeoutMs);
    const closed = new Promise<{ code: number; reason: string }>((resolveClosed) => {
      ws.on('close', (code, reason) => {
        clearTimeout(timer);
        const text = reason.toString();
        if (welcomed === undefined) {
          reject(
            code === CloseCodes.UNAUTHORIZED
              ? new OrganismError('ORG_ERR_SERVER_AUTH', `${url} refused the connection (${code}): ${text}`)
              : new OrganismError('ORG_ERR_CLIENT_CONNECT', `${url} closed the connection (${code})${text ? `: ${text}` : ''}`),
          );
        }
        frames.complete();
        resolveClosed({ code, reason: text });
      });
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      if (welcomed === undefined) {
        reject(new OrganismError('ORG_ERR_CLIENT_CONNECT', `cannot connect to ${url}: ${error.message}`, { cause: error }));
      }
    });
    ws.on('message', (data) => {
      let frame: ServerFrame;
      try {
        frame = parseServerFrame(data.toString());
      } catch (error) {
        frames.error(error);
        ws.close();
        return;
      }
      if (welcomed !== undefined) {
        frames.next(frame);
        return;
      }
      if (frame.kind !== 'welcome') return;
      clearTimeout(timer);
      let closing: Promise<void> | undefined;
      welcomed = {
        identity: frame.identity,
        organism: frame.organism,
        frames$: frames.asObservable(),
        closed,
        send: (text) => ws.send(text),
        close() {
          closing ??= (async () => {
            if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
            await closed;
          })();
          return closing;
        },
        [Symbol.asyncDispose]() {
          return this.close();
        },
      };
      resolve(welcomed);
    });
  });
}
