import { canonicalize, envelopeFromCanonical, extractPayload as extract, payloadFromCanonical } from '@organism/xml';
import type { OperatorFunction } from 'rxjs';
import type { MessageState } from '../messageState.js';
import { syncStep } from './stepInternals.js';
import { requireDoc, setPayloadElement } from './documentInternals.js';
import { preparedOf, replayFailure } from './prepared.js';

/** Set what the step reads; a trusted identity replaces `<from>`. */
function setParts(state: MessageState, from: string, to: string | undefined, thread: string, tag: string, ns: string, payloadXml: string): void {
  state.from = state.identity ?? from;
  state.to = to;
  state.thread = thread;
  state.tag = tag;
  state.ns = ns;
  state.payloadXml = payloadXml;
}

/** The extractPayload step's work on one state. */
export function extractPayloadState(state: MessageState): void {
  const built = state.built;
  if (built) return setParts(state, built.from, built.to, built.thread, built.tag, built.ns, built.payloadXml);
  // The canonical text holds everything in the plain layout: no walk over libxml2 nodes (the payload
  // element, needed only to validate, is looked up when asked for).
  const read = state.canonical !== undefined ? envelopeFromCanonical(state.canonical) : undefined;
  if (read !== undefined) return setParts(state, read.from, read.to, read.thread, read.payloadTag, read.payloadNs, read.payloadXml);
  let parts;
  try {
    parts = extract(requireDoc(state));
  } catch (error) {
    // Still name the sender, so its <huh> reaches it (the envelope itself was valid).
    if (!state.from && state.canonical) {
      state.from = state.identity ?? /<meta><from>([^<]*)<\/from>/.exec(state.canonical)?.[1]?.trim();
    }
    throw error;
  }
  // Sliced from the canonical envelope when possible: canonicalizing the element costs far more.
  const payloadXml = (state.canonical !== undefined ? payloadFromCanonical(state.canonical) : undefined) ?? canonicalize(parts.payload);
  setParts(state, parts.from, parts.to, parts.thread, parts.payloadTag, parts.payloadNs, payloadXml);
  setPayloadElement(state, parts.payload);
}

/**
 * Step 4: read `<from>`, `<to>`, `<thread>` and the single payload element. A trusted identity
 * set by the injector (a response's listener, an authenticated client) replaces `<from>`.
 */
export function extractPayload(): OperatorFunction<MessageState, MessageState> {
  return syncStep('extractPayload', (state) => {
    const prepared = preparedOf(state);
    if (prepared === undefined) return extractPayloadState(state);
    if (prepared.from !== undefined) state.from = prepared.from;
    if (prepared.to !== undefined) state.to = prepared.to;
    if (prepared.thread !== undefined) state.thread = prepared.thread;
    if (prepared.tag !== undefined) state.tag = prepared.tag;
    if (prepared.ns !== undefined) state.ns = prepared.ns;
    if (prepared.payloadXml !== undefined) state.payloadXml = prepared.payloadXml;
    replayFailure(prepared, 'extractPayload');
  });
}
