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
  /** Aborted when the organism closes; pass it to fetch/LLM calls. */
  readonly signal: AbortSignal;
}

/** A payload with an explicit recipient. Build it with {@link sendTo}. */
export interface Addressed {
  readonly to: string;
  readonly payload: string | TypedPayload;
}

/** One thing a handler can emit: raw XML text (1..N payloads), a typed payload, or an addressed one. */
export type Emit = string | TypedPayload | Addressed;

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

export function isAddressed(x: unknown): x is Addressed {
  return typeof x === 'object' && x !== null && typeof (x as Addressed).to === 'string' && 'payload' in x;
}
