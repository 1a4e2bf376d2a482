import { endOfStartTag, nameEnd, rebaseDefaultNamespace } from './rebaseDefaultNamespace.js';

const LT = 0x3c; // <
const SLASH = 0x2f; // /
const QUESTION = 0x3f; // ?

/**
 * The payload element's text sliced out of the exclusive-C14N text of a whole envelope (what
 * `canonicalize(doc)` returned), rewritten so that it equals `canonicalize(payloadElement)` without
 * a second, costly canonicalization of the element (libxml2-wasm calls back into JavaScript for
 * every node of the document when it canonicalizes a subtree).
 *
 * Both forms differ only in the namespace declarations the envelope root already renders, and this
 * accounts for them:
 * - the ` xmlns=""` that exclusive C14N puts on a no-namespace payload root (and on the topmost
 *   unprefixed no-namespace elements under a prefixed root) inside `<message xmlns="…">` is dropped;
 * - an unprefixed element that inherits the envelope's default namespace gets the ` xmlns="…"`
 *   the subtree form renders on it.
 *
 * Returns `undefined` (canonicalize the element instead) when the text is not laid out as expected,
 * and when the exact subtree form cannot be derived cheaply: the envelope root renders a prefixed
 * namespace (`<env:message xmlns:env="…">`, an `xsi:` attribute) whose prefix appears anywhere in
 * the payload text, or the payload is followed by a processing instruction inside the envelope.
 *
 * Precondition: `canonicalEnvelope` is the exclusive C14N (without comments) of a document that
 * passed {@link validateEnvelope} and {@link extractPayload}, so it carries `<meta>` and exactly one
 * payload element. For other text the result is unspecified (it may be `undefined`, or the text of
 * the first element after `<meta>` through the last end tag); it never throws.
 *
 * @example
 * ```ts
 * const canonical = canonicalize(parsed.doc);
 * // '<message xmlns="…"><meta>…</meta><greeting xmlns=""><name>World</name></greeting></message>'
 * payloadFromCanonical(canonical) ?? canonicalize(extractPayload(parsed.doc).payload);
 * // '<greeting><name>World</name></greeting>'
 * ```
 */
export function payloadFromCanonical(canonicalEnvelope: string): string | undefined {
  const s = canonicalEnvelope;
  const rootStart = skipMisc(s, 0);
  if (rootStart < 0 || !isStartTag(s, rootStart)) return undefined;
  const rootNameEnd = nameEnd(s, rootStart + 1);
  const rootTagEnd = endOfStartTag(s, rootNameEnd);
  if (rootTagEnd < 0) return undefined;
  const rootClose = s.lastIndexOf(`</${s.slice(rootStart + 1, rootNameEnd)}>`);
  if (rootClose <= rootTagEnd) return undefined;

  // <meta>, then the payload: the first two child elements of the root.
  const metaStart = skipMisc(s, rootTagEnd + 1);
  if (metaStart < 0 || !isStartTag(s, metaStart)) return undefined;
  const metaEnd = endOfElement(s, metaStart);
  if (metaEnd < 0) return undefined;
  const payloadStart = skipMisc(s, metaEnd);
  if (payloadStart < 0 || payloadStart >= rootClose || !isStartTag(s, payloadStart)) return undefined;
  const payloadNameEnd = nameEnd(s, payloadStart + 1);
  const endTag = `</${s.slice(payloadStart + 1, payloadNameEnd)}>`;
  const payloadClose = s.lastIndexOf(endTag, rootClose - endTag.length);
  if (payloadClose < payloadStart) return undefined;
  const payloadEnd = payloadClose + endTag.length;
  // Only whitespace may follow the payload; a processing instruction there is not worth handling.
  const trailing = s.indexOf('<', payloadEnd);
  if (trailing !== rootClose) return undefined;

  const payload = s.slice(payloadStart, payloadEnd);
  const root = readRootNamespaces(s, rootNameEnd, rootTagEnd);
  if (root === undefined) return undefined;
  for (const prefix of root.prefixes) {
    if (payload.includes(`${prefix}:`)) return undefined;
  }
  if (root.defaultNs === undefined || root.defaultNs === '') return payload;
  return rebaseDefaultNamespace(payload, root.defaultNs, '');
}

function isStartTag(s: string, at: number): boolean {
  if (at + 1 >= s.length || s.charCodeAt(at) !== LT) return false;
  const c = s.charCodeAt(at + 1);
  return c !== SLASH && c !== QUESTION;
}

/** Index of the next `<` that is not a processing instruction (text is skipped), or -1. */
function skipMisc(s: string, from: number): number {
  let i = s.indexOf('<', from);
  while (i >= 0 && s.charCodeAt(i + 1) === QUESTION) {
    const end = s.indexOf('?>', i + 2);
    if (end < 0) return -1;
    i = s.indexOf('<', end + 2);
  }
  return i;
}

/**
 * Index just after the end tag of the element whose start tag begins at `start`, in canonical text
 * (every `<` starts markup; end tags carry no attributes; no empty-element tags), or -1.
 */
function endOfElement(s: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i >= 0) {
    const next = s.charCodeAt(i + 1);
    if (next === SLASH) {
      const end = s.indexOf('>', i + 2);
      if (end < 0) return -1;
      if (--depth === 0) return end + 1;
      i = s.indexOf('<', end + 1);
    } else if (next === QUESTION) {
      const end = s.indexOf('?>', i + 2);
      if (end < 0) return -1;
      i = s.indexOf('<', end + 2);
    } else {
      const end = endOfStartTag(s, i + 1);
      if (end < 0) return -1;
      depth++;
      i = s.indexOf('<', end + 1);
    }
  }
  return -1;
}

/** The namespace declarations on the canonical root start tag `s[from, end)`: its default and prefixes. */
function readRootNamespaces(s: string, from: number, end: number): { defaultNs: string | undefined; prefixes: string[] } | undefined {
  let defaultNs: string | undefined;
  const prefixes: string[] = [];
  let i = from;
  while (i < end) {
    // Canonical attributes: ' name="value"', values without '"'.
    if (s.charCodeAt(i) !== 0x20) return undefined;
    const eq = s.indexOf('="', i + 1);
    if (eq < 0 || eq >= end) return undefined;
    const close = s.indexOf('"', eq + 2);
    if (close < 0 || close >= end) return undefined;
    const name = s.slice(i + 1, eq);
    if (name === 'xmlns') defaultNs = s.slice(eq + 2, close);
    else if (name.startsWith('xmlns:')) prefixes.push(name.slice(6));
    i = close + 1;
  }
  return { defaultNs, prefixes };
}
