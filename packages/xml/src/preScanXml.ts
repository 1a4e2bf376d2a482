import { OrganismError } from './errors';

const LT = 0x3c; // <
const GT = 0x3e; // >
const BANG = 0x21; // !
const QUESTION = 0x3f; // ?
const SLASH = 0x2f; // /
const DASH = 0x2d; // -
const LBRACKET = 0x5b; // [
const RBRACKET = 0x5d; // ]
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const NEWLINE = 0x0a;

/**
 * Rejects hostile input before libxml2 sees it, in two linear passes over UTF-8 bytes:
 * - any markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, ...) anywhere, even inside a comment,
 *   is ORG_ERR_XML_DTD: DTDs are never resolved, so XXE and billion-laughs inputs cannot hang or leak;
 * - element nesting deeper than `maxDepth` is ORG_ERR_XML_TOO_DEEP. Comments, CDATA sections and
 *   processing instructions are skipped, quoted attribute values may contain `>` and `/>`.
 *
 * The depth count is exact for well-formed input; for malformed input it is an estimate, which is why
 * {@link parseXml} re-checks the depth of a recovered tree.
 */
export function preScanXml(bytes: Uint8Array, maxDepth: number): void {
  rejectMarkupDeclarations(bytes);
  checkDepth(bytes, maxDepth);
}

function rejectMarkupDeclarations(bytes: Uint8Array): void {
  let i = bytes.indexOf(BANG);
  while (i >= 0) {
    if (i > 0 && bytes[i - 1] === LT && isAsciiLetter(bytes[i + 1])) {
      const keyword = readKeyword(bytes, i + 1);
      throw new OrganismError(
        'ORG_ERR_XML_DTD',
        `line ${lineAt(bytes, i)}: the input contains a markup declaration <!${keyword}; DTDs and entity ` +
          `declarations are never processed (XXE and entity-expansion protection). Remove the DOCTYPE ` +
          `and send plain XML with only the predefined entities (&amp; &lt; &gt; &quot; &apos;)`,
      );
    }
    i = bytes.indexOf(BANG, i + 1);
  }
}

function checkDepth(bytes: Uint8Array, maxDepth: number): void {
  const n = bytes.length;
  let depth = 0;
  let i = bytes.indexOf(LT);
  while (i >= 0 && i < n) {
    const next = bytes[i + 1];
    let end: number;
    if (next === SLASH) {
      if (depth > 0) depth--;
      end = bytes.indexOf(GT, i + 2);
    } else if (next === QUESTION) {
      end = indexOfPair(bytes, QUESTION, GT, i + 2);
    } else if (next === BANG) {
      if (bytes[i + 2] === DASH && bytes[i + 3] === DASH) end = indexOfTriple(bytes, DASH, DASH, GT, i + 4);
      else if (bytes[i + 2] === LBRACKET) end = indexOfTriple(bytes, RBRACKET, RBRACKET, GT, i + 3);
      else end = bytes.indexOf(GT, i + 2);
    } else if (!isNameStart(next)) {
      end = i; // a stray '<' in malformed text, not a tag
    } else {
      end = endOfStartTag(bytes, i + 1);
      const selfClosing = end > 0 && end < n && bytes[end] === GT && bytes[end - 1] === SLASH;
      if (!selfClosing || depth + 1 > maxDepth) {
        depth++;
        if (depth > maxDepth) {
          throw new OrganismError(
            'ORG_ERR_XML_TOO_DEEP',
            `line ${lineAt(bytes, i)}: elements are nested ${depth} deep, above the limit of ${maxDepth} ` +
              `(limits.maxDepth); flatten the document or raise the limit`,
          );
        }
      }
    }
    if (end < 0) return;
    i = bytes.indexOf(LT, end + 1);
  }
}

/** Index of the `>` ending a start tag (quoted values may hold `>`), or of a stray `<`, or -1. */
function endOfStartTag(bytes: Uint8Array, from: number): number {
  const n = bytes.length;
  for (let i = from; i < n; i++) {
    const c = bytes[i];
    if (c === GT) return i;
    if (c === LT) return i - 1; // malformed: resume scanning at the stray '<'
    if (c === DQUOTE || c === SQUOTE) {
      i = bytes.indexOf(c, i + 1);
      if (i < 0) return -1;
    }
  }
  return -1;
}

function indexOfPair(bytes: Uint8Array, a: number, b: number, from: number): number {
  let i = bytes.indexOf(a, from);
  while (i >= 0) {
    if (bytes[i + 1] === b) return i + 1;
    i = bytes.indexOf(a, i + 1);
  }
  return -1;
}

function indexOfTriple(bytes: Uint8Array, a: number, b: number, c: number, from: number): number {
  let i = bytes.indexOf(a, from);
  while (i >= 0) {
    if (bytes[i + 1] === b && bytes[i + 2] === c) return i + 2;
    i = bytes.indexOf(a, i + 1);
  }
  return -1;
}

function isAsciiLetter(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a));
}

function isNameStart(c: number | undefined): boolean {
  return c !== undefined && (isAsciiLetter(c) || c === 0x5f /* _ */ || c === 0x3a /* : */ || c >= 0x80);
}

function readKeyword(bytes: Uint8Array, from: number): string {
  let out = '';
  for (let i = from; i < bytes.length && i < from + 16 && isAsciiLetter(bytes[i]); i++) {
    out += String.fromCharCode(bytes[i]!);
  }
  return out;
}

/** 1-based line of a byte offset; only computed on the error path. */
export function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  let i = bytes.indexOf(NEWLINE);
  while (i >= 0 && i < offset) {
    line++;
    i = bytes.indexOf(NEWLINE, i + 1);
  }
  return line;
}
