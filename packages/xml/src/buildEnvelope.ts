import { ENVELOPE_NS } from './envelopeSchema.js';
import { OrganismError } from './errors.js';
import { escapeXmlText } from './escapeXmlText.js';
import { rebaseDefaultNamespace } from './rebaseDefaultNamespace.js';

const ENVELOPE_OPEN = `<message xmlns="${ENVELOPE_NS}"><meta><from>`;

/**
 * Wraps one payload in an envelope. Meta text is escaped (`&`, `<`, `>`, CR as `&#xD;`; characters XML
 * cannot carry become U+FFFD). The payload's prolog (XML declaration, comments, processing instructions
 * before the root) is dropped. No unprefixed element may fall into the envelope namespace: an unprefixed
 * root without a default-namespace declaration gets `xmlns=""` (under a prefixed root, the topmost
 * unprefixed descendants without one get it), and a redundant `xmlns="<envelope namespace>"` there is
 * dropped. The payload is otherwise copied as is: parse the result to check it.
 *
 * **Canonical output.** When `payloadXml` is itself exclusive-C14N canonical (what {@link canonicalize}
 * returns for an element, e.g. a payload {@link payloadFromCanonical} sliced out, or a schema contract's
 * `toCanonicalXml`), the envelope is canonical too, byte for byte:
 * `canonicalize(parseXml(buildEnvelope(meta, p)).doc) === buildEnvelope(meta, p)`, so a pipeline that
 * built it may skip canonicalizing it again. This holds for every canonical payload, prefixed or not,
 * in any namespace (the envelope's included), and for any meta strings (whitespace is kept, as C14N
 * keeps it; characters XML cannot carry are replaced, so those do not read back unchanged). The one
 * exception is not of buildEnvelope's making: libxml2's C14N writes namespace names unescaped, so a
 * payload declaring a namespace whose name holds `&` has no well-formed canonical text to start from.
 *
 * @example
 * ```ts
 * buildEnvelope({ from: 'greeter', thread }, '<greeting><name>World</name></greeting>');
 * // <message xmlns="https://xml-pipeline.org/ns/envelope/v1"><meta><from>greeter</from><thread>…</thread>
 * // </meta><greeting xmlns=""><name>World</name></greeting></message>
 * ```
 */
export function buildEnvelope(meta: { from: string; to?: string; thread: string }, payloadXml: string): string {
  const to = meta.to === undefined ? '' : `<to>${escapeXmlText(meta.to)}</to>`;
  return (
    `${ENVELOPE_OPEN}${escapeXmlText(meta.from)}</from>${to}<thread>${escapeXmlText(meta.thread)}</thread></meta>` +
    `${preparePayload(payloadXml)}</message>`
  );
}

function preparePayload(xml: string): string {
  const start = skipProlog(xml);
  // Unprefixed elements must not fall into the envelope namespace: the topmost ones without a
  // default-namespace declaration get xmlns="" (on a prefixed root, its unprefixed descendants do).
  return rebaseDefaultNamespace(start === 0 ? xml : xml.slice(start), '', ENVELOPE_NS);
}

/** Index of the root element's '<', after whitespace, a BOM, an XML declaration, comments and PIs. */
function skipProlog(xml: string): number {
  let i = 0;
  const n = xml.length;
  for (;;) {
    while (i < n && isSpaceOrBom(xml.charCodeAt(i))) i++;
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) break;
      i = end + 2;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) break;
      i = end + 3;
    } else if (xml.startsWith('<!', i)) {
      throw new OrganismError(
        'ORG_ERR_XML_DTD',
        'the payload starts with a markup declaration (<!DOCTYPE ...); payloads never carry DTDs: remove it',
      );
    } else if (i < n && xml.charCodeAt(i) === 0x3c && isNameStart(xml.charCodeAt(i + 1))) {
      return i;
    } else {
      break;
    }
  }
  const shown = xml.slice(i, i + 40);
  throw new OrganismError(
    'ORG_ERR_ENVELOPE_PAYLOAD',
    `the payload must be one XML element, but at offset ${i} it has ${shown === '' ? 'nothing' : JSON.stringify(shown)}; ` +
      `pass the payload element's XML, e.g. '<greeting><name>World</name></greeting>'`,
  );
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isSpaceOrBom(c: number): boolean {
  return isSpace(c) || c === 0xfeff;
}

function isNameStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a || c >= 0x80;
}
