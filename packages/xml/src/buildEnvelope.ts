import { ENVELOPE_NS } from './envelopeSchema';
import { OrganismError } from './errors';
import { escapeXmlText } from './escapeXmlText';

const ENVELOPE_OPEN = `<message xmlns="${ENVELOPE_NS}"><meta><from>`;

/**
 * Wraps one payload in an envelope. Meta text is escaped. The payload's prolog (XML declaration, comments,
 * processing instructions before the root) is dropped, and a root without an `xmlns` attribute gets
 * `xmlns=""` so neither it nor its unprefixed descendants fall into the envelope namespace. The payload
 * is otherwise copied as is: parse the result to check it.
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
  const nameEnd = endOfName(xml, start + 1);
  // Also on a prefixed root: its unprefixed descendants must not inherit the envelope namespace.
  if (hasDefaultNamespaceDeclaration(xml, nameEnd)) return start === 0 ? xml : xml.slice(start);
  return `${xml.slice(start, nameEnd)} xmlns=""${xml.slice(nameEnd)}`;
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

function endOfName(xml: string, from: number): number {
  let i = from;
  while (i < xml.length) {
    const c = xml.charCodeAt(i);
    if (c === 0x3e /* > */ || c === 0x2f /* / */ || isSpace(c)) break;
    i++;
  }
  return i;
}

/** Whether the start tag beginning at `from` (just after the element name) has an `xmlns="..."` attribute. */
function hasDefaultNamespaceDeclaration(xml: string, from: number): boolean {
  let i = from;
  const n = xml.length;
  while (i < n) {
    const c = xml.charCodeAt(i);
    if (c === 0x3e /* > */) return false;
    if (c === 0x22 || c === 0x27) {
      const close = xml.indexOf(c === 0x22 ? '"' : "'", i + 1);
      if (close < 0) return false;
      i = close + 1;
      continue;
    }
    if (isSpace(c) && xml.startsWith('xmlns', i + 1)) {
      let j = i + 6;
      while (j < n && isSpace(xml.charCodeAt(j))) j++;
      if (xml.charCodeAt(j) === 0x3d /* = */) return true;
    }
    i++;
  }
  return false;
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
