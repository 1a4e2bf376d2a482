import type { OrganismError, ParsedXml, XmlLimits } from '@organism/xml';
import type { Target, RoutingTable } from './routingTable.js';
import type { Listener } from './listener.js';
import type { BuiltEnvelope } from './transport.js';

/** Where a pass came from. */
export type Origin = 'external' | 'response' | 'system';

/** One payload ready for one listener's handler. */
export interface Delivery {
  readonly target: Target;
  /** The typed object the handler receives. */
  readonly value: unknown;
}

/**
 * The state of one envelope's pass through the standard steps. Custom operators receive and
 * return it; they may read everything and should treat it as read-only. What crosses from one
 * pass to the next is plain data (the envelope text and a few meta fields), never live objects.
 */
export interface MessageState {
  /** Sequence number of this pass, unique per organism. */
  readonly seq: number;
  /** The envelope as it arrived. */
  readonly input: string | Uint8Array;
  readonly origin: Origin;
  /** Trusted sender identity set by whoever injected the envelope (replaces `<from>`). */
  readonly identity?: string;
  /** The call chain this message travels with; absent for external messages (it starts at `from`). */
  readonly chain?: readonly string[];
  /** A reply to the previous hop of the chain. */
  readonly reply?: boolean;
  /** The organism built this envelope itself: the envelope steps use these parts instead of parsing. */
  readonly built?: BuiltEnvelope;
  /** The libxml2 document; released when the synchronous pass ends. Internal. */
  parsed?: ParsedXml;
  /** What the repair step changed, as libxml2 reported it; empty when the input was well-formed. */
  repairs: readonly string[];
  /** Exclusive C14N of the envelope. */
  canonical?: string;
  from?: string;
  to?: string;
  thread?: string;
  /** The thread was started here (the envelope's thread was missing or not a UUID v4). */
  newThread?: boolean;
  /** Payload root tag as written. */
  tag?: string;
  /** Payload namespace URI; `''` when none. */
  ns?: string;
  /** Exclusive C14N of the payload element. */
  payloadXml?: string;
  /** Where the route step sent it. */
  route?:
    | { readonly kind: 'deliver'; readonly targets: readonly Target[] }
    | { readonly kind: 'egress'; readonly to: string }
    | { readonly kind: 'huh'; readonly to: string; readonly listener?: Listener }
    /** An introspection request, answered by the organism itself. */
    | { readonly kind: 'meta' }
    /** An introspection answer from the organism to one of its listeners. */
    | { readonly kind: 'system'; readonly listener: Listener };
  deliveries?: Delivery[];
  /** Set by the first step that failed; later steps skip the state. */
  error?: OrganismError;
  /** The step that set `error`. */
  failedStep?: StepName;
}

/** The standard steps, in order. Custom operators plug in after any of them. */
export const STEP_NAMES = [
  'repair',
  'canonicalize',
  'validateEnvelope',
  'extractPayload',
  'assignThread',
  'route',
  'validatePayload',
  'deserialize',
] as const;
export type StepName = (typeof STEP_NAMES)[number] | 'dispatch' | 'extractResponses' | 'envelope';

/** What the steps need from the organism; a value so the routing table can be swapped. */
export interface PumpEnv {
  readonly limits: XmlLimits;
  routing(): RoutingTable;
  newThreadId(): string;
  /** Whether a name outside the organism may be addressed (declared or connected external party). */
  isExternal(name: string): boolean;
}
