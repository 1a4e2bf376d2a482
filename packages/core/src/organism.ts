import { createHash, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { ROOT_CONTEXT, SpanStatusCode, context as otelContext, trace, type Context, type Span } from '@opentelemetry/api';
import {
  DEFAULT_XML_LIMITS,
  HANDLER_REPORTED_CODES,
  OrganismError,
  buildEnvelope,
  libxml2Validator,
  xercesValidator,
  type CompiledSchema,
  type SchemaValidator,
  type XmlLimits,
} from '@organism/xml';
import {
  EMPTY,
  catchError,
  defaultIfEmpty,
  mergeMap,
  of,
  take,
  type Observable,
  type OperatorFunction,
  type Subscription,
} from 'rxjs';
import { HUH_TAG, SYSTEM_SENDER, huhFor, huhToXml, parseHuh } from './huh.js';
import type { Listener, ListenerSpec } from './listener.js';
import type { OrganismExtension } from './plugin.js';
import type { MessageState, StepName } from './messageState.js';
import { STEP_NAMES } from './messageState.js';
import { registerListeners, SchemaCache } from './register.js';
import { createRoutingTable, type RoutingTable } from './routingTable.js';
import { JobScheduler, type ThreadScheduling } from './scheduler.js';
import {
  memoryTransport,
  type BuiltEnvelope,
  type EgressItem,
  type RoutedDelivery,
  type Transport,
  type TransportItem,
  type TransportReceipt,
} from './transport.js';
import { createKeyedSemaphore } from './keyedSemaphore.js';
import { repair } from './steps/repair.js';
import { canonicalize } from './steps/canonicalize.js';
import { validateEnvelope } from './steps/validateEnvelope.js';
import { extractPayload } from './steps/extractPayload.js';
import { assignThread } from './steps/assignThread.js';
import { route } from './steps/route.js';
import { validatePayload } from './steps/validatePayload.js';
import { deserialize } from './steps/deserialize.js';
import { dispatch, type Call, type HandlerSettled, type Job } from './steps/dispatch.js';
import type { Delivery } from './messageState.js';
import { extractResponses } from './steps/extractResponses.js';
import { envelope, type OutboundItem } from './steps/envelope.js';
import { asOrganismError } from './steps/stepInternals.js';
import { isUuidV4 } from './steps/assignThread.js';
import { DEFAULT_BUDGETS, ThreadRegistry, type ThreadBudgets } from './threadRegistry.js';
import { DEFAULT_META_FLAGS, answerMeta, type MetaFlags } from './introspection.js';
import { toolPromptFor } from './toolPrompt.js';
import { RingQueue } from './ringQueue.js';
import { ExternalParties } from './externalParties.js';
import { LeanSubject } from './leanSubject.js';
import { NO_SPAN, tracingEnabled } from './tracing.js';
import { attachXmlWorker, type XmlWorkerClient, type XmlWorkerMode, type XmlWorkerState } from './xmlWorker/xmlWorker.js';
import { setPrepared, setSchemaId, type PreparedEnvelope, type SchemaId } from './steps/prepared.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const NO_REPAIRS: readonly string[] = Object.freeze([]);

/** The thread each pass holds in the registry until it settles (set when the organism published it). */
const heldThreads = new WeakMap<MessageState, string>();
import { releaseDoc } from './steps/documentInternals.js';

// A no-op unless the user registers an OpenTelemetry SDK.
const tracer = trace.getTracer('organism');

/** A custom operator plugged in right after a standard step. */
export interface OperatorHook {
  readonly after: (typeof STEP_NAMES)[number];
  /**
   * Runs on each message's own stream: it may observe, enrich, delay or drop (emit nothing) the
   * state; it should emit at most one state (extras are ignored). If it throws, that message
   * fails with ORG_ERR_OPERATOR and the pump keeps going.
   */
  readonly operator: OperatorFunction<MessageState, MessageState>;
}

/** Options of {@link createOrganism}; the YAML keys are listed in docs/organism-yaml.md. */
export interface OrganismOptions {
  /** Organism name, shown by tools. Default `organism`. */
  readonly name?: string;
  readonly listeners: readonly ListenerSpec[];
  /** Bound on all handler calls running at once. Default 20. */
  readonly maxConcurrentHandlers?: number;
  /** Bound per listener. Default 5. */
  readonly maxConcurrentPerAgent?: number;
  /** Order of waiting handler calls. Default `breadth-first`. */
  readonly threadScheduling?: ThreadScheduling;
  /** Bound on accepted work waiting to run (messages and handler calls). Default 10,000. */
  readonly maxQueued?: number;
  /** When full, `inject`/`send` wait for room (default) or reject with ORG_ERR_BUSY. */
  readonly whenFull?: 'wait' | 'reject';
  /** XSD engine: `libxml2` (default), `xerces` (needs Java; slow, for verification) or your own. */
  readonly validator?: 'libxml2' | 'xerces' | SchemaValidator;
  readonly limits?: Partial<XmlLimits>;
  readonly operators?: readonly OperatorHook[];
  /** The re-injection loop; in-memory by default. */
  readonly transport?: Transport;
  /** Per-thread budgets (loop guards). Defaults: 32 hops, 1,000 messages, 5 repeats. */
  readonly budgets?: Partial<ThreadBudgets>;
  /** A handler call running longer is aborted and reported. Default 30,000 ms; `Infinity` disables. */
  readonly handlerTimeoutMs?: number;
  /** Which introspection requests the organism answers. Default: all. */
  readonly meta?: Partial<MetaFlags>;
  /**
   * Where external envelopes are parsed, canonicalized and validated. `auto` (default): on a worker
   * thread (another core) once traffic is sustained, on the main thread before that; `on`: on the
   * worker from the start (the main thread until it has started); `off`: always on the main thread.
   * Only the libxml2 backend validates payloads on the worker.
   */
  readonly xmlWorker?: XmlWorkerMode;
  /** Run-time extensions (plugins' side): attached once created, in stats(), told when close() starts. */
  readonly extensions?: readonly OrganismExtension[];
  /**
   * Names outside the organism that listeners may address besides each thread's originating
   * sender (`externals:` in organism.yaml). Any other `<to>` that names no listener is
   * ORG_ERR_ROUTE_UNKNOWN. Connected parties are added at run time with
   * {@link Organism.addExternal}.
   */
  readonly externals?: readonly string[];
}

/** A payload that was routed to a listener (one event per recipient). */
export interface RoutedMessage {
  readonly listener: string;
  readonly from: string;
  readonly to?: string;
  readonly thread: string;
  readonly tag: string;
  /** Canonical payload XML. */
  readonly payload: string;
  /** The typed object the handler received. */
  readonly value: unknown;
}

/** A message addressed outside the organism (a reply to `user`, a `<huh>` to a client). */
export interface EgressMessage {
  readonly from: string;
  readonly to: string;
  readonly thread: string;
  readonly tag: string;
  /** Canonical payload XML. */
  readonly payload: string;
  /** Canonical envelope XML. */
  readonly envelope: string;
}

/** Every error, typed, with a stable code (see docs/errors.md). */
export interface OrganismErrorEvent {
  readonly code: string;
  readonly message: string;
  readonly error: OrganismError;
  /** The step or stage that failed. */
  readonly step: StepName;
  readonly from?: string;
  readonly to?: string;
  readonly thread?: string;
  /** The listener whose handler or output failed. */
  readonly listener?: string;
}

/** One settled handler call, for latency metrics and per-thread bookkeeping. */
export interface HandlerCallEvent extends HandlerSettled {
  readonly listener: string;
  readonly thread: string;
  /** Sender of the message the handler handled. */
  readonly caller: string;
  /** Payload type name the handler received. */
  readonly type: string;
}

/** Live counters, for tests, metrics and health checks. */
export interface OrganismStats {
  /** Messages and handler calls accepted and not yet started. */
  readonly queued: number;
  /** Handler calls running now. */
  readonly inFlight: number;
  /** Work accepted and not finished (passes, queued and running calls). */
  readonly pending: number;
  /** Threads with work in progress (the thread registry's size; finished threads are released). */
  readonly threads: number;
  readonly routed: number;
  readonly egressed: number;
  readonly errors: number;
  /** The XML worker: `idle` (not started), `starting`, `ready`, or `disabled` (off, or given up on). */
  readonly xmlWorker: XmlWorkerState;
  /** External envelopes whose XML work the worker did. */
  readonly preparedOnWorker: number;
  /** Each extension's own snapshot, by its name (only when there are extensions). */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/**
 * A running organism: streams to watch, and ways to put messages in.
 *
 * @example
 * const org = createOrganism({ listeners: [greeter] });
 * org.egress$.subscribe((m) => console.log(m.from, m.payload));
 * await org.send('greeter', '<greeting><name>World</name></greeting>');
 * await org.whenIdle();
 * await org.close();
 */
export interface Organism extends AsyncDisposable {
  readonly name: string;
  /** Every message routed to a listener. Hot: subscribe before sending. */
  readonly messages$: Observable<RoutedMessage>;
  /** Every error, with a stable code. */
  readonly errors$: Observable<OrganismErrorEvent>;
  /** Messages addressed outside the organism. */
  readonly egress$: Observable<EgressMessage>;
  /**
   * One event per handler call as it settles, after the messages it produced were routed. Every
   * routed message (a `messages$` event) is followed by exactly one call event.
   *
   * @example
   * org.calls$.subscribe((c) => latency.observe({ listener: c.listener }, c.durationMs / 1000));
   */
  readonly calls$: Observable<HandlerCallEvent>;
  /** The current routing table (an immutable value). */
  readonly routing: RoutingTable;
  /** The extensions the organism was created with (plugins' run-time side). */
  readonly extensions: readonly OrganismExtension[];
  /**
   * The tool prompt of an agent: the generated fragments of exactly its peers.
   *
   * @example
   * const prompt = org.toolPrompt('researcher'); // give it to the model as its system prompt
   */
  toolPrompt(agent: string): string;
  /**
   * Send a payload to a listener (or any name) in a new envelope; resolves with the thread id once
   * accepted. `from` defaults to `user`; pass `thread` to continue a thread.
   */
  send(to: string, payloadXml: string, options?: { from?: string; thread?: string }): Promise<string>;
  /**
   * Inject a complete `<message>` envelope from outside. Resolves once accepted; problems with
   * the envelope are reported on `errors$` and to the sender as `<huh>`. `from` sets a trusted
   * identity that replaces the envelope's `<from>`. While handler slots are idle, every 256th
   * admission in one event-loop turn resolves on the next turn, so that a loop of
   * `await inject()` lets prepared work reach the handlers.
   *
   * @example
   * for (const envelope of envelopes) await org.inject(envelope); // waits while the organism is full
   */
  inject(envelope: string | Uint8Array, options?: { from?: string }): Promise<void>;
  /**
   * Let listeners address `name` (a client that connected, say) until the returned function is
   * called. Connections of one name are counted; each release ends one.
   *
   * @example
   * const release = org.addExternal('alice'); // alice's socket opened
   * socket.on('close', release);
   */
  addExternal(name: string): () => void;
  /** Resolves when nothing is queued or in flight. */
  whenIdle(): Promise<void>;
  stats(): OrganismStats;
  /** Stop intake, finish every accepted message, then release everything. Safe to call twice. */
  close(): Promise<void>;
}

class OrganismImpl implements Organism {
  readonly name: string;
  readonly messages$: Observable<RoutedMessage>;
  readonly errors$: Observable<OrganismErrorEvent>;
  readonly egress$: Observable<EgressMessage>;
  readonly calls$: Observable<HandlerCallEvent>;
  readonly extensions: readonly OrganismExtension[];

  private readonly callsSubject = new LeanSubject<HandlerCallEvent>();
  /** Trace context per running or waiting call: the routing pass's, then the handler span's. */
  private readonly callContexts = new Map<number, Context>();
  private readonly messagesSubject = new LeanSubject<RoutedMessage>();
  private readonly errorsSubject = new LeanSubject<OrganismErrorEvent>();
  private readonly egressSubject = new LeanSubject<EgressMessage>();
  private readonly passes = new LeanSubject<MessageState>();
  private readonly jobs = new LeanSubject<Job>();
  private readonly abort = new AbortController();
  private readonly subscriptions: Subscription[] = [];
  private readonly scheduler: JobScheduler;
  private readonly perListener;
  private readonly cache: SchemaCache;
  private readonly transport: Transport;
  private readonly limits: XmlLimits;
  private readonly maxConcurrent: number;
  private readonly perAgent: number;
  private readonly maxQueued: number;
  private readonly whenFull: 'wait' | 'reject';
  private readonly threads: ThreadRegistry;
  private readonly externals: ExternalParties;
  private readonly handlerTimeoutMs: number;
  private readonly metaFlags: MetaFlags;
  private table: RoutingTable;
  private readonly xmlWorker: XmlWorkerClient;
  /** The transport carries deliveries and egress to other processes (distributed mode). */
  private readonly carrying: boolean;
  /** Receipts of passes whose item came with one (distributed mode only). */
  private readonly receipts = new WeakMap<MessageState, TransportReceipt>();
  /** The delivery a carried item was routed to (distributed mode only). */
  private readonly routedTo = new WeakMap<MessageState, RoutedDelivery>();
  /** Receipts of handler calls started by a received message, by call id. */
  private readonly callReceipts = new Map<number, TransportReceipt>();
  /** External envelopes at the XML worker, accepted and not yet in a pass. */
  private preparing = 0;

  /** Passes waiting for the one running to finish (a ring: no array per burst). */
  private readonly drainQueue = new RingQueue<{ readonly state: MessageState; readonly parent: Context }>();
  /** 1 while a pass runs (it still counts as queued). */
  private passRunning = 0;
  /** Slots promised to woken room waiters that have not published yet. */
  private reserved = 0;
  private draining = false;
  private seq = 0;
  private callSeq = 0;
  private units = 0;
  private running = 0;
  private counters = { routed: 0, egressed: 0, errors: 0 };
  private idleWaiters: Array<() => void> = [];
  /** Callers waiting for room (up to max_queued of them in a flood): a ring, O(1) at both ends. */
  private readonly roomWaiters = new RingQueue<{ resolve: () => void; reject: (e: unknown) => void }>();
  /** Messages admitted in this event-loop turn (reset when the turn ends). */
  private admittedThisTurn = 0;
  private readonly endAdmissionTurn = (): void => {
    this.admittedThisTurn = 0;
  };
  /** Whether a listener has a free permit (one closure for every pump). */
  private readonly canRun = (key: string): boolean => this.perListener.inUse(key) < this.perAgent;
  private closing?: Promise<void>;

  constructor(options: OrganismOptions) {
    // Each running call whose handler reads context.signal listens to it (removed as the call ends).
    setMaxListeners(0, this.abort.signal);
    this.name = options.name ?? 'organism';
    this.limits = { ...DEFAULT_XML_LIMITS, ...options.limits };
    positive('limits.maxBytes', this.limits.maxBytes);
    positive('limits.maxDepth', this.limits.maxDepth);
    positive('limits.maxPayloadsPerResponse', this.limits.maxPayloadsPerResponse);
    this.maxConcurrent = positive('maxConcurrentHandlers', options.maxConcurrentHandlers ?? 20);
    this.perAgent = positive('maxConcurrentPerAgent', options.maxConcurrentPerAgent ?? 5);
    this.maxQueued = positive('maxQueued', options.maxQueued ?? 10_000);
    this.whenFull = options.whenFull ?? 'wait';
    const budgets = { ...DEFAULT_BUDGETS, ...options.budgets };
    positive('budgets.maxHops', budgets.maxHops);
    positive('budgets.maxMessages', budgets.maxMessages);
    positive('budgets.maxRepeats', budgets.maxRepeats);
    this.threads = new ThreadRegistry(budgets);
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? 30_000;
    if (!(this.handlerTimeoutMs > 0)) throw new OrganismError('ORG_ERR_CONFIG', `handlerTimeoutMs must be positive, got ${this.handlerTimeoutMs}`);
    this.metaFlags = { ...DEFAULT_META_FLAGS, ...options.meta };
    // Checked before anything is compiled, so a bad hook leaks no compiled schema.
    for (const hook of options.operators ?? []) {
      if (!STEP_NAMES.includes(hook.after)) {
        throw new OrganismError('ORG_ERR_CONFIG', `operator hook "after: ${String(hook.after)}" names no step; use one of ${STEP_NAMES.join(', ')}`);
      }
    }
    this.scheduler = new JobScheduler(options.threadScheduling ?? 'breadth-first');
    this.perListener = createKeyedSemaphore(this.perAgent);
    const validator =
      options.validator === 'xerces' ? xercesValidator() : options.validator === 'libxml2' || !options.validator ? libxml2Validator : options.validator;
    this.cache = new SchemaCache(validator);
    try {
      this.table = createRoutingTable(registerListeners(options.listeners, this.cache));
    } catch (error) {
      this.cache.dispose();
      throw error;
    }
    try {
      this.externals = new ExternalParties(options.externals ?? [], this.table);
    } catch (error) {
      this.cache.dispose();
      throw error;
    }
    this.xmlWorker = attachXmlWorker({
      mode: options.xmlWorker ?? 'auto',
      limits: this.limits,
      tags: this.cache.validator.name === 'libxml2' ? workerTags(this.table, this.cache) : [],
      onError: (error) => this.emitError(error, { step: 'repair' }),
    });
    this.transport = options.transport ?? memoryTransport();
    this.carrying = typeof this.transport.carry === 'function';
    this.messages$ = this.messagesSubject.asObservable();
    this.errors$ = this.errorsSubject.asObservable();
    this.egress$ = this.egressSubject.asObservable();
    this.calls$ = this.callsSubject.asObservable();
    this.wire(options.operators ?? []);
    this.extensions = options.extensions ?? [];
    for (const extension of this.extensions) extension.attach?.(this);
  }

  get routing(): RoutingTable {
    return this.table;
  }

  // ---------------------------------------------------------------- wiring

  private wire(hooks: readonly OperatorHook[]): void {
    const env = {
      limits: this.limits,
      routing: () => this.table,
      newThreadId: () => randomUUID(),
      isExternal: (name: string) => this.externals.has(name),
    };
    const steps: Record<(typeof STEP_NAMES)[number], OperatorFunction<MessageState, MessageState>> = {
      repair: repair(env),
      canonicalize: canonicalize(),
      validateEnvelope: validateEnvelope(),
      extractPayload: extractPayload(),
      assignThread: assignThread(env),
      route: route(env),
      validatePayload: validatePayload({ synchronous: this.cache.validator.name === 'libxml2' }),
      deserialize: deserialize(),
    };
    const operators: OperatorFunction<MessageState, MessageState>[] = [];
    for (const name of STEP_NAMES) {
      operators.push(steps[name]);
      for (const hook of hooks.filter((h) => h.after === name)) operators.push(perMessage(hook, (state) => this.dropPass(state)));
    }
    const pipeline = operators.reduce<Observable<MessageState>>((stream, op) => stream.pipe(op), this.passes);
    this.subscriptions.push(pipeline.subscribe((state) => this.settlePass(state)));

    this.subscriptions.push(
      this.jobs
        .pipe(
          dispatch({
            maxConcurrentHandlers: this.maxConcurrent,
            perListener: this.perListener,
            signal: this.abort.signal,
            handlerTimeoutMs: this.handlerTimeoutMs,
            traceParent: (call) => this.callContexts.get(call.id),
            onStarted: (call, traceContext) => {
              // Without an SDK every context is the root one: nothing worth a map entry.
              if (traceContext !== ROOT_CONTEXT) this.callContexts.set(call.id, traceContext);
            },
            onSettled: (call, settled) => {
              this.callContexts.delete(call.id);
              this.running--;
              if (this.callsSubject.observed) this.callsSubject.next({
                listener: call.listener.name,
                thread: call.thread,
                caller: call.caller,
                type: call.type,
                durationMs: settled.durationMs,
                outcome: settled.outcome,
              });
              this.pump();
              this.checkIdle();
            },
          }),
          extractResponses({ limits: this.limits }),
          envelope(env),
        )
        .subscribe((item) => this.settleOutbound(item)),
    );
    this.subscriptions.push(this.transport.items$.subscribe((item) => this.enqueuePass(item)));
  }

  // ---------------------------------------------------------------- intake

  async send(to: string, payloadXml: string, options: { from?: string; thread?: string } = {}): Promise<string> {
    // From JavaScript (or through `any`) anything can arrive: a clear, coded rejection, not a crash later.
    if (typeof payloadXml !== 'string') {
      throw new OrganismError('ORG_ERR_XML_PARSE', `send(): the payload must be XML text (a string), got ${kindOf(payloadXml)}`);
    }
    if (typeof to !== 'string' || to === '') throw new OrganismError('ORG_ERR_CONFIG', `send(): "to" must be a listener name (a non-empty string), got ${kindOf(to)}`);
    if (options.from !== undefined && (typeof options.from !== 'string' || options.from === '')) {
      throw new OrganismError('ORG_ERR_CONFIG', `send(): "from" must be a non-empty string, got ${kindOf(options.from)}`);
    }
    const thread = options.thread ?? randomUUID();
    if (!isUuidV4(thread)) {
      return Promise.reject(new OrganismError('ORG_ERR_CONFIG', `send(): thread "${thread}" is not a UUID v4; omit it to start a new thread`));
    }
    const from = options.from ?? 'user';
    const envelope = buildEnvelope({ from, to, thread }, payloadXml);
    await this.admit({ envelope, origin: 'external', identity: from });
    return thread;
  }

  inject(raw: string | Uint8Array, options: { from?: string } = {}): Promise<void> {
    if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) {
      return Promise.reject(new OrganismError('ORG_ERR_XML_PARSE', `inject(): the envelope must be XML text (a string) or its bytes (a Uint8Array), got ${kindOf(raw)}`));
    }
    if (options.from !== undefined && (typeof options.from !== 'string' || options.from === '')) {
      return Promise.reject(new OrganismError('ORG_ERR_CONFIG', `inject(): "from" must be a non-empty string, got ${kindOf(options.from)}`));
    }
    return this.admit(options.from === undefined ? { envelope: raw, origin: 'external' } : { envelope: raw, origin: 'external', identity: options.from });
  }

  private queuedCount(): number {
    return this.scheduler.size + this.drainQueue.size + this.passRunning + this.reserved + this.preparing;
  }

  /**
   * Admit one message and publish it. With room, it is published synchronously, so concurrent
   * callers can never overshoot max_queued; a waiter woken up gets a slot reserved for it.
   */
  private admit(item: TransportItem): Promise<void> {
    if (this.closing) return Promise.reject(new OrganismError('ORG_ERR_CLOSED', `organism "${this.name}" is closing: no new messages are accepted`));
    if (this.queuedCount() < this.maxQueued && this.roomWaiters.size === 0) {
      try {
        this.transport.publish(item);
      } catch (error) {
        return Promise.reject(error); // a custom transport that throws: the caller's promise says so
      }
      if (this.admittedThisTurn++ === 0) setImmediate(this.endAdmissionTurn);
      // Handler slots idle for want of prepared work while a loop keeps admitting: let the work reach them.
      const yieldNow = this.admittedThisTurn % YIELD_EVERY === 0 && this.scheduler.size === 0 && this.running < this.maxConcurrent;
      return yieldNow ? new Promise<void>((resolve) => setImmediate(resolve)) : Promise.resolve();
    }
    if (this.whenFull === 'reject' || this.roomWaiters.size >= this.maxQueued) {
      return Promise.reject(
        new OrganismError('ORG_ERR_BUSY', `organism "${this.name}" is full (${this.maxQueued} queued): retry later or raise max_queued`),
      );
    }
    return new Promise<void>((resolve, reject) => this.roomWaiters.push({ resolve, reject })).then(() => {
      this.reserved--;
      this.transport.publish(item);
    });
  }

  private wakeRoomWaiters(): void {
    while (this.roomWaiters.size > 0 && this.queuedCount() < this.maxQueued) {
      this.reserved++;
      this.roomWaiters.shift()!.resolve();
    }
  }

  // ---------------------------------------------------------------- passes

  private enqueuePass(item: TransportItem): void {
    if (item.egress !== undefined) {
      // Carried here from another process: it already left the organism there.
      this.counters.egressed++;
      this.egressSubject.next(item.egress);
      item.receipt?.release();
      return;
    }
    if (item.origin === 'external' && item.built === undefined && this.xmlWorker.state !== 'disabled') {
      const parent = otelContext.active();
      const request = item.identity === undefined ? { input: item.envelope } : { input: item.envelope, identity: item.identity };
      const offered = this.xmlWorker.offer(
        request,
        (prepared) => {
          this.preparing--;
          this.units--;
          this.startPass(item, prepared, parent);
        },
        // Work waiting, not calls running: a handler awaiting an LLM does not load this thread.
        this.queuedCount(),
      );
      if (offered) {
        this.units++;
        this.preparing++;
        return;
      }
    }
    this.startPass(item, undefined, otelContext.active());
  }

  private startPass(item: TransportItem, prepared: PreparedEnvelope | undefined, parent: Context): void {
    this.units++;
    // Every field present from the start, in one order: one object shape for every pass (the steps
    // fill the fields in; no property store grows along the way).
    const state: Mutable<MessageState> = {
      seq: ++this.seq,
      input: item.envelope,
      origin: item.origin,
      identity: item.identity,
      chain: item.chain,
      reply: item.reply === true ? true : undefined,
      built: item.built,
      parsed: undefined,
      repairs: NO_REPAIRS,
      canonical: undefined,
      from: undefined,
      to: undefined,
      thread: undefined,
      newThread: undefined,
      tag: undefined,
      ns: undefined,
      payloadXml: undefined,
      route: undefined,
      deliveries: undefined,
      error: undefined,
      failedStep: undefined,
    };
    if (this.carrying) {
      if (item.receipt !== undefined) this.receipts.set(state, item.receipt);
      if (item.delivery !== undefined && item.thread !== undefined) {
        // Carried from another process: this process holds the thread, with the budgets spent so far.
        this.routedTo.set(state, item.delivery);
        this.threads.hold(item.thread);
        this.threads.absorb(item.thread, item.delivery.budget);
      }
    }
    // The publisher held the thread for this item (see publishOnThread); the pass lets go.
    if (item.thread !== undefined) heldThreads.set(state, item.thread);
    if (prepared !== undefined) setPrepared(state, prepared);
    this.drainQueue.push({ state, parent });
    if (this.draining) return;
    this.draining = true;
    try {
      // A trampoline: passes published while a pass runs (errors, replies) wait their turn here
      // instead of re-entering the pipeline.
      for (let entry = this.drainQueue.shift(); entry !== undefined; entry = this.drainQueue.shift()) {
        const { state: next, parent } = entry;
        this.passRunning = 1;
        const span = tracingEnabled() ? tracer.startSpan('organism.pass', { attributes: { 'organism.origin': next.origin } }, parent) : NO_SPAN;
        try {
          // Without an SDK the span records nothing: skip building a context for it.
          if (span.isRecording()) otelContext.with(trace.setSpan(parent, span), () => this.passes.next(next));
          else this.passes.next(next);
        } finally {
          this.passRunning = 0;
          endPassSpan(span, next);
          releaseDoc(next);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private settlePass(state: MessageState): void {
    releaseDoc(state);
    try {
      const halted = state.route?.kind === 'deliver' && !state.error ? this.threads.haltedBy(state.thread!) : undefined;
      if (halted) {
        // An ended thread routes nothing further; the message is reported, not answered.
        this.emitError(new OrganismError('ORG_ERR_THREAD_HALTED', `thread ${state.thread} was ended (${halted.message}); <${state.tag}> from "${state.from}" was not routed`), {
          step: 'route',
          from: state.from!,
          thread: state.thread!,
        });
        return;
      }
      if (state.error) {
        this.reportPassError(state);
      } else if (state.route?.kind === 'egress') {
        this.emitEgress(state, {
          from: state.from!,
          to: state.route.to,
          thread: state.thread!,
          tag: state.tag!,
          payload: state.payloadXml!,
          envelope: state.canonical!,
        });
      } else if (state.route?.kind === 'huh') {
        this.deliverHuh(state, state.route.to, state.route.listener);
      } else if (state.route?.kind === 'meta') {
        this.answerMeta(state);
      } else if (state.route?.kind === 'system') {
        this.deliverSystem(state, state.route.listener);
      } else if (state.route?.kind === 'deliver' && state.deliveries) {
        const routed = this.carrying ? this.routedTo.get(state) : undefined;
        if (routed !== undefined) this.startCarried(state, state.deliveries, routed);
        else this.deliver(state, state.deliveries);
      }
    } finally {
      this.letGoOf(state);
      this.finishUnit();
    }
  }

  /** Charge and start (or, distributed, carry) one handler call per delivery of a routed pass. */
  private deliver(state: MessageState, deliveries: readonly Delivery[]): void {
    const thread = state.thread!;
    const from = state.from!;
    const chain = state.chain ?? [from];
    const receipt = this.carrying ? this.receipts.get(state) : undefined;
    for (const delivery of deliveries) {
      const { listener } = delivery.target;
      // A reply continues the recipient's own call; anything else is a new hop.
      const continues = state.reply === true && chain[chain.length - 1]?.toLowerCase() === listener.key;
      const callChain = continues ? chain : appended(chain, listener.name);
      const respondTo = continues ? (chain[chain.length - 2] ?? from) : from;
      this.threads.hold(thread);
      const overBudget = this.threads.charge(thread, listener.key, callChain.length - 1, state.payloadXml!);
      if (overBudget) {
        this.threads.halt(thread, overBudget);
        this.threads.letGo(thread);
        this.emitError(overBudget, { step: 'dispatch', from, thread, listener: listener.name });
        this.sendHuh(overBudget, from, thread, state.payloadXml, receipt);
        break;
      }
      if (this.carrying) {
        // Distributed: the call runs wherever the listener's consumer is (perhaps here), after the
        // transport stored it; the spent budgets travel with it.
        const budget = this.threads.snapshot(thread);
        this.threads.letGo(thread);
        this.carryItem(carriedDelivery(state, { listener: listener.name, chain: callChain, respondTo, budget }, receipt), {
          step: 'dispatch',
          from,
          thread,
          listener: listener.name,
        });
        continue;
      }
      this.startCall(state, delivery, callChain, respondTo, undefined);
    }
    this.pump();
  }

  /** A delivery carried here from another process (already charged there): start its one call. */
  private startCarried(state: MessageState, deliveries: readonly Delivery[], routed: RoutedDelivery): void {
    const key = routed.listener.toLowerCase();
    const delivery = deliveries.find((d) => d.target.listener.key === key);
    if (delivery === undefined) {
      this.emitError(
        new OrganismError(
          'ORG_ERR_ROUTE_UNKNOWN',
          `<${state.tag}> was carried to "${routed.listener}", but here it routes to ${deliveries.map((d) => `"${d.target.listener.name}"`).join(', ')}: run every process of the organism with the same organism.yaml`,
        ),
        { step: 'route', from: state.from!, thread: state.thread! },
      );
      return;
    }
    this.threads.hold(state.thread!);
    this.startCall(state, delivery, routed.chain, routed.respondTo, this.receipts.get(state));
    this.pump();
  }

  /** Queue one handler call (the thread is held for it); `pump()` starts it. */
  private startCall(state: MessageState, delivery: Delivery, chain: readonly string[], respondTo: string, receipt: TransportReceipt | undefined): void {
    const { listener, accepted } = delivery.target;
    this.counters.routed++;
    if (this.messagesSubject.observed) this.messagesSubject.next({
      listener: listener.name,
      from: state.from!,
      ...(state.to !== undefined ? { to: state.to } : {}),
      thread: state.thread!,
      tag: state.tag!,
      payload: state.payloadXml!,
      value: delivery.value,
    });
    this.units++;
    const call: Call = {
      id: ++this.callSeq,
      listener,
      thread: state.thread!,
      caller: state.from!,
      type: accepted.contract.type.name,
      chain,
      respondTo,
    };
    if (receipt !== undefined) {
      receipt.hold();
      this.callReceipts.set(call.id, receipt);
    }
    const active = otelContext.active();
    if (active !== ROOT_CONTEXT) this.callContexts.set(call.id, active);
    this.scheduler.push({ call, value: delivery.value });
  }

  /** A message leaves the organism: on `egress$` here, or carried to the process that hosts egress. */
  private emitEgress(state: MessageState, message: EgressItem): void {
    if (this.carrying) {
      const receipt = this.receipts.get(state);
      this.carryItem(receipt === undefined ? { envelope: message.envelope, origin: state.origin, egress: message } : { envelope: message.envelope, origin: state.origin, egress: message, receipt }, {
        step: 'route',
        from: message.from,
        to: message.to,
        thread: message.thread,
      });
      return;
    }
    this.counters.egressed++;
    this.egressSubject.next(message);
  }

  /** Hand an item to a distributed transport; counted as pending work until it is stored. */
  private carryItem(item: TransportItem, where: Omit<OrganismErrorEvent, 'code' | 'message' | 'error'>): void {
    const receipt = item.receipt;
    receipt?.hold();
    this.units++;
    let carried: Promise<void>;
    try {
      carried = this.transport.carry!(item);
    } catch (error) {
      carried = Promise.reject(error);
    }
    carried.then(
      () => {
        receipt?.release();
        this.finishUnit();
      },
      (error: unknown) => {
        const failure = asOrganismError(error);
        this.emitError(failure, where);
        receipt?.release(failure);
        this.finishUnit();
      },
    );
  }

  /** A custom operator dropped the state: nothing to deliver. */
  private dropPass(state: MessageState): void {
    releaseDoc(state);
    this.letGoOf(state);
    this.finishUnit();
  }

  /** Publish a message of the organism's own on a known thread, holding the thread until its pass ends. */
  private publishOnThread(thread: string, item: Omit<TransportItem, 'thread' | 'receipt'>, receipt?: TransportReceipt): void {
    this.threads.hold(thread);
    if (receipt === undefined) {
      this.transport.publish({ ...item, thread });
      return;
    }
    receipt.hold(); // let go by the pass that receives it
    this.transport.publish({ ...item, thread, receipt });
  }

  /** {@link publishOnThread} for a response the pump built: no intermediate copies. */
  private publishBuilt(item: Extract<OutboundItem, { kind: 'envelope' }>): void {
    this.threads.hold(item.thread);
    const built: Mutable<BuiltEnvelope> = { from: item.from, thread: item.thread, tag: item.tag, ns: item.ns, payloadXml: item.payloadXml };
    if (item.to !== undefined) built.to = item.to;
    const receipt = this.carrying ? this.callReceipts.get(item.call.id) : undefined;
    receipt?.hold(); // let go by the pass that receives it
    this.transport.publish({
      envelope: item.envelope,
      origin: 'response',
      identity: item.from,
      chain: item.chain,
      reply: item.reply,
      thread: item.thread,
      built,
      ...(receipt === undefined ? {} : { receipt }),
    });
  }

  private letGoOf(state: MessageState): void {
    if (this.carrying) {
      const receipt = this.receipts.get(state);
      if (receipt !== undefined) {
        this.receipts.delete(state);
        receipt.release();
      }
    }
    const thread = heldThreads.get(state);
    if (thread === undefined) return;
    heldThreads.delete(state);
    this.threads.letGo(thread);
  }

  /** Run a listener's side callback (onHuh, onMeta) as tracked work; a throw is reported, never fatal. */
  private runCallback(listener: Listener, thread: string, callback: () => void | Promise<void>, receipt: TransportReceipt | undefined): void {
    this.units++;
    receipt?.hold();
    Promise.resolve()
      .then(callback)
      .catch((error: unknown) => this.emitError(asOrganismError(error, 'ORG_ERR_HANDLER_THREW'), { step: 'dispatch', listener: listener.name, thread }))
      .finally(() => {
        receipt?.release();
        this.finishUnit();
      });
  }

  /** The receipt of the item a pass came from, if any (distributed mode). */
  private receiptOf(state: MessageState): TransportReceipt | undefined {
    return this.carrying ? this.receipts.get(state) : undefined;
  }

  private answerMeta(state: MessageState): void {
    const asker = this.table.listeners.get(state.from!.toLowerCase());
    const answer = answerMeta(state.tag!, state.payloadXml!, asker, this.table, this.metaFlags);
    if (answer instanceof OrganismError) {
      this.emitError(answer, { step: 'route', from: state.from!, thread: state.thread! });
      this.sendHuh(answer, state.from!, state.thread!, state.payloadXml, this.receiptOf(state));
      return;
    }
    this.publishOnThread(
      state.thread!,
      {
        envelope: buildEnvelope({ from: SYSTEM_SENDER, to: state.from!, thread: state.thread! }, answer),
        origin: 'system',
        identity: SYSTEM_SENDER,
      },
      this.receiptOf(state),
    );
  }

  private deliverSystem(state: MessageState, listener: Listener): void {
    if (!listener.onMeta) return;
    const xml = state.payloadXml!;
    const thread = state.thread!;
    this.runCallback(listener, thread, () => listener.onMeta!(xml, { thread }), this.receiptOf(state));
  }

  toolPrompt(agent: string): string {
    return toolPromptFor(agent, this.table);
  }

  private deliverHuh(state: MessageState, to: string, listener: Listener | undefined): void {
    if (!listener) {
      this.emitEgress(state, { from: state.from!, to, thread: state.thread!, tag: HUH_TAG, payload: state.payloadXml!, envelope: state.canonical! });
      return;
    }
    if (!listener.onHuh) return;
    const huh = parseHuh(state.payloadXml!);
    const thread = state.thread!;
    this.runCallback(listener, thread, () => listener.onHuh!(huh, { thread }), this.receiptOf(state));
  }

  // ---------------------------------------------------------------- handler calls

  /** Start waiting calls while global and per-listener permits allow. */
  private pump(): void {
    while (this.running < this.maxConcurrent && this.scheduler.size > 0) {
      const job = this.scheduler.take(this.canRun);
      if (!job) break;
      this.running++;
      this.jobs.next(job);
    }
    this.wakeRoomWaiters();
  }

  private settleOutbound(item: OutboundItem): void {
    // What a handler emits continues its call's trace.
    const traceContext = this.callContexts.get(item.call.id);
    if (traceContext) otelContext.with(traceContext, () => this.settleOutboundItem(item));
    else this.settleOutboundItem(item);
  }

  private settleOutboundItem(item: OutboundItem): void {
    switch (item.kind) {
      case 'envelope':
        this.publishBuilt(item);
        return;
      case 'halt':
        this.threads.halt(
          item.call.thread,
          new OrganismError('ORG_ERR_THREAD_HALTED', `ended by "${item.call.listener.name}"${item.reason ? `: ${item.reason}` : ''}`),
        );
        return;
      case 'error': {
        const call = item.call;
        // A throw fails the caller's request; bad output is the emitting listener's to fix.
        const failedCall = item.error.code === 'ORG_ERR_HANDLER_THREW' || item.error.code === 'ORG_ERR_HANDLER_TIMEOUT' || HANDLER_REPORTED_CODES.has(item.error.code);
        const huhTo = failedCall ? call.caller : call.listener.name;
        this.emitError(item.error, { step: failedCall ? 'dispatch' : 'extractResponses', listener: call.listener.name, thread: call.thread, from: call.listener.name });
        this.sendHuh(item.error, huhTo, call.thread, item.attempt, this.carrying ? this.callReceipts.get(call.id) : undefined);
        return;
      }
      case 'done': {
        this.threads.letGo(item.call.thread);
        const receipt = this.carrying ? this.callReceipts.get(item.call.id) : undefined;
        if (receipt !== undefined) {
          this.callReceipts.delete(item.call.id);
          receipt.release();
        }
        this.finishUnit();
        return;
      }
    }
  }

  // ---------------------------------------------------------------- errors

  private reportPassError(state: MessageState): void {
    const error = state.error!;
    this.emitError(error, {
      step: state.failedStep ?? 'repair',
      ...(state.from !== undefined ? { from: state.from } : {}),
      ...(state.to !== undefined ? { to: state.to } : {}),
      ...(state.thread !== undefined ? { thread: state.thread } : {}),
    });
    // A <huh> never triggers another <huh>, and the organism's own messages get none.
    if (state.tag?.toLowerCase() === HUH_TAG || state.origin === 'system') return;
    const to = state.identity ?? state.from ?? 'unknown';
    const attempt = state.payloadXml ?? (typeof state.input === 'string' ? state.input : state.input instanceof Uint8Array ? Buffer.from(state.input).toString('utf8') : '');
    this.sendHuh(error, to, state.thread ?? randomUUID(), attempt, this.receiptOf(state));
  }

  private sendHuh(error: OrganismError, to: string, thread: string, attempt?: string, receipt?: TransportReceipt): void {
    const meta = { from: SYSTEM_SENDER, to, thread };
    let huh = buildEnvelope(meta, huhToXml(huhFor(error, attempt)));
    // Quoting the attempt must not push the <huh> itself over maxBytes (it would be rejected and
    // the sender would never hear back): drop the quote instead.
    if (attempt !== undefined && Buffer.byteLength(huh, 'utf8') > this.limits.maxBytes) {
      huh = buildEnvelope(meta, huhToXml(huhFor(error)));
    }
    this.publishOnThread(thread, { envelope: huh, origin: 'system', identity: SYSTEM_SENDER }, receipt);
  }

  private emitError(error: OrganismError, where: Omit<OrganismErrorEvent, 'code' | 'message' | 'error'>): void {
    this.counters.errors++;
    this.errorsSubject.next({ code: error.code, message: error.message, error, ...where });
  }

  // ---------------------------------------------------------------- idle & close

  private finishUnit(): void {
    this.units--;
    this.checkIdle();
  }

  private isIdle(): boolean {
    return this.units === 0 && this.running === 0 && this.scheduler.size === 0 && this.reserved === 0;
  }

  private checkIdle(): void {
    if (this.isIdle() && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  addExternal(name: string): () => void {
    return this.externals.connect(name, this.table);
  }

  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): OrganismStats {
    return {
      queued: this.queuedCount(),
      inFlight: this.running,
      pending: this.units,
      threads: this.threads.size,
      ...this.counters,
      xmlWorker: this.xmlWorker.state,
      preparedOnWorker: this.xmlWorker.prepared,
      ...(this.extensions.length > 0 ? { extensions: extensionStats(this.extensions) } : {}),
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = new OrganismError('ORG_ERR_CLOSED', `organism "${this.name}" closed before there was room for this message`);
      for (let waiter = this.roomWaiters.shift(); waiter !== undefined; waiter = this.roomWaiters.shift()) waiter.reject(closed);
      for (const extension of this.extensions) {
        try {
          await extension.close?.();
        } catch (error) {
          this.emitError(asOrganismError(error, 'ORG_ERR_INTERNAL'), { step: 'dispatch' });
        }
      }
      this.transport.stopIntake?.();
      await this.whenIdle();
      this.abort.abort(new OrganismError('ORG_ERR_CLOSED', `organism "${this.name}" closed`));
      for (const subscription of this.subscriptions) subscription.unsubscribe();
      await this.transport.close();
      this.passes.complete();
      this.jobs.complete();
      this.messagesSubject.complete();
      this.errorsSubject.complete();
      this.egressSubject.complete();
      this.callsSubject.complete();
      this.xmlWorker.detach();
      this.cache.dispose();
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * While handler slots are idle (a free slot, no call waiting for one), every this-many admissions
 * in one event-loop turn the caller's promise resolves on the next turn: a loop of `await
 * inject()` then lets the XML worker's results reach the idle handlers instead of holding them
 * back until the whole burst is admitted. 256 is what the worker can hold at once (4 batches of
 * 64). With calls waiting for slots there is nothing to gain, and yielding there split floods
 * into small turns that cost the 100,000-message round trip about 15 %.
 */
const YIELD_EVERY = 256;

function extensionStats(extensions: readonly OrganismExtension[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const extension of extensions) if (extension.stats) out[extension.name] = extension.stats();
  return out;
}

/** What a value is, for a message about a wrong argument. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'an empty string'; // the only string these checks refuse
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return `${typeof value} ${String(value)}`;
}

/** `chain` with `name` after it, in an array of exactly that length (a spread over-allocates, and calls keep their chain while they wait and run). */
function appended(chain: readonly string[], name: string): string[] {
  const out = new Array<string>(chain.length + 1);
  for (let i = 0; i < chain.length; i++) out[i] = chain[i]!;
  out[chain.length] = name;
  return out;
}

/** The item that carries one routed delivery of a pass to the listener's process: plain data (and the receipt). */
function carriedDelivery(state: MessageState, delivery: RoutedDelivery, receipt: TransportReceipt | undefined): TransportItem {
  const built: Mutable<BuiltEnvelope> = { from: state.from!, thread: state.thread!, tag: state.tag!, ns: state.ns ?? '', payloadXml: state.payloadXml! };
  if (state.to !== undefined) built.to = state.to;
  const item: Mutable<TransportItem> = { envelope: state.canonical!, origin: state.origin, thread: state.thread!, built, delivery };
  if (state.identity !== undefined) item.identity = state.identity;
  if (state.reply === true) item.reply = true;
  if (receipt !== undefined) item.receipt = receipt;
  return item;
}

/** Describe a finished pass on its span (only when an SDK records it). */
function endPassSpan(span: Span, state: MessageState): void {
  if (span.isRecording()) {
    const attributes: Record<string, string> = {};
    if (state.thread !== undefined) attributes['organism.thread'] = state.thread;
    if (state.from !== undefined) attributes['organism.from'] = state.from;
    if (state.to !== undefined) attributes['organism.to'] = state.to;
    if (state.tag !== undefined) attributes['organism.tag'] = state.tag;
    if (state.route !== undefined) attributes['organism.route'] = state.route.kind;
    if (state.deliveries !== undefined) attributes['organism.listeners'] = state.deliveries.map((d) => d.target.listener.name).join(',');
    if (state.error) {
      attributes['organism.error.code'] = state.error.code;
      span.setStatus({ code: SpanStatusCode.ERROR, message: state.error.message });
    }
    span.setAttributes(attributes);
  }
  span.end();
}

/** Apply a user operator to one message's own stream, so drops and throws stay contained. */
function perMessage(hook: OperatorHook, onDrop: (state: MessageState) => void): OperatorFunction<MessageState, MessageState> {
  return mergeMap((state) => {
    if (state.error) return of(state);
    return of(state).pipe(
      hook.operator,
      take(1),
      catchError((error: unknown) => {
        if (!state.error) {
          state.error = new OrganismError('ORG_ERR_OPERATOR', `custom operator after "${hook.after}" failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
          state.failedStep = hook.after;
        }
        return of(state);
      }),
      defaultIfEmpty(null),
      mergeMap((out) => {
        if (out !== null) return of(out);
        onDrop(state);
        return EMPTY;
      }),
    );
  });
}

/**
 * Each payload tag (lower-case, bare and full root) with the schemas it is validated against, by
 * id and XSD text; each compiled schema is named by its id so the pass can use the worker's verdict.
 */
function workerTags(table: RoutingTable, cache: SchemaCache): Array<readonly [string, Array<readonly [SchemaId, string]>]> {
  const byTextOf = new Map<CompiledSchema, readonly [SchemaId, string]>();
  for (const [xsd, schema] of cache.entries()) {
    const id = createHash('sha256').update(xsd).digest('base64url').slice(0, 22);
    setSchemaId(schema, id);
    byTextOf.set(schema, [id, xsd]);
  }
  const tags = new Map<string, Map<SchemaId, string>>();
  const add = (tag: string, schema: CompiledSchema) => {
    const [id, xsd] = byTextOf.get(schema)!;
    let list = tags.get(tag);
    if (!list) tags.set(tag, (list = new Map()));
    list.set(id, xsd);
  };
  for (const listener of table.listeners.values()) {
    for (const accepted of listener.types.values()) {
      add(accepted.tag, accepted.bareSchema);
      add(accepted.rootTag, accepted.rootSchema);
    }
  }
  return [...tags].map(([tag, list]) => [tag, [...list]] as const);
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new OrganismError('ORG_ERR_CONFIG', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * Create an organism from listeners declared in code. Everything generated from the contracts
 * (XSD, examples, prompts) is compiled here, once; a bad contract fails now, not at run time.
 *
 * @example
 * import { z } from 'zod';
 * import { createOrganism, definePayload } from '@organism/core';
 * const Greeting = definePayload('Greeting', z.object({ name: z.string() }));
 * const org = createOrganism({
 *   name: 'hello',
 *   listeners: [{
 *     name: 'greeter', payload: Greeting, description: 'Greets by name',
 *     handler: ({ name }) => `<greetingresponse><message>Hello, ${name}!</message></greetingresponse>`,
 *   }],
 * });
 */
export function createOrganism(options: OrganismOptions): Organism {
  return new OrganismImpl(options);
}

