import { OrganismError, parseXml, type ParsedXml, type XmlDocument, type XmlElement, type XmlLimits } from '@organism/xml';
import type { MessageState } from '../messageState';

const payloadElements = new WeakMap<MessageState, XmlElement>();
// The limits the input was admitted under: a document re-parsed after an asynchronous boundary
// must be held to the organism's limits, not to the defaults.
const admittedLimits = new WeakMap<MessageState, Partial<XmlLimits>>();

/** Parse the envelope as it arrived (the repair step) under the organism's limits. */
export function parseInput(state: MessageState, limits: Partial<XmlLimits>): ParsedXml {
  admittedLimits.set(state, limits);
  return parseXml(state.input, limits);
}

/** The parsed envelope; steps after an asynchronous boundary re-parse the canonical text (or the input). */
export function requireDoc(state: MessageState): XmlDocument {
  if (state.parsed) return state.parsed.doc;
  const limits = admittedLimits.get(state);
  if (state.canonical !== undefined) {
    state.parsed = parseXml(state.canonical, limits);
  } else if (limits !== undefined) {
    // Released right after the repair step (an asynchronous custom operator after `repair`).
    state.parsed = parseXml(state.input, limits);
  } else {
    throw new OrganismError('ORG_ERR_INTERNAL', 'envelope document is not available: run the repair step first');
  }
  payloadElements.delete(state);
  return state.parsed.doc;
}

export function setPayloadElement(state: MessageState, element: XmlElement): void {
  payloadElements.set(state, element);
}

/**
 * The payload element inside the live envelope document. When the document was released (the
 * state crossed an asynchronous custom operator), the canonical payload is parsed again.
 */
export function requirePayloadElement(state: MessageState): XmlElement {
  const element = payloadElements.get(state);
  if (element && state.parsed) return element;
  if (state.payloadXml === undefined) {
    throw new OrganismError('ORG_ERR_INTERNAL', 'payload is not available: run the extractPayload step first');
  }
  state.parsed?.dispose();
  state.parsed = parseXml(state.payloadXml, admittedLimits.get(state));
  const root = state.parsed.doc.root;
  payloadElements.set(state, root);
  return root;
}

/**
 * Replace the payload text (e.g. its root tag normalized); the payload element is parsed again
 * from it when next needed.
 */
export function replacePayloadXml(state: MessageState, xml: string): void {
  state.payloadXml = xml;
  payloadElements.delete(state);
}

/** Release the state's libxml2 document (idempotent). */
export function releaseDoc(state: MessageState): void {
  payloadElements.delete(state);
  if (state.parsed) {
    state.parsed.dispose();
    state.parsed = undefined;
  }
}
