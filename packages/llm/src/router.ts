import { setMaxListeners } from 'node:events';
import { SpanKind, SpanStatusCode, context as otelContext, trace, type Context, type Span } from '@opentelemetry/api';
import { APICallError, type LanguageModelV3Prompt, type LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { OrganismError } from '@organism/xml';
import { modelFactory } from './backend.js';
import type { BackendSpec } from './backendSpec.js';

/** One turn of a conversation the model sees. */
export interface LlmMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

/** A completion to stream through the configured backends. */
export interface LlmRequest {
  readonly model: string;
  readonly system?: string;
  readonly messages: readonly LlmMessage[];
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** Only this backend (by name); default: any, as the strategy picks. */
  readonly backend?: string;
  /** Abort the request (the handler's `context.signal`). */
  readonly signal?: AbortSignal;
  /** For accounting: who asked and on which thread. */
  readonly agent?: string;
  readonly thread?: string;
}

/** How a completion went, once its stream ended. */
export interface LlmCompletion {
  readonly backend: string;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Attempts made, the successful one included. */
  readonly attempts: number;
  readonly durationMs: number;
  readonly text: string;
}

/**
 * The model's text as it streams, piece by piece; `completion` settles when it ends (and rejects
 * with the same error the iteration throws).
 */
export interface LlmStream extends AsyncIterable<string> {
  readonly completion: Promise<LlmCompletion>;
}

export type Strategy = 'failover' | 'round-robin' | 'least-loaded';

/** What the router reports to its accountant. */
export interface RouterEvents {
  /** A request to a backend started (an attempt). */
  attempted?(backend: string, request: LlmRequest): void;
  completed?(completion: LlmCompletion, request: LlmRequest): void;
  /** An attempt or the whole request failed (`final`: no more attempts). */
  failed?(error: OrganismError, backend: string | undefined, request: LlmRequest, final: boolean): void;
}

export interface RouterOptions {
  readonly strategy: Strategy;
  readonly retries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly backends: readonly BackendSpec[];
  readonly events?: RouterEvents;
}

/** Streams completions through the backends: picks one by strategy and limits, retries, fails over. */
export interface LlmRouter {
  /**
   * Stream a completion. Failures before the first piece of text are retried (429 and 503 after
   * their Retry-After, other 5xx, network errors and stalls on the next backend); a 4xx is
   * ORG_ERR_LLM_REQUEST at once. After text has arrived, a broken or stalled stream ends it with
   * ORG_ERR_LLM_UNAVAILABLE or ORG_ERR_LLM_TIMEOUT.
   *
   * @example
   * for await (const piece of router.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })) process.stdout.write(piece);
   */
  stream(request: LlmRequest): LlmStream;
  /** Per backend: requests running now and the tokens of the last minute. */
  load(): ReadonlyArray<{ readonly backend: string; readonly inFlight: number; readonly tokensLastMinute: number }>;
  /** Abort every running request and refuse new ones (ORG_ERR_CLOSED). Safe to call twice. */
  close(): void;
}

// A no-op unless the user registers an OpenTelemetry SDK.
const tracer = trace.getTracer('organism-llm');

const WINDOW_MS = 60_000;
const DEFAULT_OUTPUT_ESTIMATE = 256;

interface BackendState {
  readonly spec: BackendSpec;
  readonly model: ReturnType<typeof modelFactory>;
  inFlight: number;
  /** No request before this time (a Retry-After). */
  coolUntil: number;
  /** Token use in the last minute: reservations, replaced by actual use when known (a bounded ring by time). */
  readonly window: Array<{ at: number; tokens: number }>;
}

/** Why an attempt was aborted from inside the router. */
class Stalled extends Error {}

function tokensOf(text: string): number {
  return Math.ceil(text.length / 4);
}

function estimate(request: LlmRequest): number {
  let chars = request.system?.length ?? 0;
  for (const m of request.messages) chars += m.content.length;
  return Math.ceil(chars / 4) + (request.maxTokens ?? DEFAULT_OUTPUT_ESTIMATE);
}

/** Retry-After (seconds or an HTTP date) or retry-after-ms, in ms. */
function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A short, key-free account of a backend's error body. */
function bodyMessage(body: string | undefined): string {
  if (!body) return '';
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message);
    if (typeof message === 'string') return `: ${message.slice(0, 200)}`;
  } catch {
    // not JSON: say nothing of it
  }
  return '';
}

type Failure = { kind: 'fatal'; error: OrganismError } | { kind: 'retry'; error: OrganismError; retryAfter?: number };

function classify(error: unknown, backend: BackendSpec, model: string): Failure {
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const what = `backend "${backend.name}" (${backend.provider}, model ${model}) answered HTTP ${status ?? '?'}${bodyMessage(error.responseBody)}`;
    if (status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408) {
      return { kind: 'fatal', error: new OrganismError('ORG_ERR_LLM_REQUEST', `${what}; the request was not retried: check the model name, the key's variable and the prompt size`) };
    }
    const retryAfter = status === 429 || status === 503 ? retryAfterMs(error.responseHeaders) : undefined;
    return { kind: 'retry', error: new OrganismError('ORG_ERR_LLM_UNAVAILABLE', what), ...(retryAfter !== undefined ? { retryAfter } : {}) };
  }
  if (error instanceof Stalled) {
    return { kind: 'retry', error: new OrganismError('ORG_ERR_LLM_UNAVAILABLE', `backend "${backend.name}" sent nothing for ${backend.timeoutMs} ms (timeout_ms)`) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'retry', error: new OrganismError('ORG_ERR_LLM_UNAVAILABLE', `backend "${backend.name}" failed: ${message.slice(0, 200)}`) };
}

/** The request as the provider interface's prompt: the system text, then text turns. */
function toPrompt(request: LlmRequest): LanguageModelV3Prompt {
  const prompt: LanguageModelV3Prompt = [];
  if (request.system !== undefined) prompt.push({ role: 'system', content: request.system });
  for (const m of request.messages) prompt.push({ role: m.role, content: [{ type: 'text', text: m.content }] });
  return prompt;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A controller aborted (with the same reason) when any of `sources` is; `unlink` stops listening. */
function linkedController(sources: readonly AbortSignal[]): { controller: AbortController; unlink(): void } {
  const controller = new AbortController();
  const aborted = sources.find((s) => s.aborted);
  if (aborted) {
    controller.abort(aborted.reason);
    return { controller, unlink: () => {} };
  }
  const onAbort = (event: Event) => {
    unlink();
    controller.abort((event.target as AbortSignal).reason);
  };
  const unlink = () => {
    for (const source of sources) source.removeEventListener('abort', onAbort);
  };
  for (const source of sources) source.addEventListener('abort', onAbort, { once: true });
  return { controller, unlink };
}

class Router implements LlmRouter {
  private readonly backends: BackendState[];
  private readonly abort = new AbortController();
  /** Requests waiting for a backend slot, woken when one frees (each re-checks). */
  private readonly waiters = new Set<() => void>();
  private turn = 0;

  constructor(private readonly options: RouterOptions) {
    // Every running request listens to it (one listener each, removed as the request ends).
    setMaxListeners(0, this.abort.signal);
    this.backends = options.backends.map((spec) => ({ spec, model: modelFactory(spec), inFlight: 0, coolUntil: 0, window: [] }));
  }

  load() {
    const now = Date.now();
    return this.backends.map((b) => ({ backend: b.spec.name, inFlight: b.inFlight, tokensLastMinute: this.used(b, now) }));
  }

  close(): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort(new OrganismError('ORG_ERR_CLOSED', 'the LLM router was closed; the model request was aborted'));
    for (const wake of this.waiters) wake();
  }

  stream(request: LlmRequest): LlmStream {
    let settle!: { resolve: (c: LlmCompletion) => void; reject: (e: unknown) => void };
    const completion = new Promise<LlmCompletion>((resolve, reject) => (settle = { resolve, reject }));
    completion.catch(() => {}); // the iteration throws the same error: nobody must await both
    const run = this.run(request, settle, otelContext.active());
    return { completion, [Symbol.asyncIterator]: () => run };
  }

  private used(backend: BackendState, now: number): number {
    const { window } = backend;
    while (window.length > 0 && window[0]!.at <= now - WINDOW_MS) window.shift();
    let total = 0;
    for (const entry of window) total += entry.tokens;
    return total;
  }

  /** Backends in the order this request should try them. */
  private order(request: LlmRequest): BackendState[] {
    let list = request.backend ? this.backends.filter((b) => b.spec.name === request.backend) : [...this.backends];
    if (list.length === 0) {
      throw new OrganismError('ORG_ERR_LLM_REQUEST', `no LLM backend is named "${request.backend}"; name one of ${this.backends.map((b) => `"${b.spec.name}"`).join(', ')}`);
    }
    switch (this.options.strategy) {
      case 'failover':
        list.sort((a, b) => a.spec.priority - b.spec.priority);
        break;
      case 'round-robin': {
        const start = this.turn++ % list.length;
        list = [...list.slice(start), ...list.slice(0, start)];
        break;
      }
      case 'least-loaded':
        list.sort((a, b) => a.inFlight / a.spec.maxConcurrent - b.inFlight / b.spec.maxConcurrent || a.spec.priority - b.spec.priority);
        break;
    }
    return list;
  }

  /**
   * Take a slot on the first backend (in `order`, those in `avoid` last) that is free, not cooling
   * down after a Retry-After, and within its tokens per minute; wait while none is.
   */
  private async acquire(request: LlmRequest, need: number, avoid: ReadonlySet<BackendState>, signal: AbortSignal): Promise<BackendState> {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const now = Date.now();
      const ordered = this.order(request);
      const candidates = [...ordered.filter((b) => !avoid.has(b)), ...ordered.filter((b) => avoid.has(b))];
      let wakeAt = Infinity;
      for (const b of candidates) {
        if (b.inFlight >= b.spec.maxConcurrent) continue;
        if (b.coolUntil > now) {
          wakeAt = Math.min(wakeAt, b.coolUntil);
          continue;
        }
        const tpm = b.spec.rateLimitTpm;
        if (tpm !== undefined) {
          const used = this.used(b, now);
          if (used > 0 && used + need > tpm) {
            wakeAt = Math.min(wakeAt, b.window[0]!.at + WINDOW_MS);
            continue;
          }
        }
        b.inFlight++;
        return b;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        const timer = wakeAt === Infinity ? undefined : setTimeout(wake, Math.max(1, wakeAt - now));
        this.waiters.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  private release(backend: BackendState): void {
    backend.inFlight--;
    // Each wake() deletes itself, which a Set's live iteration allows; none adds one synchronously.
    for (const wake of this.waiters) wake();
  }

  private async *run(
    request: LlmRequest,
    settle: { resolve: (c: LlmCompletion) => void; reject: (e: unknown) => void },
    parent: Context,
  ): AsyncGenerator<string, void, undefined> {
    const started = performance.now();
    // One span per request (its retries and failover included), with the GenAI semantic conventions.
    const span: Span = tracer.startSpan(
      `chat ${request.model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': request.model,
          ...(request.temperature !== undefined ? { 'gen_ai.request.temperature': request.temperature } : {}),
          ...(request.maxTokens !== undefined ? { 'gen_ai.request.max_tokens': request.maxTokens } : {}),
          ...(request.agent !== undefined ? { 'gen_ai.agent.name': request.agent } : {}),
          ...(request.thread !== undefined ? { 'gen_ai.conversation.id': request.thread, 'organism.thread': request.thread } : {}),
        },
      },
      parent,
    );
    const { events } = this.options;
    // Plain controllers linked by listeners, not AbortSignal.any: that makes a dependent signal
    // held through weak references (left for the garbage collector) per request and per attempt.
    const linked = request.signal ? linkedController([request.signal, this.abort.signal]) : undefined;
    const signal = linked?.controller.signal ?? this.abort.signal;
    const avoid = new Set<BackendState>();
    const need = estimate(request);
    let attempts = 0;
    let backoff = this.options.retryBaseDelayMs;
    let finished = false;
    try {
      for (;;) {
        const backend = await this.acquire(request, need, avoid, signal);
        attempts++;
        events?.attempted?.(backend.spec.name, request);
        if (span.isRecording()) span.setAttributes({ 'gen_ai.provider.name': backend.spec.provider, 'organism.llm.backend': backend.spec.name, 'organism.llm.attempts': attempts });
        const reservation = { at: Date.now(), tokens: need };
        if (backend.spec.rateLimitTpm !== undefined) backend.window.push(reservation);
        const attempt = linkedController([signal]);
        const attemptSignal = attempt.controller.signal;
        // One timer per attempt: each piece only notes the time, and the timer, when it fires
        // early, waits for the rest (setting a timer per piece cost a timer object and two timer
        // list updates every time).
        const { timeoutMs } = backend.spec;
        let lastActivity = performance.now();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const watch = () => {
          const quiet = performance.now() - lastActivity;
          if (quiet >= timeoutMs) attempt.controller.abort(new Stalled());
          else timer = setTimeout(watch, Math.max(1, timeoutMs - quiet));
        };
        let text = '';
        /** The provider's stream ended by itself: nothing is left to cancel or abort. */
        let ended = false;
        let failure: Failure | undefined;
        let usage: { inputTokens?: number | undefined; outputTokens?: number | undefined } | undefined;
        try {
          timer = setTimeout(watch, timeoutMs);
          // The provider's model itself (LanguageModelV3.doStream): `streamText` of the `ai` package
          // runs every piece through a chain of stream transforms that doubled the time from a
          // piece's arrival to its text (docs/benchmarks.md, "LLM agents").
          const { stream } = await backend.model(request.model).doStream({
            prompt: toPrompt(request),
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
            ...(request.maxTokens !== undefined ? { maxOutputTokens: request.maxTokens } : {}),
            abortSignal: attemptSignal,
          });
          const reader = stream.getReader();
          try {
            for (;;) {
              const { done, value } = await reader.read();
              if (done) {
                ended = true;
                break;
              }
              lastActivity = performance.now();
              const part: LanguageModelV3StreamPart = value;
              if (part.type === 'text-delta') {
                if (part.delta === '') continue;
                text += part.delta;
                yield part.delta;
              } else if (part.type === 'finish') {
                usage = { inputTokens: part.usage.inputTokens.total, outputTokens: part.usage.outputTokens.total };
              } else if (part.type === 'error') {
                throw part.error;
              }
            }
          } finally {
            if (!ended) reader.cancel().catch(() => {});
          }
          if (attemptSignal.aborted) throw attemptSignal.reason;
        } catch (error) {
          if (signal.aborted) throw signal.reason instanceof OrganismError ? signal.reason : new OrganismError('ORG_ERR_CLOSED', 'the model request was aborted', { cause: signal.reason });
          // The SDK reports our own abort in its own words: the signal says whether it was a stall.
          const stalled = attemptSignal.reason instanceof Stalled;
          failure = classify(stalled ? attemptSignal.reason : error, backend.spec, request.model);
          if (text !== '') {
            // Payloads may already be dispatched: the request cannot be repeated, only ended.
            const code = stalled ? 'ORG_ERR_LLM_TIMEOUT' : 'ORG_ERR_LLM_UNAVAILABLE';
            throw new OrganismError(code, `${failure.error.message} after ${text.length} characters of output; the stream was ended`);
          }
        } finally {
          clearTimeout(timer);
          attempt.unlink();
          // Abort what is still running (a reader that stopped early, an error): that closes the
          // socket. A stream that ended is over; aborting it would only build an AbortError.
          if (!ended && !attemptSignal.aborted) attempt.controller.abort();
          this.release(backend);
        }
        if (!failure) {
          const inputTokens = usage?.inputTokens ?? tokensOf((request.system ?? '') + request.messages.map((m) => m.content).join(''));
          const outputTokens = usage?.outputTokens ?? tokensOf(text);
          reservation.tokens = inputTokens + outputTokens;
          const done: LlmCompletion = {
            backend: backend.spec.name,
            model: request.model,
            inputTokens,
            outputTokens,
            attempts,
            durationMs: performance.now() - started,
            text,
          };
          if (span.isRecording()) {
            span.setAttributes({
              'gen_ai.response.model': request.model,
              'gen_ai.usage.input_tokens': inputTokens,
              'gen_ai.usage.output_tokens': outputTokens,
            });
          }
          span.end();
          finished = true;
          events?.completed?.(done, request);
          settle.resolve(done);
          return;
        }
        reservation.tokens = 0;
        if (failure.kind === 'fatal') throw failure.error;
        const last = attempts > this.options.retries;
        events?.failed?.(failure.error, backend.spec.name, request, false);
        if (last) {
          throw new OrganismError('ORG_ERR_LLM_UNAVAILABLE', `no backend completed the request after ${attempts} attempts (retries: ${this.options.retries}); last: ${failure.error.message}`, {
            cause: failure.error,
          });
        }
        avoid.add(backend);
        if (failure.retryAfter !== undefined) backend.coolUntil = Date.now() + Math.min(failure.retryAfter, this.options.retryMaxDelayMs);
        // Another backend to try now: go; else back off (a Retry-After already holds the backend).
        const other = this.order(request).some((b) => !avoid.has(b));
        if (!other) {
          avoid.clear();
          if (failure.retryAfter === undefined) {
            const jittered = Math.min(backoff, this.options.retryMaxDelayMs) * (0.5 + Math.random() / 2);
            await sleep(jittered, signal);
            backoff *= 2;
          }
        }
      }
    } catch (error) {
      const wrapped = error instanceof OrganismError ? error : new OrganismError('ORG_ERR_LLM_UNAVAILABLE', String(error), { cause: error });
      span.recordException(wrapped);
      span.setAttributes({ 'error.type': wrapped.code });
      span.setStatus({ code: SpanStatusCode.ERROR, message: wrapped.message });
      span.end();
      finished = true;
      events?.failed?.(wrapped, undefined, request, true);
      settle.reject(wrapped);
      throw wrapped;
    } finally {
      linked?.unlink();
      if (!finished) {
        // The consumer stopped reading (return()): the attempt was aborted in its finally.
        span.end();
        settle.reject(new OrganismError('ORG_ERR_CLOSED', 'the model stream was abandoned by its reader'));
      }
    }
  }
}

/**
 * A router over configured backends (the `llm:` section builds one; tests and custom setups can
 * too).
 *
 * @example
 * const router = createLlmRouter({ strategy: 'failover', retries: 2, retryBaseDelayMs: 500, retryMaxDelayMs: 30_000,
 *   backends: [{ name: 'local', provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1', priority: 0, maxConcurrent: 4, timeoutMs: 60_000 }] });
 */
export function createLlmRouter(options: RouterOptions): LlmRouter {
  return new Router(options);
}
