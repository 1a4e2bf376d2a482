import { SpanStatusCode, context as otelContext, trace, type Context, type Span } from '@opentelemetry/api';
import { OrganismError } from '@organism/xml';
import { isTypedPayload, type TypedPayload } from '@organism/schema';
import { Observable, config as rxjsConfig, isObservable, type OperatorFunction, type Subscriber, type Subscription } from 'rxjs';
import { isAddressed, isHalted, isResponded, type Emit, type HandlerContext, type HandlerResult } from '../handler.js';
import type { KeyedSemaphore } from '../keyedSemaphore.js';
import type { Listener } from '../listener.js';
import { asOrganismError } from './stepInternals.js';
import { NO_SPAN, tracingEnabled } from '../tracing.js';
import { RingQueue } from '../ringQueue.js';

// A no-op unless the user registers an OpenTelemetry SDK.
const tracer = trace.getTracer('organism');

/** One handler call: plain data identifying who runs what, on which thread, for whom. */
export interface Call {
  readonly id: number;
  readonly listener: Listener;
  readonly thread: string;
  /** Sender of the message being handled (the handler's `context.from`). */
  readonly caller: string;
  readonly type: string;
  /** The call chain on this thread, from its external origin to this listener (plain data). */
  readonly chain: readonly string[];
  /** Previous hop: who called this listener on this thread; `respond()` goes there. */
  readonly respondTo: string;
}

/** A handler call waiting for a slot. */
export interface Job {
  readonly call: Call;
  readonly value: unknown;
}

/** What a running handler produced, in order; `end` always comes last. */
export type HandlerOutput =
  | { readonly kind: 'chunk'; readonly call: Call; readonly text: string }
  | { readonly kind: 'xml'; readonly call: Call; readonly text: string; readonly to?: string; readonly respond?: boolean }
  | { readonly kind: 'typed'; readonly call: Call; readonly payload: TypedPayload; readonly to?: string; readonly respond?: boolean }
  | { readonly kind: 'halt'; readonly call: Call; readonly reason?: string }
  | { readonly kind: 'error'; readonly call: Call; readonly error: OrganismError }
  | { readonly kind: 'end'; readonly call: Call; readonly failed: boolean };

/** How a handler call ended. */
export interface HandlerSettled {
  /** From the handler's start (its permits acquired) to the end of its output; 0 if it never ran. */
  readonly durationMs: number;
  /** `error`: the handler threw or rejected; `cancelled`: it never ran (the organism closed). */
  readonly outcome: 'ok' | 'error' | 'cancelled';
}

/** What {@link dispatch} needs from the pump: its limits, the organism's signal, and hooks. */
export interface DispatchEnv {
  /** Bounds all handler calls (`max_concurrent_handlers`). */
  readonly maxConcurrentHandlers: number;
  /** Bounds each listener (`max_concurrent_per_agent`). */
  readonly perListener: KeyedSemaphore;
  readonly signal: AbortSignal;
  /** A call running longer is aborted (its signal) and reported as ORG_ERR_HANDLER_TIMEOUT. */
  readonly handlerTimeoutMs?: number;
  /** Trace context the call's span is a child of (the pass that routed it). Default: the active one. */
  traceParent?(call: Call): Context | undefined;
  /**
   * Called as the handler starts, with the trace context it runs in: the call's span's when a
   * tracing SDK records the span, else the parent context (a non-recording span adds nothing).
   */
  onStarted?(call: Call, traceContext: Context): void;
  /** Called once per job after its permit is released, whatever happened. */
  onSettled?(call: Call, settled: HandlerSettled): void;
}

function resultError(call: Call, detail: string): HandlerOutput {
  return {
    kind: 'error',
    call,
    error: new OrganismError(
      'ORG_ERR_HANDLER_RESULT',
      `handler of "${call.listener.name}" returned ${detail}: return nothing, XML text, typed payloads, an array of them, or a stream of text`,
    ),
  };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  return `a ${typeof value} (${String(value).slice(0, 40)})`;
}

function emitToOutput(call: Call, emit: Emit, to?: string, respond?: true): HandlerOutput {
  const route = { ...(to !== undefined ? { to } : {}), ...(respond ? { respond } : {}) };
  if (typeof emit === 'string') return { kind: 'xml', call, text: emit, ...route };
  if (isTypedPayload(emit)) return { kind: 'typed', call, payload: emit, ...route };
  if (to === undefined && !respond) {
    if (isAddressed(emit)) return emitToOutput(call, emit.payload as Emit, emit.to);
    if (isResponded(emit)) return emitToOutput(call, emit.payload as Emit, undefined, true);
    if (isHalted(emit)) return emit.reason === undefined ? { kind: 'halt', call } : { kind: 'halt', call, reason: emit.reason };
  }
  return resultError(call, describe(emit));
}

function isSingleEmit(value: unknown): value is Emit {
  return typeof value === 'string' || isTypedPayload(value) || isAddressed(value) || isResponded(value) || isHalted(value);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** Report an error nobody can handle the way rxjs does (its `config.onUnhandledError`, else thrown on a timer). */
function reportUnhandled(error: unknown): void {
  const { onUnhandledError } = rxjsConfig;
  if (onUnhandledError) onUnhandledError(error);
  else
    setTimeout(() => {
      throw error;
    });
}

/** What `onSettled` hears about a call that never ran (or was torn down before its end). */
const CANCELLED: HandlerSettled = Object.freeze({ durationMs: 0, outcome: 'cancelled' });

/** Calls the listener's handler with the listener as `this` (as `listener.handler(...)` does). */
function invokeHandler(this: Listener, value: unknown, context: HandlerContext): HandlerResult | Promise<HandlerResult> {
  return this.handler(value, context);
}

/**
 * A handler's `context`. It looks like the object literal it replaces — own enumerable `thread`,
 * `from`, `type`, then `signal` as an own enumerable getter (so `{ ...context }` still copies the
 * signal), then `self` for agents only — but its getter is one shared function: an object literal
 * with a getter costs a fresh closure and accessor pair per call (~0.7 µs in V8), this ~0.1 µs.
 */
class CallContext implements HandlerContext {
  static readonly #signal: PropertyDescriptor = {
    get(this: CallContext): AbortSignal {
      return this.#run.callSignal();
    },
    enumerable: true,
    configurable: true,
  };
  readonly #run: CallRun;
  declare readonly signal: AbortSignal;
  declare readonly self?: string;

  constructor(
    readonly thread: string,
    readonly from: string,
    readonly type: string,
    run: CallRun,
    self: string | undefined,
  ) {
    this.#run = run;
    Object.defineProperty(this, 'signal', CallContext.#signal);
    if (self !== undefined) (this as { self?: string }).self = self;
  }
}

/**
 * One job, from its permit to its `end` marker, written by hand (no operator chain per call):
 * waiting for the permit → running → closed (finished or torn down). Its outputs go straight to
 * the {@link Dispatcher}'s subscriber.
 */
class CallRun {
  /** Neighbours in the dispatcher's list of started calls (in start order). */
  prev: CallRun | undefined;
  next: CallRun | undefined;

  /** The end marker was (being) emitted, or the subscriber went away: emit nothing more. */
  private closed = false;
  /** The permit, timer, abort listener and span were let go. */
  private cleaned = false;
  /** `onSettled` was called. */
  private notified = false;
  private failed = false;
  private release: (() => void) | undefined;
  private span: Span | undefined;
  private started = 0;
  private settled: HandlerSettled | undefined;
  /** Neighbours in the dispatcher's deadline list (calls that began, in the order they began). */
  deadlinePrev: CallRun | undefined;
  deadlineNext: CallRun | undefined;
  /** In the deadline list. */
  watched = false;
  /** Set when the call timed out; reported before the end marker. */
  private timeoutReason: OrganismError | undefined;
  /** The call's own signal, created only if the handler asks for it (most never do). */
  private controller: AbortController | undefined;
  private onOrganismAbort: (() => void) | undefined;
  /** A streaming result being forwarded. */
  private stream: Subscription | undefined;

  constructor(
    private readonly env: DispatchEnv,
    private readonly job: Job,
    private readonly dispatcher: Dispatcher,
    private readonly subscriber: Subscriber<HandlerOutput>,
  ) {}

  /** Take the permit: synchronously when one is free (the pump's normal case), else wait for it. */
  start(): void {
    const { env } = this;
    const key = this.job.call.listener.key;
    const release = env.signal.aborted ? undefined : env.perListener.tryAcquire(key);
    if (release) {
      this.begin(release);
      return;
    }
    env.perListener.acquire(key, env.signal).then(
      (granted) => {
        if (this.closed) granted();
        else this.begin(granted);
      },
      // acquire() rejects only when the organism aborts: the call is dropped and reported by close()
      () => this.cancel(),
    );
  }

  /** The dispatcher was unsubscribed: let everything go; a call that had not ended counts as cancelled. */
  teardown(): void {
    this.closed = true;
    this.stream?.unsubscribe();
    this.cleanup();
    this.notifySettled();
  }

  /** The call never ran: an end marker, then settled as cancelled. */
  private cancel(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscriber.next({ kind: 'end', call: this.job.call, failed: true });
    this.cleanup();
    this.notifySettled();
    this.dispatcher.ended(this);
  }

  private begin(release: () => void): void {
    this.release = release;
    const { env, job } = this;
    const { call } = job;
    let result: HandlerResult | Promise<HandlerResult>;
    try {
      const parent = env.traceParent?.(call) ?? otelContext.active();
      const span = (this.span = tracingEnabled()
        ? tracer.startSpan(
            'organism.handler',
            { attributes: { 'organism.listener': call.listener.name, 'organism.thread': call.thread, 'organism.from': call.caller, 'organism.type': call.type } },
            parent,
          )
        : NO_SPAN);
      // Without an SDK the span records nothing: putting it into a context would be pure overhead.
      const recording = span.isRecording();
      const traceContext = recording ? trace.setSpan(parent, span) : parent;
      env.onStarted?.(call, traceContext);
      this.started = performance.now();
      this.dispatcher.watch(this);
      const context = new CallContext(call.thread, call.caller, call.type, this, call.listener.agent ? call.listener.name : undefined);
      try {
        // The handler runs inside its span's context, so spans it starts (an LLM call) nest under it.
        result =
          recording || traceContext !== otelContext.active()
            ? otelContext.with(traceContext, invokeHandler, call.listener, job.value, context)
            : invokeHandler.call(call.listener, job.value, context);
      } catch (error) {
        result = Promise.reject(error);
      }
    } catch {
      // the tracing hooks failed before the handler ran: drop the call like a cancelled one
      this.cancel();
      return;
    }
    Promise.resolve(result).then(
      (value) => this.onResult(value),
      (error: unknown) => this.onError(error),
    );
  }

  /** The call's own signal (see {@link CallContext}): aborted when the organism is torn down or the call times out. */
  callSignal(): AbortSignal {
    if (!this.controller) {
      const controller = (this.controller = new AbortController());
      const { signal } = this.env;
      if (this.timeoutReason) controller.abort(this.timeoutReason);
      else if (signal.aborted) controller.abort(signal.reason);
      else {
        this.onOrganismAbort = () => controller.abort(signal.reason);
        signal.addEventListener('abort', this.onOrganismAbort, { once: true });
      }
    }
    return this.controller.signal;
  }

  /** Whatever the handler returned, as outputs; plain values synchronously, streams as they come. */
  private onResult(result: HandlerResult): void {
    if (this.closed) return;
    const { call } = this.job;
    const { subscriber } = this;
    try {
      if (result === undefined || result === null) {
        // nothing to emit
      } else if (isSingleEmit(result)) {
        subscriber.next(emitToOutput(call, result));
      } else if (Array.isArray(result)) {
        for (const emit of result as readonly Emit[]) {
          if (this.closed) return;
          subscriber.next(emitToOutput(call, emit));
        }
      } else if (isObservable(result) || isAsyncIterable(result)) {
        this.follow(result as Observable<unknown> | AsyncIterable<unknown>);
        return;
      } else {
        subscriber.next(resultError(call, describe(result)));
      }
    } catch (error) {
      this.onError(error);
      return;
    }
    this.finish();
  }

  /** Forward a streaming result chunk by chunk. */
  private follow(stream: Observable<unknown> | AsyncIterable<unknown>): void {
    if (!isObservable(stream)) {
      this.pull(stream[Symbol.asyncIterator]());
      return;
    }
    const subscription = stream.subscribe({
      next: (chunk) => this.forward(chunk),
      error: (error: unknown) => this.onError(error),
      complete: () => this.finish(),
    });
    if (this.closed) subscription.unsubscribe();
    else this.stream = subscription;
  }

  /**
   * Read an async iterable as `from()` would (stop reading once the call is closed, then let the
   * iterator finish with `return()`), by hand: rxjs's down-levelled `for await` costs every chunk
   * several more promises and turns of the microtask queue on the way from the model to the pump.
   */
  private pull(iterator: AsyncIterator<unknown>): void {
    /** A value came out of the iterator (from() asks a failed iterator to finish only then). */
    let stepped = false;
    const stop = () => {
      iterator.return?.().then(undefined, () => {});
    };
    const onStep = (step: IteratorResult<unknown>) => {
      if (step.done) {
        this.finish();
        return;
      }
      stepped = true;
      if (this.closed) return stop();
      try {
        this.forward(step.value);
      } catch (error) {
        stop();
        this.onError(error);
        return;
      }
      if (this.closed) return stop();
      next();
    };
    const onError = (error: unknown) => {
      // as from(): an iterator that failed after yielding is still asked to finish
      if (stepped) stop();
      this.onError(error);
    };
    const next = () => {
      let step: Promise<IteratorResult<unknown>>;
      try {
        step = iterator.next();
      } catch (error) {
        onError(error);
        return;
      }
      // A thenable that is not a promise still settles like one.
      Promise.resolve(step).then(onStep, onError);
    };
    next();
  }

  private forward(chunk: unknown): void {
    if (this.closed) return;
    const { call } = this.job;
    this.subscriber.next(typeof chunk === 'string' ? { kind: 'chunk', call, text: chunk } : resultError(call, `a stream chunk that is ${describe(chunk)}`));
  }

  /** The handler threw, rejected or its stream failed. */
  private onError(error: unknown): void {
    if (this.closed) return;
    this.failed = true;
    const wrapped = asOrganismError(error, 'ORG_ERR_HANDLER_THREW');
    const span = this.span!;
    span.recordException(wrapped);
    span.setStatus({ code: SpanStatusCode.ERROR, message: wrapped.message });
    this.subscriber.next({ kind: 'error', call: this.job.call, error: wrapped });
    this.finish();
  }

  /** When the call began (`performance.now()`). */
  get startedAt(): number {
    return this.started;
  }

  /** handler_timeout_ms passed (the dispatcher's deadline list says so): abort the call's signal, stop forwarding, report it once. */
  timeOut(timeoutMs: number): void {
    if (this.closed) return;
    this.failed = true;
    const { call } = this.job;
    const error = new OrganismError(
      'ORG_ERR_HANDLER_TIMEOUT',
      `handler of "${call.listener.name}" ran longer than ${timeoutMs} ms and was aborted; raise handler_timeout_ms or make it honour context.signal`,
    );
    this.timeoutReason = error;
    this.controller?.abort(error);
    this.span!.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    if (this.closed) return; // the handler's stream ended while it was being aborted (timeout reported)
    this.stream?.unsubscribe();
    this.finish();
  }

  /** The output is over: a timeout report if any, the end marker, then the permit goes back. */
  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    const { call } = this.job;
    const { subscriber } = this;
    if (this.timeoutReason) subscriber.next({ kind: 'error', call, error: this.timeoutReason });
    this.settled = { durationMs: performance.now() - this.started, outcome: this.failed ? 'error' : 'ok' };
    subscriber.next({ kind: 'end', call, failed: this.failed });
    this.cleanup();
    this.notifySettled();
    this.dispatcher.ended(this);
  }

  private cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    this.dispatcher.unwatch(this);
    if (this.onOrganismAbort) this.env.signal.removeEventListener('abort', this.onOrganismAbort);
    this.release?.();
    this.span?.end();
  }

  private notifySettled(): void {
    if (this.notified) return;
    this.notified = true;
    try {
      this.env.onSettled?.(this.job.call, this.settled ?? CANCELLED);
    } catch (error) {
      // as rxjs reports an error thrown by a finalizer: never into the handler's promise chain
      reportUnhandled(error);
    }
  }
}

/**
 * The merge around the calls: what `mergeMap(run, maxConcurrentHandlers)` did, without an rxjs
 * subscription per call (each one would be added to, and on its end searched for and spliced out
 * of, an array as long as the number of calls in flight). Jobs beyond the bound wait in FIFO
 * order; a call that ends frees its slot only after its `onSettled` (as mergeMap's finalizers
 * did), then the oldest waiting job starts.
 */
class Dispatcher {
  private active = 0;
  /** Jobs beyond the bound, oldest first. */
  private readonly waiting = new RingQueue<Job>();
  private sourceDone = false;
  private closed = false;
  /** Started calls not yet ended, oldest first (a list, so ending one is O(1)). */
  private first: CallRun | undefined;
  private last: CallRun | undefined;
  private source: Subscription | undefined;
  /**
   * Calls that began and have not ended, in the order they began, so with their deadlines in
   * order: one timer, for the first deadline, serves them all (instead of a timer per call).
   */
  private deadlineFirst: CallRun | undefined;
  private deadlineLast: CallRun | undefined;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly timeoutMs: number | undefined;
  private readonly checkDeadlines = (): void => {
    this.deadlineTimer = undefined;
    const timeoutMs = this.timeoutMs!;
    const now = performance.now();
    for (let run = this.deadlineFirst; run !== undefined && run.startedAt + timeoutMs <= now; run = this.deadlineFirst) {
      this.unwatch(run);
      run.timeOut(timeoutMs);
    }
    this.armDeadline();
  };

  constructor(
    private readonly env: DispatchEnv,
    private readonly subscriber: Subscriber<HandlerOutput>,
  ) {
    const timeoutMs = env.handlerTimeoutMs;
    this.timeoutMs = timeoutMs !== undefined && Number.isFinite(timeoutMs) ? timeoutMs : undefined;
  }

  /** A call began: it times out `handlerTimeoutMs` from now unless it ends first. */
  watch(run: CallRun): void {
    if (this.timeoutMs === undefined || this.closed) return;
    run.watched = true;
    run.deadlinePrev = this.deadlineLast;
    if (this.deadlineLast) this.deadlineLast.deadlineNext = run;
    else this.deadlineFirst = run;
    this.deadlineLast = run;
    if (this.deadlineTimer === undefined) this.armDeadline();
  }

  /** A call ended (or timed out): it has no deadline any more. */
  unwatch(run: CallRun): void {
    if (!run.watched) return;
    run.watched = false;
    const prev = run.deadlinePrev;
    const next = run.deadlineNext;
    if (prev) prev.deadlineNext = next;
    else this.deadlineFirst = next;
    if (next) next.deadlinePrev = prev;
    else this.deadlineLast = prev;
    run.deadlinePrev = run.deadlineNext = undefined;
    if (this.deadlineFirst === undefined && this.deadlineTimer !== undefined) {
      clearTimeout(this.deadlineTimer);
      this.deadlineTimer = undefined;
    }
  }

  /**
   * The timer for the first deadline. It is not moved when the first call ends early: it then
   * fires for nothing once and is set again for the call that is first by then.
   */
  private armDeadline(): void {
    // A call that began inside checkDeadlines (a waiting job started as a timed-out one ended) may
    // have armed one already: never leave two.
    if (this.deadlineTimer !== undefined) {
      clearTimeout(this.deadlineTimer);
      this.deadlineTimer = undefined;
    }
    const first = this.deadlineFirst;
    if (first === undefined || this.closed) return;
    const delay = Math.max(1, Math.ceil(first.startedAt + this.timeoutMs! - performance.now()));
    this.deadlineTimer = setTimeout(this.checkDeadlines, delay);
  }

  subscribeTo(source: Observable<Job>): void {
    const subscription = source.subscribe({
      next: (job) => this.push(job),
      error: (error: unknown) => this.subscriber.error(error),
      complete: () => {
        this.sourceDone = true;
        this.checkComplete();
      },
    });
    // torn down while the source was still emitting synchronously
    if (this.closed) subscription.unsubscribe();
    else this.source = subscription;
  }

  private push(job: Job): void {
    if (this.closed) return;
    if (this.active < this.env.maxConcurrentHandlers) this.start(job);
    else this.waiting.push(job);
  }

  private start(job: Job): void {
    this.active++;
    const run = new CallRun(this.env, job, this, this.subscriber);
    run.prev = this.last;
    if (this.last) this.last.next = run;
    else this.first = run;
    this.last = run;
    try {
      run.start();
    } catch (error) {
      this.subscriber.error(error);
    }
  }

  /** A call emitted its end marker and settled: free its slot, start the oldest waiting job. */
  ended(run: CallRun): void {
    if (this.closed) return;
    const { prev, next } = run;
    if (prev) prev.next = next;
    else this.first = next;
    if (next) next.prev = prev;
    else this.last = prev;
    run.prev = run.next = undefined;
    this.active--;
    while (this.waiting.size > 0 && this.active < this.env.maxConcurrentHandlers && !this.closed) this.start(this.waiting.shift()!);
    this.checkComplete();
  }

  private checkComplete(): void {
    if (this.sourceDone && this.active === 0 && this.waiting.size === 0 && !this.closed) this.subscriber.complete();
  }

  /** Unsubscribed (or done): stop the source, tear down every started call, drop waiting jobs. */
  teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.source?.unsubscribe();
    this.waiting.clear();
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    for (let run = this.first; run; ) {
      const next = run.next;
      run.prev = run.next = undefined;
      run.teardown();
      run = next;
    }
    this.first = this.last = undefined;
  }
}

/**
 * Step 9: run handlers. At most `maxConcurrentHandlers` calls run at once (later jobs wait in
 * arrival order, as with `mergeMap(…, maxConcurrentHandlers)`); inside that bound a keyed
 * semaphore bounds each listener, and the permit is released whatever happens (end, error,
 * timeout or unsubscription). A handler that throws, returns garbage or nothing is contained:
 * the stream of outputs always ends with an `end` marker and never errors.
 *
 * Each call is driven by hand, not by an operator chain: the permit is taken synchronously when
 * free, the handler's plain results are emitted synchronously once its promise settles, streamed
 * Observables are subscribed to, and async iterables are read with one `next()` promise per
 * chunk. `handlerTimeoutMs` is one timer for all the calls: they
 * began in order, so the first to begin is the first to time out.
 */
export function dispatch(env: DispatchEnv): OperatorFunction<Job, HandlerOutput> {
  return (source) =>
    new Observable<HandlerOutput>((subscriber) => {
      const dispatcher = new Dispatcher(env, subscriber);
      dispatcher.subscribeTo(source);
      return () => dispatcher.teardown();
    });
}
