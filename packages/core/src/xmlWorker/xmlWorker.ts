import { Worker } from 'node:worker_threads';
import { OrganismError, type XmlLimits } from '@organism/xml';
import type { PreparedEnvelope } from '../steps/prepared.js';
import type { PrepareRequest } from './prepareEnvelope.js';
import type { AttachMessage, FromWorker, ToWorker } from './protocol.js';

/** `auto`: start the worker once traffic is sustained; `on`: start it right away; `off`: never. */
export type XmlWorkerMode = 'auto' | 'on' | 'off';

/** Where the shared XML worker is: not started, starting, taking work, or given up on. */
export type XmlWorkerState = 'idle' | 'starting' | 'ready' | 'disabled';

/** An organism's handle on the shared XML worker. */
export interface XmlWorkerClient {
  /**
   * Hand one external envelope to the worker. False when it cannot take it now (not started yet,
   * or given up on): the pass then does the work itself. Otherwise `done` is called exactly once,
   * later, with the prepared record, or with `undefined` if the worker failed (do the work then).
   * `backlog` is the work the organism has waiting (queued messages and calls, not calls
   * running): in `auto` mode an envelope is handled inline only while it is small.
   */
  offer(request: PrepareRequest, done: (prepared: PreparedEnvelope | undefined) => void, backlog?: number): boolean;
  /** The worker's state, for stats. */
  readonly state: XmlWorkerState;
  /** Envelopes this client had prepared by the worker. */
  readonly prepared: number;
  /** Release this organism's part of the worker (its schemas); the worker stops when no organism uses it. */
  detach(): void;
}

export interface XmlWorkerOptions {
  readonly mode: XmlWorkerMode;
  readonly limits: XmlLimits;
  /** Lower-case payload tag → `[schema id, XSD]` pairs; empty when the backend is not libxml2. */
  readonly tags: AttachMessage['tags'];
  /** The worker failed (crashed, could not start, could not prepare a batch): its envelopes are prepared by the pass instead. */
  onError(error: OrganismError): void;
}

/** Envelopes per message to the worker: large enough to amortize the hop, small enough to pipeline. */
const BATCH = 64;
/**
 * `auto`: how many external envelopes an event-loop turn handles inline before the worker takes
 * the rest of it. A count, not a time. When the main thread stalls (a garbage collection, a
 * machine busy elsewhere), what arrived meanwhile is caught up on in one long turn, long because
 * of the stall and not because the load is high, and those envelopes are still cheapest inline:
 * a time budget sent them to the worker, and every later one followed them there (the order is
 * kept) while it held any. So a turn that follows recent traffic (a turn with external envelopes
 * ended less than TRAFFIC_GAP_MS before it began) may catch up on CATCH_UP_PER_TURN: a stall of
 * 200 ms at 20,000 messages/s (stalls of 160–180 ms were seen on the 2-core reference machine).
 * A burst after quiet (a loop of `inject()` into a fresh organism) gets BURST_PER_TURN and runs
 * on both cores, and so does sustained load (INLINE_BACKLOG).
 */
const CATCH_UP_PER_TURN = 4096;
const BURST_PER_TURN = 64;
const TRAFFIC_GAP_MS = 250;
/** `auto`: work the organism has waiting (queued messages and calls) from which envelopes go to the worker. */
const INLINE_BACKLOG = 64;
/** Envelopes offered before `auto` starts the worker: short bursts stay on the main thread. */
const AUTO_START_AFTER = 512;
/** Crashes after which the worker is not started again in this process. */
const MAX_CRASHES = 3;
/** A worker no organism uses is kept this long, so organisms created one after another share it. */
const LINGER_MS = 10_000;

/** Batches at the worker at once: enough to keep it busy, few enough to keep memory flat. */
const MAX_IN_FLIGHT = 4;

/**
 * The worker's code: the compiled `workerMain.js` beside this module, plain JavaScript that Node
 * loads with no TypeScript loader. When this module itself runs from its TypeScript source (the
 * project's tests), the package's build output, which `npm install` and `npm test` build.
 */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? '../../dist/xmlWorker/workerMain.js' : './workerMain.js', import.meta.url);

/**
 * `ORGANISM_XML_WORKER_FLAGS`: Node flags for the worker thread, for debugging (`--cpu-prof
 * --cpu-prof-dir=DIR`).
 */
const DEBUG_FLAGS = (process.env.ORGANISM_XML_WORKER_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '');

interface Batch {
  readonly client: Client;
  readonly requests: PrepareRequest[];
  readonly dones: Array<(prepared: PreparedEnvelope | undefined) => void>;
}

/** The one worker of this process, shared by its organisms. */
class SharedWorker {
  worker: Worker | undefined;
  state: XmlWorkerState = 'idle';
  private crashes = 0;
  private nextOrg = 0;
  private nextBatch = 0;
  private readonly clients = new Set<Client>();
  private readonly inFlight = new Map<number, Batch>();
  /** Batches waiting for one in flight to return. */
  private waiting: Batch[] = [];
  private lingering: NodeJS.Timeout | undefined;

  attach(options: XmlWorkerOptions): Client {
    const client = new Client(this, ++this.nextOrg, options);
    this.clients.add(client);
    if (this.lingering) {
      clearTimeout(this.lingering);
      this.lingering = undefined;
    }
    if (this.worker) this.post({ type: 'attach', org: client.org, limits: options.limits, tags: options.tags });
    if (options.mode === 'on') this.start();
    return client;
  }

  detach(client: Client): void {
    if (!this.clients.delete(client)) return;
    if (this.worker) this.post({ type: 'detach', org: client.org });
    if (this.clients.size === 0 && this.worker && !this.lingering) {
      this.lingering = setTimeout(() => {
        this.lingering = undefined;
        if (this.clients.size === 0) this.stop();
      }, LINGER_MS);
      this.lingering.unref();
    }
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'starting';
    this.spawn();
  }

  private spawn(): void {
    let worker: Worker;
    try {
      // No inherited flags: the entry loads what the worker needs itself. Its garbage is small and
      // short-lived: a small young generation keeps its memory flat.
      worker = new Worker(WORKER_ENTRY, { execArgv: DEBUG_FLAGS, stdout: false, stderr: false, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    } catch (error) {
      this.crashed(error);
      return;
    }
    this.worker = worker;
    for (const client of this.clients) this.post({ type: 'attach', org: client.org, limits: client.options.limits, tags: client.options.tags });
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.crashed(error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.crashed(new Error(`the XML worker exited with code ${code}`));
    });
    // After the listeners: adding a 'message' listener refs the worker's port again, and an idle
    // worker must not keep the process alive (a batch in flight refs it; see sendWaiting).
    worker.unref();
  }

  private stop(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (this.state !== 'disabled') this.state = 'idle';
    void worker?.terminate();
  }

  /** Nothing at the worker and nothing waiting for it. */
  get idle(): boolean {
    return this.inFlight.size === 0 && this.waiting.length === 0;
  }

  send(client: Client, requests: PrepareRequest[], dones: Batch['dones']): void {
    this.waiting.push({ client, requests, dones });
    this.sendWaiting();
  }

  private sendWaiting(): void {
    while (this.inFlight.size < MAX_IN_FLIGHT && this.waiting.length > 0 && this.worker) {
      const next = this.waiting.shift()!;
      const batch = ++this.nextBatch;
      this.inFlight.set(batch, next);
      if (this.inFlight.size === 1) this.worker.ref(); // replies are awaited: keep the process alive
      this.post({ type: 'prepare', batch, org: next.client.org, requests: next.requests });
    }
  }

  private post(message: ToWorker): void {
    try {
      this.worker!.postMessage(message);
    } catch (error) {
      this.crashed(error);
    }
  }

  private receive(message: FromWorker): void {
    if (message.type === 'ready') {
      if (this.state === 'starting') this.state = 'ready';
      return;
    }
    const batch = this.inFlight.get(message.batch);
    if (!batch) return;
    this.settle(message.batch);
    batch.client.outstanding -= batch.dones.length;
    this.sendWaiting();
    if (message.type === 'prepared') {
      batch.client.preparedCount += message.results.length;
      for (let i = 0; i < batch.dones.length; i++) batch.dones[i]!(message.results[i]);
    } else {
      // The worker is alive but this batch failed (a bug): redo it here, and say why.
      batch.client.options.onError(
        new OrganismError('ORG_ERR_XML_WORKER', `the XML worker could not prepare a batch (${message.message}); its envelopes are prepared on the main thread`),
      );
      for (const done of batch.dones) done(undefined);
    }
  }

  private settle(batch: number): void {
    this.inFlight.delete(batch);
    if (this.inFlight.size === 0) this.worker?.unref();
  }

  /** The worker is gone: everything it held is prepared by the passes instead, nothing is lost. */
  private crashed(cause: unknown): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    this.crashes++;
    this.state = this.crashes >= MAX_CRASHES ? 'disabled' : 'idle';
    const error = new OrganismError(
      'ORG_ERR_XML_WORKER',
      `the XML worker failed (${cause instanceof Error ? cause.message : String(cause)}); ` +
        (this.state === 'disabled' ? 'envelopes are prepared on the main thread from now on' : 'its envelopes are prepared on the main thread, and it restarts on demand'),
      { cause },
    );
    const pending = [...this.inFlight.values(), ...this.waiting];
    this.inFlight.clear();
    this.waiting = [];
    for (const client of this.clients) client.options.onError(error);
    for (const batch of pending) {
      batch.client.outstanding -= batch.dones.length;
      for (const done of batch.dones) done(undefined);
    }
  }
}

class Client implements XmlWorkerClient {
  preparedCount = 0;
  /** Envelopes handed to the worker and not returned yet. */
  outstanding = 0;
  private offered = 0;
  /** External envelopes offered in this event-loop turn (reset at its end), and how many may be handled inline. */
  private turnCount = 0;
  private turnLimit = BURST_PER_TURN;
  /** When the last turn with external envelopes ended. */
  private lastTurnEnd = Number.NEGATIVE_INFINITY;
  private readonly endTurn = (): void => {
    this.turnCount = 0;
    this.lastTurnEnd = performance.now();
  };
  private requests: PrepareRequest[] = [];
  private dones: Batch['dones'] = [];
  private flushScheduled = false;
  private detached = false;

  constructor(
    private readonly shared: SharedWorker,
    readonly org: number,
    readonly options: XmlWorkerOptions,
  ) {}

  get state(): XmlWorkerState {
    return this.options.mode === 'off' ? 'disabled' : this.shared.state;
  }

  get prepared(): number {
    return this.preparedCount;
  }

  offer(request: PrepareRequest, done: (prepared: PreparedEnvelope | undefined) => void, backlog = 0): boolean {
    if (this.detached || this.options.mode === 'off') return false;
    // Turns are counted from the first envelope, whether or not the worker is ready yet: the first
    // turn it is ready for may already be a catch-up.
    if (this.options.mode === 'auto' && this.turnCount++ === 0) {
      setImmediate(this.endTurn);
      this.turnLimit = performance.now() - this.lastTurnEnd < TRAFFIC_GAP_MS ? CATCH_UP_PER_TURN : BURST_PER_TURN;
    }
    if (this.shared.state !== 'ready') {
      if (this.shared.state === 'idle' && (this.options.mode === 'on' || ++this.offered >= AUTO_START_AFTER)) this.shared.start();
      return false;
    }
    if (this.options.mode === 'auto') {
      // Light traffic stays on the main thread, where a message is handled inside inject() with no
      // hop (and no wait behind the other thread's pauses); a turn past its count hands the rest to
      // the worker, and so does every message while the worker holds earlier ones (order is kept).
      if (this.outstanding === 0 && backlog < INLINE_BACKLOG && this.turnCount <= this.turnLimit) return false;
    }
    this.outstanding++;
    this.requests.push(request);
    this.dones.push(done);
    // An idle worker gets the envelope now; a busy one gets it batched with what follows.
    if (this.requests.length >= BATCH || this.shared.idle) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      // After the current burst (a loop of synchronous injects), not after each message.
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    return true;
  }

  private flush(): void {
    if (this.requests.length === 0) return;
    const requests = this.requests;
    const dones = this.dones;
    this.requests = [];
    this.dones = [];
    if (this.shared.state !== 'ready') {
      this.outstanding -= dones.length;
      for (const done of dones) done(undefined);
      return;
    }
    this.shared.send(this, requests, dones);
  }

  detach(): void {
    if (this.detached) return;
    this.flush();
    this.detached = true;
    this.shared.detach(this);
  }
}

let shared: SharedWorker | undefined;

/** The worker thread itself, if running (internal: for tests that make it fail). */
export function xmlWorkerThread(): Worker | undefined {
  return shared?.worker;
}

/**
 * Attach an organism to the process's XML worker: a worker thread that does the envelope steps'
 * libxml2 work for external envelopes on another core while the pump runs handlers.
 */
export function attachXmlWorker(options: XmlWorkerOptions): XmlWorkerClient {
  shared ??= new SharedWorker();
  return shared.attach(options);
}
