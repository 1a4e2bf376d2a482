import { randomUUID } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import type { Logger } from 'pino';
import { OrganismError, buildEnvelope } from '@organism/xml';
import type { Organism } from '@organism/core';
import { CloseCodes } from './closeCodes.js';
import type { ConnectionLimits } from './connectionLimits.js';
import { FrameQueue } from './frameQueue.js';
import type { ClientFrame } from './readClientFrame.js';
import { acceptedFrame, errorFrame, idleFrame, welcomeFrame } from './serverFrames.js';
import type { ServerMetrics } from './serverMetrics.js';
import { StrikeCounter } from './strikeCounter.js';
import { TokenBucket } from './tokenBucket.js';

const STRIKE_WINDOW_MS = 10_000;
/** How long a client the server closes has to complete the close handshake before its socket is destroyed. */
export const CLOSE_GRACE_MS = 2_000;

/** What a connection needs from its server. */
export interface ConnectionHub {
  readonly org: Organism;
  readonly limits: ConnectionLimits;
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  readonly draining: boolean;
  readFrame(text: string): ClientFrame;
  /** Whether the organism still has work queued or running on the thread. */
  isBusy(thread: string): boolean;
  /** The identity (lower-cased) that owns the thread, if any. */
  ownerOf(thread: string): string | undefined;
  /** The client uses the thread from now on; nobody else may. */
  claim(thread: string, owner: ClientConnection): void;
  /** Drain accounting: a frame on `thread` is on its way into the organism / got its answer. */
  frameStarted(thread: string): void;
  frameSettled(thread: string): void;
}

/** Why a rejection counts against the connection: too much, or unreadable. */
type Strike = 'flood' | 'bad' | undefined;

/** Threads of one client's frames, owed an `<idle>` once their work is done. */
interface InFlight {
  /** Frames on the thread not yet accepted or refused by the organism. */
  awaiting: number;
  /** At least one frame on the thread was accepted: the client is owed an `<idle>`. */
  accepted: boolean;
}

/** One authenticated WebSocket client: its identity, limits, threads and frames. */
export class ClientConnection {
  /** The identity lower-cased: how threads record their owner. */
  readonly key: string;
  private readonly bucket: TokenBucket;
  private readonly floods: StrikeCounter;
  private readonly bad: StrikeCounter;
  private readonly queue: FrameQueue;
  private readonly inFlight = new Map<string, InFlight>();
  private closed = false;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    /** The `<from>` the organism sees for every frame of this client. */
    readonly identity: string,
    private readonly ws: WebSocket,
    private readonly hub: ConnectionHub,
  ) {
    this.key = identity.toLowerCase();
    const { limits } = hub;
    this.bucket = new TokenBucket(limits.framesPerSecond, limits.burst);
    this.floods = new StrikeCounter(limits.maxStrikes, STRIKE_WINDOW_MS);
    this.bad = new StrikeCounter(limits.maxStrikes, STRIKE_WINDOW_MS);
    this.queue = new FrameQueue(limits.maxAdmitting, () => this.flowControl());
    this.send(welcomeFrame(identity, hub.org.name));
  }

  /**
   * Queue a frame for the client; a client that stops reading is closed, not buffered for without
   * bound. False when the frame was dropped because the connection is closing.
   */
  send(frame: string): boolean {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(frame);
    if (this.ws.bufferedAmount > this.hub.limits.maxBufferedBytes) {
      this.hub.logger.warn({ client: this.identity, buffered: this.ws.bufferedAmount }, 'closing a client that does not read');
      this.close(CloseCodes.POLICY_VIOLATION, `slow consumer: more than ${this.hub.limits.maxBufferedBytes} bytes unread`);
    }
    return true;
  }

  /**
   * Close a misbehaving client: no frame of it is read from now on. The close frame queues behind
   * whatever the client has not read yet, so a client that does not complete the close handshake
   * within {@link CLOSE_GRACE_MS} is cut off (it sees 1006); the ws library alone would wait 30 s,
   * holding the socket and its unsent bytes.
   */
  close(code: number, reason: string): void {
    this.closed = true;
    if (this.ws.readyState !== WebSocket.OPEN && this.ws.readyState !== WebSocket.CONNECTING) return;
    // Read again, so the client's answer to the close frame arrives; its frames are ignored now.
    if (this.ws.isPaused) this.ws.resume();
    this.ws.close(code, reason);
    this.closeTimer ??= setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
  }

  /** The socket closed. Frames still on their way finish without an answer; the server decides what becomes of the threads. */
  dispose(): void {
    this.closed = true;
    clearTimeout(this.closeTimer);
    this.inFlight.clear();
  }

  /** Whether the client waits for an `<idle>` on the thread (a frame on it is unanswered, or its work runs). */
  isInFlight(thread: string): boolean {
    return this.inFlight.has(thread);
  }

  /** Handle one frame from the client. Never throws: every problem becomes an error frame. */
  async receive(data: RawData, isBinary: boolean): Promise<void> {
    if (this.closed) return;
    const { limits } = this.hub;
    if (this.hub.draining) {
      return this.reject('ORG_ERR_CLOSED', 'the server is shutting down: no new messages are accepted; reconnect later', undefined, undefined);
    }
    if (!this.bucket.take()) {
      return this.reject('ORG_ERR_SERVER_RATE', `more than ${limits.framesPerSecond} frames/s (burst ${limits.burst}) on this connection: slow down`, undefined, 'flood');
    }
    if (isBinary) return this.reject('ORG_ERR_SERVER_FRAME', 'binary frames are not read: send XML as a text frame', undefined, 'bad');

    let frame: ClientFrame;
    try {
      frame = this.hub.readFrame(rawToString(data));
    } catch (error) {
      const e = asOrganismError(error);
      return this.reject(e.code, e.message, undefined, 'bad');
    }
    const thread = frame.kind === 'envelope' ? frame.thread : randomUUID();
    const owner = this.hub.ownerOf(thread);
    if (owner !== undefined && owner !== this.key) {
      return this.reject('ORG_ERR_SERVER_THREAD', `thread ${thread} belongs to another client: start a thread of your own`, thread, 'bad');
    }
    let entry = this.inFlight.get(thread);
    if (entry === undefined) {
      if (this.inFlight.size >= limits.maxInFlight) {
        return this.reject(
          'ORG_ERR_SERVER_IN_FLIGHT',
          `this connection has ${this.inFlight.size} threads in flight (maxInFlight ${limits.maxInFlight}): wait for <idle> frames before starting more`,
          thread,
          'flood',
        );
      }
      entry = { awaiting: 0, accepted: false };
      this.inFlight.set(thread, entry);
    }
    this.hub.claim(thread, this);
    entry.awaiting++;
    this.hub.frameStarted(thread);
    try {
      await this.queue.run(() => this.submit(frame, thread));
      entry.accepted = true;
      this.hub.metrics.framesTotal.inc({ outcome: 'accepted' });
      this.send(acceptedFrame(thread));
    } catch (error) {
      const e = asOrganismError(error);
      this.reject(e.code, e.message, thread, e.code === 'ORG_ERR_BUSY' ? 'flood' : e.code === 'ORG_ERR_CLOSED' ? undefined : 'bad');
    } finally {
      entry.awaiting--;
      this.settle(thread);
      this.hub.frameSettled(thread);
    }
  }

  /**
   * Per-connection fairness: while `maxAdmitting` frames of this client wait for the organism to
   * admit them and as many more wait behind those, stop reading its socket (TCP pushes back on the
   * client); read again once its turn comes. Every other connection keeps its own share.
   */
  private flowControl(): void {
    if (this.closed) return;
    const full = this.queue.waiting >= this.hub.limits.maxAdmitting;
    if (full && !this.ws.isPaused) {
      this.hub.metrics.readsPaused.inc();
      this.ws.pause();
    } else if (!full && this.ws.isPaused) {
      this.ws.resume();
    }
  }

  /** Send `<idle>` for a thread of this client once nothing is waiting, queued or running on it. */
  settle(thread: string): void {
    const entry = this.inFlight.get(thread);
    if (entry === undefined || entry.awaiting > 0 || this.hub.isBusy(thread)) return;
    this.inFlight.delete(thread);
    if (entry.accepted) this.send(idleFrame(thread));
  }

  /** The server, not the client, sets `<from>`: every frame goes in with this connection's identity. */
  private async submit(frame: ClientFrame, thread: string): Promise<void> {
    const { org } = this.hub;
    const from = this.identity;
    switch (frame.kind) {
      case 'envelope':
        return org.inject(frame.raw, { from });
      case 'addressed':
        await org.send(frame.to, frame.payload, { from, thread });
        return;
      case 'payload':
        return org.inject(buildEnvelope({ from, thread }, frame.raw), { from });
    }
  }

  private reject(code: string, message: string, thread: string | undefined, strike: Strike): void {
    const { metrics, logger, limits } = this.hub;
    metrics.framesTotal.inc({ outcome: 'rejected' });
    metrics.framesRejected.inc({ code });
    const level = strike === 'flood' ? 'debug' : 'warn';
    logger[level]({ client: this.identity, code, thread }, `frame rejected: ${message}`);
    this.send(errorFrame(code, message, thread));
    if (strike === 'flood' && this.floods.strike()) {
      logger.warn({ client: this.identity }, 'closing a flooding client');
      this.close(CloseCodes.TOO_MANY_FRAMES, `too many frames: more than ${limits.maxStrikes} rejected within 10 s`);
    } else if (strike === 'bad' && this.bad.strike()) {
      logger.warn({ client: this.identity }, 'closing a client that keeps sending bad frames');
      this.close(CloseCodes.POLICY_VIOLATION, `too many bad frames: more than ${limits.maxStrikes} rejected within 10 s`);
    }
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8');
}

function asOrganismError(error: unknown): OrganismError {
  if (error instanceof OrganismError) return error;
  return new OrganismError('ORG_ERR_INTERNAL', error instanceof Error ? error.message : String(error), { cause: error });
}
