import { XmlElement } from 'libxml2-wasm';
import { OrganismError, parseXml, type ParsedXml, type XmlDocument, type XmlLimits } from '@organism/xml';
import type { MessageState } from '../messageState.js';

const payloadElements = new WeakMap<MessageState, XmlElement>();
/** Documents that are the whole envelope (not a payload parsed on its own). */
const envelopeDocs = new WeakSet<ParsedXml>();
/** States whose payload text was replaced: the element in the envelope no longer matches it. */
const replacedPayloads = new WeakSet<MessageState>();
// The limits the input was admitted under: a document re-parsed after an asynchronous boundary
// must be held to the organism's limits, not to the defaults.
const admittedLimits = new WeakMap<MessageState, Partial<XmlLimits>>();

/** Parse the envelope as it arrived (the repair step) under the organism's limits. */
export function parseInput(state: MessageState, limits: Partial<XmlLimits>): ParsedXml {
  admittedLimits.set(state, limits);
  const parsed = parseXml(state.input, limits);
  envelopeDocs.add(parsed);
  return parsed;
}

/** The parsed envelope; steps after an asynchronous boundary re-parse the canonical text (or the input). */
export function requireDoc(state: MessageState): XmlDocument {
  if (state.parsed) return state.parsed.doc;
  const limits = admittedLimits.get(state);
  if (state.canonical !== undefined) {
    state.parsed = parseXml(state.canonical, limits);
    envelopeDocs.add(state.parsed);
  } else if (limits !== undefined) {
    // Released right after the repair step (an asynchronous custom operator after `repair`).
    state.parsed = parseXml(state.input, limits);
    envelopeDocs.add(state.parsed);
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
  // The payload is the envelope root's last child element (the envelope was validated).
  if (state.parsed && envelopeDocs.has(state.parsed) && !replacedPayloads.has(state)) {
    const found = lastChildElement(state.parsed.doc);
    if (found !== undefined) {
      payloadElements.set(state, found);
      return found;
    }
  }
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
  replacedPayloads.add(state);
}

function lastChildElement(doc: XmlDocument): XmlElement | undefined {
  for (let node = doc.root.lastChild; node !== null; node = node.prev) {
    if (node instanceof XmlElement) return node.name === 'meta' ? undefined : node;
  }
  return undefined;
}

/** Release the state's libxml2 document (idempotent). */
export function releaseDoc(state: MessageState): void {
  payloadElements.delete(state);
  if (state.parsed) {
    state.parsed.dispose();
    state.parsed = undefined;
  }
}
