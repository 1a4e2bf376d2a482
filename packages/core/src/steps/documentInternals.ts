import { OrganismError, parseXml, type XmlDocument, type XmlElement } from '@organism/xml';
import type { MessageState } from '../messageState';

const payloadElements = new WeakMap<MessageState, XmlElement>();

/** The parsed envelope; steps after an asynchronous boundary re-parse the canonical text. */
export function requireDoc(state: MessageState): XmlDocument {
  if (state.parsed) return state.parsed.doc;
  if (state.canonical === undefined) {
    throw new OrganismError('ORG_ERR_INTERNAL', 'envelope document is not available: run the repair step first');
  }
  state.parsed = parseXml(state.canonical);
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
  state.parsed = parseXml(state.payloadXml);
  const root = state.parsed.doc.root;
  payloadElements.set(state, root);
  return root;
}

/** Release the state's libxml2 document (idempotent). */
export function releaseDoc(state: MessageState): void {
  payloadElements.delete(state);
  if (state.parsed) {
    state.parsed.dispose();
    state.parsed = undefined;
  }
}
