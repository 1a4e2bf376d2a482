import { WebSocket } from 'ws';
import { parseServerFrame, type ServerFrame } from '../../src/index.js';

/** A real `ws` client that records every frame the server sends, for assertions. */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  readonly raw: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? `[binary ${String(data)}]` : data.toString();
      this.raw.push(text);
      this.frames.push(parseServerFrame(text));
      this.wake();
    });
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      this.wake();
    }));
  }

  /** Open a connection; `token` goes in the Authorization header unless `query` says otherwise. */
  static open(url: string, options: { token?: string; query?: boolean } = {}): Promise<TestClient> {
    const target = options.token !== undefined && options.query ? `${url}/?token=${encodeURIComponent(options.token)}` : url;
    const headers = options.token !== undefined && !options.query ? { authorization: `Bearer ${options.token}` } : undefined;
    const ws = new WebSocket(target, headers ? { headers } : {});
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  /** Open and wait for the welcome; resolves with the identity the server gave. */
  static async welcomed(url: string, token: string): Promise<TestClient & { identity: string }> {
    const client = await TestClient.open(url, { token });
    const welcome = await client.next((f) => f.kind === 'welcome');
    return Object.assign(client, { identity: (welcome as { identity: string }).identity });
  }

  send(text: string | Buffer, binary = false): void {
    this.ws.send(text, { binary });
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** The first recorded frame matching `match`, waiting up to `timeoutMs` for it. */
  next<T extends ServerFrame>(match: (frame: ServerFrame) => frame is T, timeoutMs?: number): Promise<T>;
  next<T extends ServerFrame = ServerFrame>(match: (frame: ServerFrame) => boolean, timeoutMs?: number): Promise<T>;
  async next<T extends ServerFrame = ServerFrame>(match: (frame: ServerFrame) => boolean, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found as T;
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.raw)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Wait up to `timeoutMs` until `done()` holds; it is checked once per frame that arrives, not once per recorded frame. */
  async until(done: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`not done within ${timeoutMs} ms; got ${this.raw.length} frames, the last: ${JSON.stringify(this.raw.slice(-3))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Every recorded frame of one kind. */
  all<K extends ServerFrame['kind']>(kind: K): Extract<ServerFrame, { kind: K }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { kind: K }> => f.kind === kind);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    if (this.ws.readyState !== WebSocket.CLOSED) {
      const timer = setTimeout(() => this.ws.terminate(), 2_000);
      await this.closed;
      clearTimeout(timer);
    }
  }
}
