import { canonicalize, envelopeFromCanonical, extractPayload as extract, payloadFromCanonical } from '@organism/xml';
import type { OperatorFunction } from 'rxjs';
import type { MessageState } from '../messageState';
import { syncStep } from './stepInternals';
import { requireDoc, setPayloadElement } from './documentInternals';
import { preparedOf, replayFailure } from './prepared';

/** The extractPayload step's work on one state. */
export function extractPayloadState(state: MessageState): void {
  if (state.built) {
    const built = state.built;
    state.from = state.identity ?? built.from;
    state.to = built.to;
    state.thread = built.thread;
    state.tag = built.tag;
    state.ns = built.ns;
    state.payloadXml = built.payloadXml;
    return;
  }
  // The canonical text holds everything in the plain layout: no walk over libxml2 nodes (the payload
  // element, needed only to validate, is looked up when asked for).
  const read = state.canonical !== undefined ? envelopeFromCanonical(state.canonical) : undefined;
  if (read !== undefined) {
    state.from = state.identity ?? read.from;
    state.to = read.to;
    state.thread = read.thread;
    state.tag = read.payloadTag;
    state.ns = read.payloadNs;
    state.payloadXml = read.payloadXml;
    return;
  }
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
  state.from = state.identity ?? parts.from;
  state.to = parts.to;
  state.thread = parts.thread;
  state.tag = parts.payloadTag;
  state.ns = parts.payloadNs;
  // Sliced from the canonical envelope when possible: canonicalizing the element costs far more.
  state.payloadXml = (state.canonical !== undefined ? payloadFromCanonical(state.canonical) : undefined) ?? canonicalize(parts.payload);
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
