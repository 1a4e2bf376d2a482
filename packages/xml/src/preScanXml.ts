import { OrganismError } from './errors.js';

const LT = 0x3c; // <
const GT = 0x3e; // >
const BANG = 0x21; // !
const QUESTION = 0x3f; // ?
const SLASH = 0x2f; // /
const DASH = 0x2d; // -
const LBRACKET = 0x5b; // [
const DQUOTE = 0x22;
const SQUOTE = 0x27;

/**
 * Rejects hostile input before libxml2 sees it, in two linear passes:
 * - any markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, ...) anywhere, even inside a comment,
 *   is ORG_ERR_XML_DTD: DTDs are never resolved, so XXE and billion-laughs inputs cannot hang or leak;
 * - element nesting deeper than `maxDepth` is ORG_ERR_XML_TOO_DEEP. Comments, CDATA sections and
 *   processing instructions are skipped, quoted attribute values may contain `>` and `/>`.
 *
 * The depth count is exact for well-formed input; for malformed input it is an estimate, which is why
 * {@link parseXml} re-checks the depth of a recovered tree.
 */
export function preScanXml(text: string, maxDepth: number): void {
  rejectMarkupDeclarations(text);
  // Every level of nesting takes a '<' of its own: a text with at most maxDepth of them cannot exceed it.
  if (hasMoreThan(text, '<', maxDepth)) checkDepth(text, maxDepth);
}

function hasMoreThan(text: string, char: string, limit: number): boolean {
  let count = 0;
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) {
    if (++count > limit) return true;
  }
  return false;
}

function rejectMarkupDeclarations(text: string): void {
  let i = text.indexOf('<!');
  while (i >= 0) {
    if (isAsciiLetter(text.charCodeAt(i + 2))) {
      throw new OrganismError(
        'ORG_ERR_XML_DTD',
        `line ${lineAt(text, i)}: the input contains a markup declaration <!${readKeyword(text, i + 2)}; DTDs and ` +
          `entity declarations are never processed (XXE and entity-expansion protection). Remove the DOCTYPE ` +
          `and send plain XML with only the predefined entities (&amp; &lt; &gt; &quot; &apos;)`,
      );
    }
    i = text.indexOf('<!', i + 2);
  }
}

function checkDepth(text: string, maxDepth: number): void {
  const n = text.length;
  let depth = 0;
  let i = text.indexOf('<');
  while (i >= 0) {
    const next = text.charCodeAt(i + 1);
    let end: number;
    if (next === SLASH) {
      if (depth > 0) depth--;
      end = text.indexOf('>', i + 2);
    } else if (next === QUESTION) {
      end = text.indexOf('?>', i + 2);
      if (end >= 0) end += 1;
    } else if (next === BANG) {
      if (text.charCodeAt(i + 2) === DASH && text.charCodeAt(i + 3) === DASH) {
        end = text.indexOf('-->', i + 4);
        if (end >= 0) end += 2;
      } else if (text.charCodeAt(i + 2) === LBRACKET) {
        end = text.indexOf(']]>', i + 3);
        if (end >= 0) end += 2;
      } else {
        end = text.indexOf('>', i + 2);
      }
    } else if (!isNameStart(next)) {
      end = i; // a stray '<' in malformed text, not a tag
    } else {
      end = endOfStartTag(text, i + 1);
      const selfClosing = end > 0 && end < n && text.charCodeAt(end) === GT && text.charCodeAt(end - 1) === SLASH;
      if (!selfClosing || depth + 1 > maxDepth) {
        depth++;
        if (depth > maxDepth) {
          throw new OrganismError(
            'ORG_ERR_XML_TOO_DEEP',
            `line ${lineAt(text, i)}: elements are nested ${depth} deep, above the limit of ${maxDepth} ` +
              `(limits.maxDepth); flatten the document or raise the limit`,
          );
        }
      }
    }
    if (end < 0) return;
    i = text.indexOf('<', end + 1);
  }
}

/** Index of the `>` ending a start tag (quoted values may hold `>`), or just before a stray `<`, or -1. */
function endOfStartTag(text: string, from: number): number {
  const n = text.length;
  for (let i = from; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === GT) return i;
    if (c === LT) return i - 1; // malformed: resume scanning at the stray '<'
    if (c === DQUOTE || c === SQUOTE) {
      i = text.indexOf(c === DQUOTE ? '"' : "'", i + 1);
      if (i < 0) return -1;
    }
  }
  return -1;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isNameStart(c: number): boolean {
  return isAsciiLetter(c) || c === 0x5f /* _ */ || c === 0x3a /* : */ || c >= 0x80;
}

function readKeyword(text: string, from: number): string {
  let end = from;
  while (end < text.length && end < from + 16 && isAsciiLetter(text.charCodeAt(end))) end++;
  return text.slice(from, end);
}

/** 1-based line of an offset; only computed on the error path. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  let i = text.indexOf('\n');
  while (i >= 0 && i < offset) {
    line++;
    i = text.indexOf('\n', i + 1);
  }
  return line;
}
