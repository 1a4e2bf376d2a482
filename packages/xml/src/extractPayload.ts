import type { XmlDocument, XmlElement } from 'libxml2-wasm';
import { ENVELOPE_NS } from './envelopeSchema';
import { elementChildren } from './childNodes';
import { OrganismError } from './errors';

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
  const children = elementChildren(root);
  for (let i = 0; i < children.length; i++) {
    const node = children[i]!;
    if (meta === undefined && payloads.length === 0 && node.name === 'meta') {
      meta = node; // by position, like the meta fields below
    } else {
      payloads.push(node);
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
  let from: string | undefined;
  let to: string | undefined;
  let thread: string | undefined;
  const fields = elementChildren(meta);
  for (let i = 0; i < fields.length; i++) {
    const node = fields[i]!;
    const name = node.name;
    if (from === undefined) {
      if (name !== 'from') break;
      from = node.content.trim();
    } else if (name === 'to' && to === undefined) {
      to = node.content.trim();
    } else {
      if (name === 'thread') thread = node.content.trim();
      break;
    }
  }
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

function describe(elements: readonly XmlElement[]): string {
  const shown = elements.slice(0, 5).map((el) => `<${el.name}> at line ${el.line}`);
  if (elements.length > 5) shown.push('…');
  return shown.join(', ');
}
