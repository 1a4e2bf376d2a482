import { SpanStatusCode, context as otelContext, trace, type Context } from '@opentelemetry/api';
import { OrganismError } from '@organism/xml';
import { isTypedPayload, type TypedPayload } from '@organism/schema';
import {
  EMPTY,
  catchError,
  concat,
  defer,
  finalize,
  from,
  isObservable,
  map,
  mergeMap,
  of,
  takeUntil,
  timer,
  type Observable,
  type OperatorFunction,
} from 'rxjs';
import { isAddressed, isHalted, isResponded, type Emit, type HandlerContext, type HandlerResult } from '../handler';
import type { KeyedSemaphore } from '../keyedSemaphore';
import type { Listener } from '../listener';
import { asOrganismError } from './stepInternals';

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
  /** Called as the handler starts, with the trace context of the call's span. */
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

/** Turn whatever a handler returned into outputs; streams are forwarded chunk by chunk. */
function resultToOutputs(call: Call, result: HandlerResult): Observable<HandlerOutput> {
  if (result === undefined || result === null) return EMPTY;
  if (isSingleEmit(result)) return of(emitToOutput(call, result));
  if (Array.isArray(result)) return from(result as Emit[]).pipe(map((emit) => emitToOutput(call, emit)));
  if (isObservable(result) || isAsyncIterable(result)) {
    return from(result as Observable<unknown>).pipe(
      map((chunk): HandlerOutput =>
        typeof chunk === 'string' ? { kind: 'chunk', call, text: chunk } : resultError(call, `a stream chunk that is ${describe(chunk)}`),
      ),
    );
  }
  return of(resultError(call, describe(result)));
}

/**
 * Step 9: run handlers. `mergeMap` with `maxConcurrentHandlers` bounds all calls; inside it a
 * keyed semaphore bounds each listener, and its permit is released in `finalize` whatever
 * happens. A handler that throws, returns garbage or nothing is contained: the stream of
 * outputs always ends with an `end` marker and never errors.
 */
export function dispatch(env: DispatchEnv): OperatorFunction<Job, HandlerOutput> {
  return mergeMap(
    (job) => {
      let settled: HandlerSettled | undefined;
      // The pump hands over a call only when its listener has a free permit: take it synchronously.
      return defer(() => {
        const release = env.signal.aborted ? undefined : env.perListener.tryAcquire(job.call.listener.key);
        return release ? of(release) : from(env.perListener.acquire(job.call.listener.key, env.signal));
      }).pipe(
        mergeMap((release) => {
          const { call } = job;
          let failed = false;
          let timedOut = false;
          // The call's own signal, created only if the handler asks for it (most never do): aborted
          // when the organism is torn down or the call times out.
          let controller: AbortController | undefined;
          let timeoutReason: OrganismError | undefined;
          const onOrganismAbort = () => controller?.abort(env.signal.reason);
          const callSignal = (): AbortSignal => {
            if (!controller) {
              controller = new AbortController();
              if (timeoutReason) controller.abort(timeoutReason);
              else if (env.signal.aborted) controller.abort(env.signal.reason);
              else env.signal.addEventListener('abort', onOrganismAbort, { once: true });
            }
            return controller.signal;
          };
          const context: HandlerContext = {
            thread: call.thread,
            from: call.caller,
            type: call.type,
            get signal() {
              return callSignal();
            },
            ...(call.listener.agent ? { self: call.listener.name } : {}),
          };
          const parent = env.traceParent?.(call) ?? otelContext.active();
          const span = tracer.startSpan(
            'organism.handler',
            { attributes: { 'organism.listener': call.listener.name, 'organism.thread': call.thread, 'organism.from': call.caller, 'organism.type': call.type } },
            parent,
          );
          const traceContext = trace.setSpan(parent, span);
          env.onStarted?.(call, traceContext);
          const started = performance.now();
          // The handler runs inside its span's context, so spans it starts (an LLM call) nest under it.
          const run = defer(() => otelContext.with(traceContext, async () => call.listener.handler(job.value, context))).pipe(
            mergeMap((result) => resultToOutputs(call, result)),
            catchError((error: unknown) => {
              failed = true;
              const wrapped = asOrganismError(error, 'ORG_ERR_HANDLER_THREW');
              span.recordException(wrapped);
              span.setStatus({ code: SpanStatusCode.ERROR, message: wrapped.message });
              return of<HandlerOutput>({ kind: 'error', call, error: wrapped });
            }),
          );
          const timeoutMs = env.handlerTimeoutMs;
          const limited =
            timeoutMs === undefined || !Number.isFinite(timeoutMs)
              ? run
              : run.pipe(
                  takeUntil(
                    timer(timeoutMs).pipe(
                      map(() => {
                        timedOut = failed = true;
                        const error = new OrganismError(
                          'ORG_ERR_HANDLER_TIMEOUT',
                          `handler of "${call.listener.name}" ran longer than ${timeoutMs} ms and was aborted; raise handler_timeout_ms or make it honour context.signal`,
                        );
                        timeoutReason = error;
                        controller?.abort(error);
                        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
                        return error;
                      }),
                    ),
                  ),
                );
          const timeoutReport = defer(() =>
            timedOut
              ? of<HandlerOutput>({ kind: 'error', call, error: timeoutReason! })
              : EMPTY,
          );
          const end = defer(() => {
            settled = { durationMs: performance.now() - started, outcome: failed ? 'error' : 'ok' };
            return of<HandlerOutput>({ kind: 'end', call, failed });
          });
          return concat(limited, timeoutReport, end).pipe(
            finalize(() => {
              if (controller) env.signal.removeEventListener('abort', onOrganismAbort);
              release();
              span.end();
            }),
          );
        }),
        // acquire() rejects only when the organism aborts: the call is dropped and reported by close()
        catchError(() => of<HandlerOutput>({ kind: 'end', call: job.call, failed: true })),
        finalize(() => env.onSettled?.(job.call, settled ?? { durationMs: 0, outcome: 'cancelled' })),
      );
    },
    env.maxConcurrentHandlers,
  );
}
