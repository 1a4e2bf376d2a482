import { XmlElement, XmlTreeNode, type XmlDocument } from 'libxml2-wasm';
import { ENVELOPE_NS } from './envelopeSchema.js';
import { elementChildren } from './childNodes.js';
import { OrganismError } from './errors.js';

/**
 * The meta fields and the single payload element of an envelope.
 *
 * @example
 * ```ts
 * const { from, to, thread, payload, payloadTag, payloadNs }: EnvelopeParts = extractPayload(doc);
 * ```
 */
export interface EnvelopeParts {
  /** `<from>` text, trimmed. */
  from: string;
  /** `<to>` text, trimmed; absent when the envelope has no `<to>`. */
  to?: string;
  /** `<thread>` text, trimmed (may be anything: `assignThread` decides what to keep). */
  thread: string;
  /** The payload element, alive as long as its document. */
  payload: XmlElement;
  /** The payload's local name, as written (case preserved). */
  payloadTag: string;
  /** The payload's namespace URI, `''` if none. */
  payloadNs: string;
}

/**
 * Reads the meta fields (trimmed) and the one payload element of an envelope document that passed
 * {@link validateEnvelope} (the meta fields are read by their schema positions). Zero or several payload
 * elements, which the schema cannot rule out, are ORG_ERR_ENVELOPE_PAYLOAD; a root that is not an
 * envelope, or a `<meta>` that does not start with `<from>`, `<to>`?, `<thread>`, is ORG_ERR_ENVELOPE_INVALID.
 *
 * @example
 * ```ts
 * const { from, thread, payload, payloadTag } = extractPayload(parsed.doc);
 * ```
 */
export function extractPayload(doc: XmlDocument): EnvelopeParts {
  const root = doc.root;
  if (root.name !== 'message' || root.namespaceUri !== ENVELOPE_NS) {
    throw new OrganismError(
      'ORG_ERR_ENVELOPE_INVALID',
      `line ${root.line}: the root element is <${root.name}> in namespace "${root.namespaceUri}", not an envelope; ` +
        `wrap the payload in <message xmlns="${ENVELOPE_NS}">`,
    );
  }

  let meta: XmlElement | undefined;
  const payloads: XmlElement[] = [];
  // Walking firstChild/next allocates nothing that outlives the loop; a processing instruction (which
  // libxml2-wasm gives no next sibling) sends the walk to the slower elementChildren instead.
  let walked = true;
  for (let node = root.firstChild; node !== null; node = node.next) {
    if (!(node instanceof XmlElement)) {
      if (node instanceof XmlTreeNode) continue;
      walked = false;
      break;
    }
    if (meta === undefined && payloads.length === 0 && node.name === 'meta') meta = node; // by position, like the meta fields below
    else payloads.push(node);
  }
  if (!walked) {
    meta = undefined;
    payloads.length = 0;
    for (const node of elementChildren(root)) {
      if (meta === undefined && payloads.length === 0 && node.name === 'meta') meta = node;
      else payloads.push(node);
    }
  }
  if (meta === undefined) {
    throw new OrganismError(
      'ORG_ERR_ENVELOPE_INVALID',
      `line ${root.line}: the envelope has no <meta> block; start it with <meta><from>…</from><thread>…</thread></meta>`,
    );
  }

  // <meta> is the XSD sequence from, to?, thread, then extensions from other namespaces. Reading it by
  // position needs no namespace look-ups (each costs a string decode out of wasm memory): in a validated
  // envelope the first three element slots can only hold envelope-namespace elements.
  const fields = new MetaFields();
  let metaWalked = true;
  for (let node = meta.firstChild; node !== null; node = node.next) {
    if (!(node instanceof XmlElement)) {
      if (node instanceof XmlTreeNode) continue;
      metaWalked = false;
      break;
    }
    if (fields.read(node)) break;
  }
  if (!metaWalked) {
    fields.reset();
    for (const node of elementChildren(meta)) if (fields.read(node)) break;
  }
  const { from, to, thread } = fields;
  if (from === undefined || thread === undefined) {
    const missing = from === undefined ? 'from' : 'thread';
    throw new OrganismError(
      'ORG_ERR_ENVELOPE_INVALID',
      `line ${meta.line}: <meta> does not start with <from>, optional <to>, then <thread> (no <${missing}> ` +
        `where expected); every envelope names its sender and thread in that order`,
    );
  }

  const payload = payloads[0];
  if (payload === undefined || payloads.length > 1) {
    const found =
      payloads.length === 0 ? 'no payload element' : `${payloads.length} payload elements (${describe(payloads)})`;
    throw new OrganismError(
      'ORG_ERR_ENVELOPE_PAYLOAD',
      `the envelope from "${from}" carries ${found}; an envelope carries exactly one payload element ` +
        `after <meta>: send each payload in its own envelope`,
    );
  }

  const parts: EnvelopeParts = {
    from,
    thread,
    payload,
    payloadTag: payload.name,
    payloadNs: payload.namespaceUri ?? '',
  };
  if (to !== undefined) parts.to = to;
  return parts;
}

/** The leading from, to?, thread of <meta>, read element by element. */
class MetaFields {
  from: string | undefined;
  to: string | undefined;
  thread: string | undefined;

  /** Reads one child element of <meta>; true when the rest need not be read. */
  read(node: XmlElement): boolean {
    const name = node.name;
    if (this.from === undefined) {
      if (name !== 'from') return true;
      this.from = node.content.trim();
    } else if (name === 'to' && this.to === undefined) {
      this.to = node.content.trim();
    } else {
      if (name === 'thread') this.thread = node.content.trim();
      return true;
    }
    return false;
  }

  reset(): void {
    this.from = this.to = this.thread = undefined;
  }
}

function describe(elements: readonly XmlElement[]): string {
  const shown = elements.slice(0, 5).map((el) => `<${el.name}> at line ${el.line}`);
  if (elements.length > 5) shown.push('…');
  return shown.join(', ');
}
