const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f; // /
const QUESTION = 0x3f; // ?
const BANG = 0x21; // !
const EQUALS = 0x3d; // =
const COLON = 0x3a; // :
const DQUOTE = 0x22;
const SQUOTE = 0x27;

/**
 * Rewrites the default-namespace declarations of one element's XML text (`xml` starts with its start
 * tag) for a move from a context whose in-scope default namespace is `from` into one where it is `to`
 * (`''`: none), so that every element keeps its namespace and, for canonical text, the result is what
 * exclusive C14N renders in the new context. Only the topmost unprefixed elements (those with no
 * default declaration on an ancestor inside `xml`) are touched:
 * - one that declares `xmlns="<to>"` loses the declaration (it would be redundant there);
 * - one without a default declaration lives in `from`, and gets ` xmlns="<from>"` right after its
 *   name (where C14N puts it: namespace declarations first, the default one before prefixed ones).
 * `from` and `to` are attribute-value text (already escaped).
 *
 * Works on any well-formed text (comments, CDATA sections, processing instructions, either quote);
 * on malformed text it only ever inserts or removes such declarations, and never throws.
 *
 * @example
 * ```ts
 * rebaseDefaultNamespace('<g><n>1</n></g>', '', 'urn:x'); // '<g xmlns=""><n>1</n></g>'
 * rebaseDefaultNamespace('<g xmlns=""><n>1</n></g>', 'urn:x', ''); // '<g><n>1</n></g>'
 * rebaseDefaultNamespace('<p:g xmlns:p="urn:p"><n></n></p:g>', '', 'urn:x');
 * // '<p:g xmlns:p="urn:p"><n xmlns=""></n></p:g>'
 * ```
 */
export function rebaseDefaultNamespace(xml: string, from: string, to: string): string {
  if (from === to) return xml;
  let out = '';
  let copied = 0; // xml[copied, i) is still to be copied to out
  let depth = 0;
  let settled = 0; // depth of the open element below which nothing changes any more; 0: none
  const n = xml.length;
  let i = xml.indexOf('<');
  while (i >= 0 && i < n) {
    const next = xml.charCodeAt(i + 1);
    let resume: number;
    if (next === SLASH) {
      if (settled === depth) settled = 0;
      depth--;
      if (depth <= 0) break; // the element is closed: what follows is not part of it
      resume = xml.indexOf('>', i + 2);
    } else if (next === QUESTION) {
      resume = xml.indexOf('?>', i + 2);
      if (resume >= 0) resume += 1;
    } else if (next === BANG) {
      if (xml.startsWith('<!--', i)) {
        resume = xml.indexOf('-->', i + 4);
        if (resume >= 0) resume += 2;
      } else if (xml.startsWith('<![CDATA[', i)) {
        resume = xml.indexOf(']]>', i + 9);
        if (resume >= 0) resume += 2;
      } else {
        resume = xml.indexOf('>', i + 2);
      }
    } else if (!isNameStart(next)) {
      resume = i; // a stray '<' in malformed text
    } else {
      const nameStart = i + 1;
      const nameStop = nameEnd(xml, nameStart);
      let tagEnd = endOfStartTag(xml, nameStop);
      if (tagEnd < 0) {
        if (depth > 0) break;
        tagEnd = n; // an unfinished root start tag: still decide for it
      }
      const selfClosing = xml.charCodeAt(tagEnd - 1) === SLASH;
      depth++;
      if (settled === 0) {
        const declaration = findDefaultNamespaceDeclaration(xml, nameStop, selfClosing ? tagEnd - 1 : tagEnd);
        if (declaration !== undefined) {
          settled = depth;
          if (declaration.value === to && !isPrefixed(xml, nameStart, nameStop)) {
            out += xml.slice(copied, declaration.start);
            copied = declaration.end;
          }
        } else if (!isPrefixed(xml, nameStart, nameStop)) {
          settled = depth;
          out += `${xml.slice(copied, nameStop)} xmlns="${from}"`;
          copied = nameStop;
        }
        // A prefixed element without a default declaration leaves its unprefixed children to decide.
        if (depth === 1 && settled === 1) break; // the root decided for the whole element
      }
      if (selfClosing) {
        if (settled === depth) settled = 0;
        depth--;
        if (depth <= 0) break;
      }
      resume = tagEnd;
    }
    if (resume < 0) break;
    i = xml.indexOf('<', resume + 1);
  }
  return copied === 0 ? xml : out + xml.slice(copied);
}

/** Index just after the XML name starting at `from` (stops at whitespace, `>`, `/`, `=`, quotes). */
export function nameEnd(s: string, from: number): number {
  let i = from;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === GT || c === SLASH || c === EQUALS || c === DQUOTE || c === SQUOTE || c === LT || c <= 0x20) break;
    i++;
  }
  return i;
}

/** Index of the `>` ending the start tag whose name ends at `from` (quoted values may hold `>`), or -1. */
export function endOfStartTag(s: string, from: number): number {
  let i = from;
  for (;;) {
    const gt = s.indexOf('>', i);
    if (gt < 0) return -1;
    const dq = s.indexOf('"', i);
    const sq = s.indexOf("'", i);
    const quote = dq < 0 ? sq : sq < 0 ? dq : Math.min(dq, sq);
    if (quote < 0 || quote > gt) return gt;
    const close = s.indexOf(s[quote]!, quote + 1);
    if (close < 0) return -1;
    i = close + 1;
  }
}

function isPrefixed(s: string, from: number, to: number): boolean {
  const colon = s.indexOf(':', from);
  return colon >= 0 && colon < to;
}

/**
 * The default-namespace declaration among the attributes in `s[from, end)`: its raw value and the
 * span to cut to remove it (with the whitespace before it).
 */
function findDefaultNamespaceDeclaration(s: string, from: number, end: number): { value: string; start: number; end: number } | undefined {
  let i = from;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      const close = s.indexOf(c === DQUOTE ? '"' : "'", i + 1);
      if (close < 0 || close >= end) return undefined;
      i = close + 1;
      continue;
    }
    if (isSpace(c) && s.startsWith('xmlns', i + 1)) {
      let j = i + 6;
      while (j < end && isSpace(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) === EQUALS) {
        j++;
        while (j < end && isSpace(s.charCodeAt(j))) j++;
        const q = s.charCodeAt(j);
        if (q !== DQUOTE && q !== SQUOTE) return undefined;
        const close = s.indexOf(q === DQUOTE ? '"' : "'", j + 1);
        if (close < 0 || close >= end) return undefined;
        let start = i;
        while (start > from && isSpace(s.charCodeAt(start - 1))) start--;
        return { value: s.slice(j + 1, close), start, end: close + 1 };
      }
    }
    i++;
  }
  return undefined;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isNameStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === COLON || c >= 0x80;
}
