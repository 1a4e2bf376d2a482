import { ENVELOPE_NS } from './envelopeSchema.js';
import { payloadFromCanonical } from './payloadFromCanonical.js';

/** The meta fields and the payload of an envelope, read from its canonical text. */
export interface CanonicalEnvelopeParts {
  /** `<from>` text, unescaped and trimmed. */
  readonly from: string;
  /** `<to>` text, unescaped and trimmed; absent when the envelope has no `<to>`. */
  readonly to?: string;
  /** `<thread>` text, unescaped and trimmed. */
  readonly thread: string;
  /** The payload's local name, as written. */
  readonly payloadTag: string;
  /** The payload's namespace URI, `''` when none. */
  readonly payloadNs: string;
  /** What `canonicalize(payloadElement)` returns. */
  readonly payloadXml: string;
}

const ROOT = `<message xmlns="${ENVELOPE_NS}">`;

/**
 * Reads what {@link extractPayload} reads, from the exclusive C14N text of an envelope instead of
 * walking libxml2 nodes (each node visited costs wrapper objects and a string copy out of wasm
 * memory). Only the plain layout is read: an unprefixed envelope root with no other attribute,
 * `<meta>` holding exactly `<from>`, optional `<to>`, `<thread>` with text only (whitespace between
 * elements is fine), and one payload
 * element whose start tag names its namespace (exclusive C14N renders `xmlns=""` on an unqualified
 * payload inside the envelope). Anything else returns `undefined`: walk the document instead.
 *
 * Precondition: `canonicalEnvelope` is the C14N of a document that passed {@link validateEnvelope}.
 *
 * @example
 * ```ts
 * envelopeFromCanonical(canonicalize(parsed.doc)) ?? extractPayload(parsed.doc);
 * ```
 */
export function envelopeFromCanonical(canonicalEnvelope: string): CanonicalEnvelopeParts | undefined {
  const s = canonicalEnvelope;
  if (!s.startsWith(ROOT)) return undefined;
  let at = skipSpace(s, ROOT.length);
  if (!s.startsWith('<meta>', at)) return undefined;
  at = skipSpace(s, at + 6);
  if (!s.startsWith('<from>', at)) return undefined;
  at += 6;
  const fromEnd = s.indexOf('</from>', at);
  if (fromEnd < 0) return undefined;
  const from = textOf(s, at, fromEnd);
  at = skipSpace(s, fromEnd + 7);
  let to: string | undefined;
  if (s.startsWith('<to>', at)) {
    const toEnd = s.indexOf('</to>', at + 4);
    if (toEnd < 0) return undefined;
    to = textOf(s, at + 4, toEnd);
    if (to === undefined) return undefined;
    at = skipSpace(s, toEnd + 5);
  }
  if (!s.startsWith('<thread>', at)) return undefined;
  const threadEnd = s.indexOf('</thread>', at + 8);
  if (threadEnd < 0) return undefined;
  const thread = textOf(s, at + 8, threadEnd);
  at = skipSpace(s, threadEnd + 9);
  // Extension elements in <meta> are rare: left to the document walk.
  if (from === undefined || thread === undefined || !s.startsWith('</meta>', at)) return undefined;
  at = skipSpace(s, at + 7);
  if (s.charCodeAt(at) !== 0x3c /* < */) return undefined;
  at += 1;

  let nameEnd = at;
  for (let c = s.charCodeAt(nameEnd); c !== 0x20 && c !== 0x3e && nameEnd < s.length; c = s.charCodeAt(++nameEnd)) {
    if (c === 0x3a /* : */ || c === 0x2f /* / */) return undefined; // a prefixed payload: namespaces need the walk
  }
  const payloadTag = s.slice(at, nameEnd);
  if (payloadTag === '' || !s.startsWith(' xmlns="', nameEnd)) return undefined;
  const nsEnd = s.indexOf('"', nameEnd + 8);
  if (nsEnd < 0) return undefined;
  const payloadNs = s.slice(nameEnd + 8, nsEnd);
  if (payloadNs.includes('&')) return undefined;
  const payloadXml = payloadFromCanonical(s);
  if (payloadXml === undefined) return undefined;
  return to === undefined ? { from, thread, payloadTag, payloadNs, payloadXml } : { from, to, thread, payloadTag, payloadNs, payloadXml };
}

/**
 * The same text, not pointing into the envelope. V8 makes a slice of 13 or more characters a view
 * on the whole string; the meta fields (a thread id above all) live on in thread records, queues
 * and calls long after the envelope text is done with, and a view would keep all of it alive.
 * Appending a character forces a flat copy (about 20 ns); slicing it off again views that copy.
 */
function detached(text: string): string {
  return text.length < 13 ? text : (text + ' ').slice(0, -1);
}

/** Index of the first character at or after `at` that is not whitespace (as canonical text renders it). */
function skipSpace(s: string, at: number): number {
  for (;;) {
    const c = s.charCodeAt(at);
    if (c === 0x20 || c === 0x09 || c === 0x0a) at++;
    else if (c === 0x26 /* & */ && s.startsWith('&#xD;', at)) at += 5;
    else return at;
  }
}

/** The trimmed, unescaped text of s[start, end), or undefined when it holds markup or an unexpected reference. */
function textOf(s: string, start: number, end: number): string | undefined {
  const raw = s.slice(start, end);
  if (raw.includes('<')) return undefined;
  if (!raw.includes('&')) return detached(raw.trim());
  let failed = false;
  // Exclusive C14N escapes exactly these four in text.
  const text = raw.replace(/&(amp|lt|gt|#xD);|&/g, (match, name: string | undefined) => {
    switch (name) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case '#xD':
        return '\r';
      default:
        failed = true;
        return match;
    }
  });
  return failed ? undefined : text.trim();
}
