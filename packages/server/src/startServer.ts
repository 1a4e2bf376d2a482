import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import { DEFAULT_XML_LIMITS, OrganismError } from '@organism/xml';
import { SYSTEM_SENDER, type Organism } from '@organism/core';
import { bearerOf, createAuthenticator, tokenOf, type Authenticator } from './authenticate.js';
import { ClientConnection, type ConnectionHub } from './clientConnection.js';
import { CloseCodes } from './closeCodes.js';
import { resolveConnectionLimits, type ConnectionLimits } from './connectionLimits.js';
import { createOrganismMetrics, type OrganismMetrics } from './organismMetrics.js';
import { readClientFrame, type ClientFrame } from './readClientFrame.js';
import { createServerMetrics, type ServerMetrics } from './serverMetrics.js';
import { ThreadOwners } from './threadOwners.js';
import { ThreadTracker, type ThreadActivity } from './threadTracker.js';

/** Port of `organism.port` when none is configured: `ws://127.0.0.1:8765`. */
export const DEFAULT_PORT = 8765;
/** Loopback only, unless configured otherwise. */
export const DEFAULT_HOST = '127.0.0.1';

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one (read it from `server.address.port`). Default 8765. */
  readonly port?: number;
  /** Interface to bind. Default `127.0.0.1`: only this machine can connect. */
  readonly host?: string;
  /** Shared token; each connection that presents it gets its own identity `client-<n>`. */
  readonly token?: string;
  /** Tokens that map to a fixed identity, e.g. `{ [process.env.ALICE_TOKEN]: 'alice' }`; one connection per name at a time. */
  readonly clients?: Readonly<Record<string, string>>;
  readonly limits?: Partial<ConnectionLimits>;
  /** A pino logger (see `createLogger`). Default: silent. */
  readonly logger?: Logger;
  /** How long `close()` waits for accepted work before it closes the sockets anyway. Default 30 s. */
  readonly drainTimeoutMs?: number;
  /** Registry for `/metrics`. Default: a new one per server. */
  readonly registry?: Registry;
  /** Include the Node.js process metrics. Default true. */
  readonly processMetrics?: boolean;
  /**
   * When set, `GET /metrics` answers only requests with `Authorization: Bearer <metricsToken>`
   * (401 otherwise); Prometheus sends it with `authorization: { credentials: … }` in its scrape
   * config. Default: none, and `/metrics` is open to whoever reaches the port: fine on the
   * default loopback host, worth setting when `host` is reachable from elsewhere (the metrics
   * name every listener and count its traffic and errors). `/healthz` stays open.
   *
   * @example
   * await startServer(org, { host: '0.0.0.0', token: process.env.ORGANISM_TOKEN, metricsToken: process.env.ORGANISM_METRICS_TOKEN });
   */
  readonly metricsToken?: string;
  /**
   * Which threads have work left, for the `<idle>` frames. Default: this organism's own calls.
   * Distributed, pass the transport's (`natsTransport(…).threads`): calls run in other processes.
   */
  readonly threads?: ThreadActivity;
  /**
   * Serve `wss://` and `https://` instead of `ws://` and `http://`: the PEM private key and
   * certificate chain (text or bytes; read them from files yourself). TLS 1.2 or later. Default:
   * none, plain TCP, which is fine on loopback; anywhere else a token travels in clear text.
   *
   * @example
   * await startServer(org, { host: '0.0.0.0', token, tls: { key: readFileSync('key.pem'), cert: readFileSync('cert.pem') } });
   */
  readonly tls?: ServerTls;
}

/** The server's TLS identity, in PEM. */
export interface ServerTls {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

/** Where a server listens. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  /** The WebSocket endpoint, e.g. `ws://127.0.0.1:8765` (`wss://` with TLS). */
  readonly url: string;
  /** The HTTP base for `/healthz` and `/metrics`, e.g. `http://127.0.0.1:8765` (`https://` with TLS). */
  readonly http: string;
}

/**
 * A running server. It does not own the organism: close the server, then the organism.
 *
 * @example
 * await using server = await startServer(org, { port: 0, token: 'secret' });
 * console.log(server.address.url);
 */
export interface OrganismServer extends AsyncDisposable {
  readonly address: ServerAddress;
  /** The registry `GET /metrics` serves. */
  readonly registry: Registry;
  /** Authenticated connections open now. */
  readonly connections: number;
  /**
   * Stop accepting connections and frames, let every accepted message finish and its replies go
   * out, close every socket with 1001 and a reason, and stop listening. Safe to call twice.
   */
  close(): Promise<void>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const SOCKET_CLOSE_TIMEOUT_MS = 5_000;

class OrganismServerImpl implements OrganismServer, ConnectionHub {
  readonly limits: ConnectionLimits;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly registry: Registry;
  draining = false;
  address!: ServerAddress;

  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly auth: Authenticator;
  /** Set when `/metrics` needs a token. */
  private readonly metricsAuth: Authenticator | undefined;
  /** The TLS identity, when the port speaks TLS. */
  private readonly tls: ServerTls | undefined;
  private readonly named: Map<string, string>;
  private readonly byIdentity = new Map<string, ClientConnection>();
  private readonly owners: ThreadOwners;
  /** Frames on their way into the organism, per thread (their thread is not yet busy there). */
  private readonly entering = new Map<string, number>();
  private readonly sockets = new Set<WebSocket>();
  private readonly tracker: ThreadTracker;
  private readonly organismMetrics: OrganismMetrics;
  private readonly subscriptions: Subscription[] = [];
  private readonly drainTimeoutMs: number;
  private readonly frameLimits: { maxBytes: number };
  private clientSeq = 0;
  private submitting = 0;
  private submitWaiters: Array<() => void> = [];
  private closing?: Promise<void>;

  constructor(
    readonly org: Organism,
    options: ServerOptions,
  ) {
    // Checked first: nothing is subscribed to the organism yet when a bad key or certificate throws.
    this.tls = options.tls === undefined ? undefined : checkedTls(options.tls);
    this.limits = resolveConnectionLimits(options.limits);
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
    this.frameLimits = { maxBytes: Math.max(this.limits.maxFrameBytes, DEFAULT_XML_LIMITS.maxBytes) };
    this.auth = createAuthenticator(options.token, options.clients);
    if (options.metricsToken === '') {
      throw new OrganismError(
        'ORG_ERR_CONFIG',
        'the metrics token is empty: set a non-empty one (ORGANISM_METRICS_TOKEN or organism.metrics_token), or none to leave /metrics open',
      );
    }
    this.metricsAuth = options.metricsToken === undefined ? undefined : createAuthenticator(options.metricsToken);
    this.named = new Map();
    for (const name of Object.values(options.clients ?? {})) {
      if (!NAME.test(name) || this.isReserved(name)) {
        throw new OrganismError(
          'ORG_ERR_CONFIG',
          `client name "${name}" cannot be used: a client name is letters, digits, "_", "-", "." and names no listener and not "${SYSTEM_SENDER}"`,
        );
      }
      this.named.set(name.toLowerCase(), name);
    }
    this.registry = options.registry ?? new Registry();
    this.organismMetrics = createOrganismMetrics(org, { registry: this.registry, processMetrics: options.processMetrics ?? true });
    this.metrics = createServerMetrics(this.registry);
    this.owners = new ThreadOwners(this.limits.maxThreads);
    this.tracker = new ThreadTracker(org, (thread) => this.threadIdle(thread), options.threads);
    this.subscriptions.push(
      org.egress$.subscribe((message) => {
        const client = this.byIdentity.get(message.to.toLowerCase());
        // Clients address listeners only; an egress from one client to another is never delivered.
        if (client === undefined || this.byIdentity.has(message.from.toLowerCase())) {
          this.metrics.egressDropped.inc();
          this.logger.debug({ to: message.to, from: message.from, thread: message.thread }, 'egress dropped: no such client connected');
          return;
        }
        if (!client.send(message.envelope)) this.metrics.egressDropped.inc();
      }),
    );
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxFrameBytes });
    const serve = (request: IncomingMessage, response: ServerResponse) => void this.serveHttp(request, response);
    this.http = this.tls === undefined ? createServer(serve) : createTlsServer({ ...this.tls, minVersion: 'TLSv1.2' }, serve);
    // A client that fails the handshake (plain HTTP, an old TLS version) is dropped; say so at debug.
    this.http.on('tlsClientError', (error: Error) => this.logger.debug({ err: error }, 'TLS handshake failed'));
    this.http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
  }

  get connections(): number {
    return this.byIdentity.size;
  }

  // ---------------------------------------------------------------- listening

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        const why = error.code === 'EADDRINUSE' ? 'the port is in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
        reject(
          new OrganismError('ORG_ERR_SERVER_LISTEN', `cannot listen on ${host}:${port}: ${why}; stop the other process or choose another port (--port)`, {
            cause: error,
          }),
        );
      };
      this.http.once('error', onError);
      this.http.listen(port, host, () => {
        this.http.off('error', onError);
        resolve();
      });
    });
    const bound = this.http.address();
    const actualPort = typeof bound === 'object' && bound !== null ? bound.port : port;
    const shown = host.includes(':') ? `[${host}]` : host;
    const secure = this.tls === undefined ? '' : 's';
    this.address = Object.freeze({ host, port: actualPort, url: `ws${secure}://${shown}:${actualPort}`, http: `http${secure}://${shown}:${actualPort}` });
    this.http.on('error', (error) => this.logger.error({ err: error }, 'server error'));
  }

  // ---------------------------------------------------------------- HTTP

  private async serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed: use GET\n');
      return;
    }
    if (path === '/healthz') {
      const listeners = this.org.routing.listeners.size;
      const status = this.draining ? 'draining' : listeners > 0 ? 'ready' : 'not ready';
      response
        .writeHead(status === 'ready' ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
        .end(`${JSON.stringify({ status, organism: this.org.name, listeners, connections: this.connections })}\n`);
      return;
    }
    if (path === '/metrics') {
      if (this.metricsAuth !== undefined && this.metricsAuth.admit(bearerOf(request)) === undefined) {
        response
          .writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain; charset=utf-8' })
          .end('unauthorized: GET /metrics needs the header "Authorization: Bearer <metrics token>"\n');
        return;
      }
      try {
        // Plugins' lines (LLM tokens, …) follow the registry's: the server imports no plugin.
        const text = (await this.registry.metrics()) + this.org.extensions.map((e) => e.metrics?.() ?? '').join('');
        response.writeHead(200, { 'content-type': this.registry.contentType }).end(text);
      } catch (error) {
        this.logger.error({ err: error }, 'metrics failed');
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics failed\n');
      }
      return;
    }
    response
      .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      .end('not found: connect a WebSocket to /, or GET /healthz or /metrics\n');
  }

  // ---------------------------------------------------------------- WebSocket

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== '/' || this.draining) {
      const status = this.draining ? '503 Service Unavailable' : '404 Not Found';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request));
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    // ws reports protocol violations (oversized or invalid frames) here, then closes the socket itself.
    ws.on('error', (error) => this.logger.warn({ err: error.message }, 'client socket error'));
    const remote = request.socket.remoteAddress;
    const token = tokenOf(request);
    const admission = this.auth.admit(token);
    if (admission === undefined) {
      this.metrics.connectionsTotal.inc({ outcome: 'unauthorized' });
      this.logger.warn({ remote }, token === undefined ? 'connection refused: no token' : 'connection refused: wrong token');
      ws.close(
        CloseCodes.UNAUTHORIZED,
        token === undefined ? 'unauthorized: send "Authorization: Bearer <token>" or ?token=<token>' : 'unauthorized: wrong token',
      );
      return;
    }
    const identity = admission.name ?? this.nextIdentity();
    const key = identity.toLowerCase();
    if (this.byIdentity.has(key)) {
      this.metrics.connectionsTotal.inc({ outcome: 'identity_in_use' });
      this.logger.warn({ remote, client: identity }, 'connection refused: identity already connected');
      ws.close(CloseCodes.IDENTITY_IN_USE, `identity "${identity}" is already connected`);
      return;
    }
    const client = new ClientConnection(identity, ws, this);
    this.byIdentity.set(key, client);
    // While connected, listeners may address this client (not only on threads it started).
    const releaseExternal = this.org.addExternal(identity);
    this.metrics.connectionsTotal.inc({ outcome: 'accepted' });
    this.metrics.connections.set(this.byIdentity.size);
    this.logger.info({ remote, client: identity }, 'client connected');
    ws.on('message', (data, isBinary) => {
      client.receive(data, isBinary).catch((error: unknown) => this.logger.error({ err: error, client: identity }, 'frame handling failed'));
    });
    ws.on('close', (code, reason) => {
      releaseExternal();
      client.dispose();
      if (this.byIdentity.get(key) === client) this.byIdentity.delete(key);
      for (const thread of this.owners.threadsOf(key)) this.releaseIfOrphan(thread);
      this.metrics.connections.set(this.byIdentity.size);
      this.logger.info({ client: identity, code, reason: reason.toString() }, 'client disconnected');
    });
  }

  private isReserved(name: string): boolean {
    const key = name.toLowerCase();
    return key === SYSTEM_SENDER || this.org.routing.listeners.has(key);
  }

  private nextIdentity(): string {
    for (;;) {
      const name = `client-${++this.clientSeq}`;
      if (!this.isReserved(name) && !this.named.has(name)) return name;
    }
  }

  // ---------------------------------------------------------------- ConnectionHub

  readFrame(text: string): ClientFrame {
    return readClientFrame(text, { isListener: (name) => this.org.routing.listeners.has(name.toLowerCase()), limits: this.frameLimits });
  }

  isBusy(thread: string): boolean {
    return this.tracker.isBusy(thread);
  }

  ownerOf(thread: string): string | undefined {
    return this.owners.ownerOf(thread);
  }

  claim(thread: string, owner: ClientConnection): void {
    this.owners.claim(thread, owner.key, (old) => !owner.isInFlight(old) && !this.inUse(old));
  }

  frameStarted(thread: string): void {
    this.submitting++;
    this.entering.set(thread, (this.entering.get(thread) ?? 0) + 1);
  }

  frameSettled(thread: string): void {
    const entering = this.entering.get(thread)! - 1;
    if (entering > 0) this.entering.set(thread, entering);
    else this.entering.delete(thread);
    this.releaseIfOrphan(thread);
    this.submitting--;
    if (this.submitting === 0) for (const wake of this.submitWaiters.splice(0)) wake();
  }

  /** Work on the thread is queued or running, or a frame on it is on its way in. */
  private inUse(thread: string): boolean {
    return this.tracker.isBusy(thread) || this.entering.has(thread);
  }

  private threadIdle(thread: string): void {
    const owner = this.owners.ownerOf(thread);
    if (owner === undefined) return;
    this.byIdentity.get(owner)?.settle(thread);
    this.releaseIfOrphan(thread);
  }

  /**
   * A thread whose client is gone stays its own while work on it runs, so nobody else can slip a
   * message into that work; then it is free. A named client keeps its threads (up to maxThreads)
   * for when it reconnects.
   */
  private releaseIfOrphan(thread: string): void {
    const owner = this.owners.ownerOf(thread);
    if (owner === undefined || this.byIdentity.has(owner) || this.named.has(owner) || this.inUse(thread)) return;
    this.owners.release(thread);
  }

  // ---------------------------------------------------------------- shutdown

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Resolves when no frame is on its way in and the organism has nothing queued or running. */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.submitting > 0) {
        await new Promise<void>((resolve) => this.submitWaiters.push(resolve));
        continue;
      }
      await this.org.whenIdle();
      if (this.submitting === 0) return;
    }
  }

  private async shutdown(): Promise<void> {
    this.draining = true;
    this.logger.info({ connections: this.connections }, 'draining');
    const stopped = this.http.listening ? new Promise<void>((resolve) => this.http.close(() => resolve())) : Promise.resolve();
    if (!(await within(this.drain(), this.drainTimeoutMs))) {
      this.logger.warn({ timeoutMs: this.drainTimeoutMs }, 'drain timed out: closing with work still running');
    }
    const closed = [...this.sockets].map((ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve()))));
    for (const ws of this.sockets) {
      if (ws.readyState === WebSocket.OPEN) ws.close(CloseCodes.GOING_AWAY, 'server shutting down');
    }
    if (!(await within(Promise.all(closed), SOCKET_CLOSE_TIMEOUT_MS))) {
      for (const ws of this.sockets) ws.terminate();
    }
    this.http.closeAllConnections();
    await stopped;
    this.wss.close();
    this.dispose();
    this.logger.info('server closed');
  }

  /** Stop watching the organism. */
  dispose(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.tracker.dispose();
    this.organismMetrics.dispose();
  }
}

/** Resolve true if `promise` settles within `ms`, false otherwise. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Serve an organism over WebSocket, with `GET /healthz` and `GET /metrics` on the same port.
 * Clients authenticate with the token (`Authorization: Bearer <token>` or `?token=`); the server
 * gives each one its identity, sets it as `<from>` on everything it sends, and delivers to it
 * exactly the egress messages addressed to it. The protocol is in docs/server.md.
 *
 * @throws OrganismError ORG_ERR_CONFIG (no token, bad limits or client names) or
 *   ORG_ERR_SERVER_LISTEN (port in use).
 * @example
 * import { loadOrganism } from '@organism/core';
 * import { startServer, createLogger } from '@organism/server';
 *
 * const org = await loadOrganism('organism.yaml');
 * const server = await startServer(org, { port: 8765, token: process.env.ORGANISM_TOKEN, logger: createLogger() });
 * console.log(`listening on ${server.address.url}`);
 * process.once('SIGTERM', async () => {
 *   await server.close();
 *   await org.close();
 * });
 */
export async function startServer(org: Organism, options: ServerOptions = {}): Promise<OrganismServer> {
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new OrganismError('ORG_ERR_CONFIG', `server port must be an integer from 0 to 65535, got ${String(port)}`);
  }
  const server = new OrganismServerImpl(org, options);
  try {
    await server.listen(port, options.host ?? DEFAULT_HOST);
  } catch (error) {
    server.dispose();
    throw error;
  }
  server.logger.info({ url: server.address.url, organism: org.name }, 'listening');
  return server;
}

/** The key and certificate, once TLS accepted them together; ORG_ERR_CONFIG otherwise. */
function checkedTls(tls: ServerTls): ServerTls {
  const { key, cert } = tls;
  const usable = (value: unknown) => (typeof value === 'string' && value !== '') || (Buffer.isBuffer(value) && value.length > 0);
  if (!usable(key) || !usable(cert)) {
    throw new OrganismError('ORG_ERR_CONFIG', 'tls needs both "key" and "cert": the PEM text (or bytes) of the private key and of the certificate chain');
  }
  try {
    createSecureContext({ key, cert });
  } catch (error) {
    throw new OrganismError('ORG_ERR_CONFIG', `the TLS key and certificate cannot be used together: ${(error as Error).message}`, { cause: error });
  }
  return { key, cert };
}
