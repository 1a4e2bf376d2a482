import type { XmlLimits } from '@organism/xml';
import type { PreparedEnvelope, SchemaId } from '../steps/prepared.js';
import type { PrepareRequest } from './prepareEnvelope.js';

/** An organism's part of the shared worker: its limits and its payload schemas by tag. */
export interface AttachMessage {
  readonly type: 'attach';
  readonly org: number;
  readonly limits: XmlLimits;
  /** Lower-case payload tag → `[schema id, XSD text]` of each schema for it. */
  readonly tags: ReadonlyArray<readonly [string, ReadonlyArray<readonly [SchemaId, string]>]>;
}

export type ToWorker =
  | AttachMessage
  | { readonly type: 'detach'; readonly org: number }
  | { readonly type: 'prepare'; readonly batch: number; readonly org: number; readonly requests: readonly PrepareRequest[] };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'prepared'; readonly batch: number; readonly results: readonly PreparedEnvelope[] }
  /** The batch could not be prepared (a bug or an exhausted worker): the pump does the work itself. */
  | { readonly type: 'failed'; readonly batch: number; readonly message: string };
