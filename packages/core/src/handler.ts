import type { Observable } from 'rxjs';
import type { TypedPayload } from '@organism/schema';

/** What a handler knows about the message it is handling. */
export interface HandlerContext {
  /** Opaque thread id (UUID v4) the message travels on; responses stay on it. */
  readonly thread: string;
  /** Who sent the message: a listener name or an external client such as `user`. */
  readonly from: string;
  /** The handling listener's own name; set for agents only (`agent: true`). */
  readonly self?: string;
  /** Name of the payload type that arrived (useful when a listener accepts several). */
  readonly type: string;
  /**
   * Aborted when the call exceeds `handler_timeout_ms` (reason: ORG_ERR_HANDLER_TIMEOUT) or the
   * organism is torn down; pass it to fetch/LLM calls. `close()` drains first: running handlers
   * are allowed to finish.
   */
  readonly signal: AbortSignal;
}

/** A payload with an explicit recipient. Build it with {@link sendTo}. */
export interface Addressed {
  readonly to: string;
  readonly payload: string | TypedPayload;
}

/** A reply to whoever called this listener on this thread. Build it with {@link respond}. */
export interface Responded {
  readonly respond: true;
  readonly payload: string | TypedPayload;
}

/** Ends the thread. Build it with {@link halt}. */
export interface Halted {
  readonly halt: true;
  readonly reason?: string;
}

/**
 * One thing a handler can emit: raw XML text (1..N payloads), a typed payload, an addressed one,
 * a reply to the caller, or the end of the thread.
 */
export type Emit = string | TypedPayload | Addressed | Responded | Halted;

/**
 * What a handler may return: nothing (no response), one or several emits, or a stream of text
 * chunks (LLM output). Payloads in a stream are dispatched as soon as each one closes.
 */
export type HandlerResult =
  | void
  | null
  | undefined
  | Emit
  | readonly Emit[]
  | AsyncIterable<string>
  | Observable<string>;

/**
 * A listener's handler. Handlers are untrusted: whatever they return is parsed, validated and
 * re-enveloped by the pump, which sets `<from>` and `<thread>` itself.
 *
 * @example
 * const greet: Handler<{ name: string }> = async ({ name }) =>
 *   `<greetingresponse><message>Hello, ${name}!</message></greetingresponse>`;
 */
export type Handler<T = any> = (payload: T, context: HandlerContext) => HandlerResult | Promise<HandlerResult>;

/**
 * Address a payload to a listener or an external client explicitly.
 *
 * @example
 * return sendTo('user', Answer.of({ text: '42' }));
 */
export function sendTo(to: string, payload: string | TypedPayload): Addressed {
  return { to, payload };
}

/**
 * Reply to the caller: the payload goes to the previous hop of this thread's call chain (who
 * called this listener), and the chain is pruned. The XML form an LLM can write is
 * `<return>…payload…</return>`.
 *
 * @example
 * // a tool that got its result from a peer answers whoever asked it
 * return respond(Answer.of({ text: 'The sum is 13.' }));
 */
export function respond(payload: string | TypedPayload): Responded {
  return { respond: true, payload };
}

/**
 * End the thread: nothing further is routed on it. The XML form is `<halt/>` (optionally with a
 * reason as its text).
 *
 * @example
 * return [respond(Answer.of({ text: 'done' })), halt('answered')];
 */
export function halt(reason?: string): Halted {
  return reason === undefined ? { halt: true } : { halt: true, reason };
}

export function isResponded(x: unknown): x is Responded {
  return typeof x === 'object' && x !== null && (x as Responded).respond === true && 'payload' in x;
}

export function isHalted(x: unknown): x is Halted {
  return typeof x === 'object' && x !== null && (x as Halted).halt === true;
}

export function isAddressed(x: unknown): x is Addressed {
  return typeof x === 'object' && x !== null && typeof (x as Addressed).to === 'string' && 'payload' in x;
}
