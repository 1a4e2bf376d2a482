import { ENVELOPE_NS } from './envelopeSchema.js';
import { escapeXmlText } from './escapeXmlText.js';

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f; // /
const EQUALS = 0x3d; // =
const DQUOTE = 0x22;
const SQUOTE = 0x27;

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

// Anything the fast path leaves to saxes: references, CR (line-end normalization), characters XML
// cannot carry. Surrogates are flagged here and let through when they pair up.
const MAYBE_COMPLEX = /[&\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const INVALID_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// Characters an attribute value may hold on the fast path: none that saxes normalizes or that
// escapeXmlAttribute would rewrite.
const PLAIN_ATTRIBUTE_VALUE = /^[^<>"'&\t\n\r]*$/;

/**
 * The payload item {@link PayloadExtractor} would give for `chunk`, when `chunk` is one plain element
 * that saxes reads without a single complaint, computed without saxes; undefined otherwise (saxes
 * decides). Plain: whitespace (space, tab, LF) around one element; ASCII element and attribute names
 * without prefixes (a default `xmlns` is fine); attribute values without `<>"'&`, tab, CR or LF; no
 * entity or character references, comments, CDATA, processing instructions, CR or `]]>`; at most
 * `maxDepth` levels; not `<message>` and not in the envelope namespace (saxes's path refuses those).
 * The item's XML is what saxes's events re-serialize to: attributes in source order, empty-element
 * tags kept, text escaped by {@link escapeXmlText}.
 */
export function simplePayload(chunk: string, maxDepth: number): { kind: 'payload'; xml: string; tag: string; ns: string } | undefined {
  if (MAYBE_COMPLEX.test(chunk) && (chunk.includes('&') || chunk.includes('\r') || INVALID_CHAR.test(chunk))) return undefined;
  const n = chunk.length;
  let i = skipSpace(chunk, 0);
  if (chunk.charCodeAt(i) !== LT) return undefined;
  const open: string[] = [];
  let xml = '';
  let tag = '';
  let ns = '';
  for (;;) {
    // chunk[i] is '<'
    if (chunk.charCodeAt(i + 1) === SLASH) {
      const nameEnd = asciiNameEnd(chunk, i + 2);
      const name = chunk.slice(i + 2, nameEnd);
      if (name !== open[open.length - 1]) return undefined;
      i = skipSpace(chunk, nameEnd);
      if (chunk.charCodeAt(i) !== GT) return undefined;
      xml += `</${name}>`;
      open.pop();
      i++;
    } else {
      const nameEnd = asciiNameEnd(chunk, i + 1);
      if (nameEnd === i + 1) return undefined; // '<!', '<?', '<:', a stray '<'
      const name = chunk.slice(i + 1, nameEnd);
      if (open.length + 1 > maxDepth) return undefined;
      xml += `<${name}`;
      let defaultNs: string | undefined;
      let seen: string[] | undefined;
      let j = nameEnd;
      let selfClosing = false;
      for (;;) {
        const afterSpace = skipSpace(chunk, j);
        const c = chunk.charCodeAt(afterSpace);
        if (c === GT) {
          j = afterSpace + 1;
          break;
        }
        if (c === SLASH && chunk.charCodeAt(afterSpace + 1) === GT) {
          selfClosing = true;
          j = afterSpace + 2;
          break;
        }
        if (afterSpace === j) return undefined; // attributes need whitespace before them
        const attrEnd = asciiNameEnd(chunk, afterSpace);
        if (attrEnd === afterSpace) return undefined;
        const attr = chunk.slice(afterSpace, attrEnd);
        if (seen === undefined) seen = [attr];
        else if (seen.includes(attr)) return undefined;
        else seen.push(attr);
        let k = skipSpace(chunk, attrEnd);
        if (chunk.charCodeAt(k) !== EQUALS) return undefined;
        k = skipSpace(chunk, k + 1);
        const quote = chunk.charCodeAt(k);
        if (quote !== DQUOTE && quote !== SQUOTE) return undefined;
        const close = chunk.indexOf(quote === DQUOTE ? '"' : "'", k + 1);
        if (close < 0) return undefined;
        const value = chunk.slice(k + 1, close);
        if (!PLAIN_ATTRIBUTE_VALUE.test(value)) return undefined;
        if (attr === 'xmlns') {
          // saxes trims the namespace name and refuses the reserved ones.
          if (value.trim() !== value || value === XML_NAMESPACE || value === XMLNS_NAMESPACE) return undefined;
          defaultNs = value;
        }
        xml += ` ${attr}="${value}"`;
        j = close + 1;
      }
      if (open.length === 0) {
        tag = name;
        ns = defaultNs ?? '';
        if (name === 'message' || ns === ENVELOPE_NS) return undefined;
      }
      xml += selfClosing ? '/>' : '>';
      if (!selfClosing) open.push(name);
      i = j;
    }
    if (open.length === 0) return skipSpace(chunk, i) === n ? { kind: 'payload', xml, tag, ns } : undefined;
    const next = chunk.indexOf('<', i);
    if (next < 0) return undefined;
    if (next > i) {
      const text = chunk.slice(i, next);
      if (text.includes(']]>')) return undefined;
      xml += escapeXmlText(text);
    }
    i = next;
  }
}

/** Whether the whole chunk fits in `maxBytes` as UTF-8 (without measuring when it obviously does). */
export function fitsWhole(chunk: string, maxBytes: number): boolean {
  return chunk.length * 3 <= maxBytes || Buffer.byteLength(chunk, 'utf8') <= maxBytes;
}

function skipSpace(s: string, from: number): number {
  let i = from;
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x09) return i;
    i++;
  }
}

/** End of an ASCII NCName starting at `from` (`from` itself when there is none). */
function asciiNameEnd(s: string, from: number): number {
  const first = s.charCodeAt(from);
  if (!((first >= 0x61 && first <= 0x7a) || (first >= 0x41 && first <= 0x5a) || first === 0x5f)) return from;
  let i = from + 1;
  for (;;) {
    const c = s.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d || c === 0x2e) i++;
    else return i;
  }
}
