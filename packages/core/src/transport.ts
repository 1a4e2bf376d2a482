import type { Observable } from 'rxjs';
import { LeanSubject } from './leanSubject.js';
import type { Origin } from './messageState.js';

/**
 * What crosses from one pass of the pump to the next: plain data only (envelope text and a few
 * meta fields), so a durable transport (NATS JetStream) can carry it.
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

/**
 * The re-injection loop behind a small interface. The default is an in-memory Subject.
 *
 * @example
 * const transport = memoryTransport();
 * transport.items$.subscribe((item) => console.log(item.origin));
 * transport.publish({ envelope: '<message …/>', origin: 'external' });
 */
export interface Transport {
  publish(item: TransportItem): void;
  readonly items$: Observable<TransportItem>;
  close(): void;
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
