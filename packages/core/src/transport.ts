import type { Observable } from 'rxjs';
import { LeanSubject } from './leanSubject.js';
import type { Origin } from './messageState.js';
import type { EgressMessage } from './organism.js';

/**
 * What crosses from one pass of the pump to the next: plain data only (envelope text and a few
 * meta fields), so a durable transport (NATS JetStream) can carry it. `receipt` is the one
 * exception: it never leaves the process (a transport serializes every other field).
 */
export interface TransportItem {
  readonly envelope: string | Uint8Array;
  readonly origin: Origin;
  /** Trusted sender identity; replaces the envelope's `<from>`. */
  readonly identity?: string;
  /** The thread the item travels on, when the organism already knows it (its own messages). */
  readonly thread?: string;
  /** The call chain the message travels with (listener names from the thread's origin). */
  readonly chain?: readonly string[];
  /** A reply to the previous hop (delivery does not extend the chain). */
  readonly reply?: boolean;
  /**
   * Set only by the organism on envelopes it built itself: the meta and payload it built them
   * from. The pass then skips re-parsing its own envelope; payloads for listeners are still
   * validated against their schemas.
   */
  readonly built?: BuiltEnvelope;
  /**
   * Set by the organism, for a transport that {@link Transport.carry | carries} deliveries: the
   * message was routed and charged to this one listener. The pass that receives it calls that
   * listener only.
   */
  readonly delivery?: RoutedDelivery;
  /** Set by the organism, for a transport that carries egress: the message leaves the organism. */
  readonly egress?: EgressItem;
  /**
   * Not data: the received message this item derives from. A durable transport sets it on what it
   * hands to `items$`; the organism holds it while work the message started is unfinished and sets
   * it on what that work publishes or carries, so the transport acknowledges a message only after
   * its outputs are stored (and can derive deduplication ids from it).
   */
  readonly receipt?: TransportReceipt;
}

/** The plain parts the organism built an envelope from. */
export interface BuiltEnvelope {
  readonly from: string;
  readonly to?: string;
  readonly thread: string;
  readonly tag: string;
  readonly ns: string;
  /** The payload as the pump serialized it (well-formed, within the limits). */
  readonly payloadXml: string;
}

/** A message routed to one listener, with what the call needs: its chain, its caller, the budgets spent. */
export interface RoutedDelivery {
  /** The listener's name. */
  readonly listener: string;
  /** The call chain of the call (ending at `listener`). */
  readonly chain: readonly string[];
  /** Who `respond()` answers. */
  readonly respondTo: string;
  /** The thread's budgets spent so far, this delivery included. */
  readonly budget: ThreadSnapshot;
}

/** A thread's spent budgets as plain data: any process can continue the thread from it. */
export interface ThreadSnapshot {
  /** Messages routed to listeners on the thread. */
  readonly messages: number;
  /** Deliveries per (listener, payload fingerprint) key, for the repeat guard. */
  readonly repeats: ReadonlyArray<readonly [string, number]>;
}

/** A message leaving the organism: the fields of an `egress$` event. */
export type EgressItem = EgressMessage;

/**
 * A durable transport's hold on one message it handed to the organism. The transport creates it
 * held once (for the pass the item starts); the organism takes one more hold for every piece of
 * work derived from it and releases each when that work ends. At zero holds the transport
 * acknowledges the message, or, if any release reported a failure, has it redelivered.
 *
 * @example
 * let holds = 1;
 * const receipt: TransportReceipt = {
 *   hold: () => void holds++,
 *   release: (failure) => { if (--holds === 0) failure ? msg.nak() : msg.ack(); },
 * };
 */
export interface TransportReceipt {
  hold(): void;
  /** `failure`: the work could not be completed (a carry was not stored): redeliver the message. */
  release(failure?: unknown): void;
}

/**
 * The re-injection loop behind a small interface. The default is an in-memory Subject.
 *
 * @example
 * const transport = memoryTransport();
 * transport.items$.subscribe((item) => console.log(item.origin));
 * transport.publish({ envelope: '<message …/>', origin: 'external' });
 */
export interface Transport {
  /** An envelope for a pass in this process (received on `items$`, synchronously or later). */
  publish(item: TransportItem): void;
  readonly items$: Observable<TransportItem>;
  /**
   * Present on a distributed transport: the organism routes every message itself and hands each
   * delivery to a listener (`delivery` set) and each message leaving the organism (`egress` set)
   * here, instead of running it in this process. The transport carries it to whichever process
   * hosts that listener (or egress), which receives it on `items$`. Resolves once the item is
   * stored; a rejection (an OrganismError) is reported on `errors$`.
   */
  carry?(item: TransportItem): Promise<void>;
  /** Stop receiving new items; called as the organism starts closing, before it drains. */
  stopIntake?(): void;
  close(): void | Promise<void>;
}

/** The default transport: a synchronous in-memory Subject. */
export function memoryTransport(): Transport {
  const subject = new LeanSubject<TransportItem>();
  return {
    publish: (item) => subject.next(item),
    items$: subject.asObservable(),
    close: () => subject.complete(),
  };
}
