const AMP = 0x26; // &
const LT = 0x3c; // <

const enum State {
  Text,
  Comment,
  CData,
  ProcessingInstruction,
}

const PREDEFINED_ENTITIES = ['amp;', 'lt;', 'gt;', 'quot;', 'apos;'] as const;
/** Longest digit run accepted in a character reference (leading zeros included). */
const MAX_REF_DIGITS = 10;
/** Longest markup-declaration keyword reported (`NOTATION` is the longest real one). */
const MAX_KEYWORD = 16;

type AmpersandKind = { kind: 'reference'; length: number } | { kind: 'bare' } | { kind: 'undecided' };
type MarkupKind = 'tag' | 'comment' | 'cdata' | 'pi' | 'declaration' | 'undecided';

/**
 * Prepares streamed handler output for saxes, which swallows the text after a stray `&` up to the next
 * `;`. Every `&` that does not start one of the five predefined entities or a character reference to a
 * legal XML character becomes `&amp;`; inside comments, CDATA sections and processing instructions
 * nothing is touched. A construct split by a chunk boundary (`&am` | `p;`, `<![CD` | `ATA[`, `--` | `>`)
 * is held back (a dozen characters at most) until the next chunk decides it, so the output does not
 * depend on how the input was chunked.
 *
 * It also stops at the first markup declaration (`<!DOCTYPE`, `<!ENTITY`, ...): text before it is
 * returned, {@link declaration} names it, and everything after it is refused.
 */
export class BareAmpersandEscaper {
  #state: State = State.Text;
  #pending = '';
  #declaration: string | undefined;

  /** The keyword of the markup declaration that stopped the escaper (`DOCTYPE`, `ENTITY`, ...), if any. */
  get declaration(): string | undefined {
    return this.#declaration;
  }

  /** True when the input so far ends inside a comment, CDATA section or processing instruction. */
  get insideSpecialSection(): boolean {
    return this.#state !== State.Text;
  }

  /** Escapes `chunk`; `final` flushes whatever was held back. Returns the text to hand to saxes. */
  feed(chunk: string, final: boolean): string {
    if (this.#declaration !== undefined) return '';
    const buf = this.#pending + chunk;
    this.#pending = '';
    const n = buf.length;
    let out = '';
    let copied = 0; // buf[copied, i) is still to be copied to out
    let i = 0;
    while (i < n) {
      if (this.#state === State.Text) {
        let c = 0;
        while (i < n) {
          c = buf.charCodeAt(i);
          if (c === AMP || c === LT) break;
          i++;
        }
        if (i >= n) break;
        if (c === LT) {
          const markup = classifyMarkup(buf, i, final);
          if (markup === 'undecided') return this.#holdFrom(buf, out, copied, i);
          if (markup === 'declaration') {
            this.#declaration = readKeyword(buf, i + 2);
            return out + buf.slice(copied, i);
          }
          if (markup === 'comment') {
            this.#state = State.Comment;
            i += 4;
          } else if (markup === 'cdata') {
            this.#state = State.CData;
            i += 9;
          } else if (markup === 'pi') {
            this.#state = State.ProcessingInstruction;
            i += 2;
          } else {
            i += 1;
          }
        } else {
          const amp = classifyAmpersand(buf, i, final);
          if (amp.kind === 'undecided') return this.#holdFrom(buf, out, copied, i);
          if (amp.kind === 'reference') {
            i += amp.length;
          } else {
            out += buf.slice(copied, i) + '&amp;';
            i += 1;
            copied = i;
          }
        }
      } else {
        const terminator =
          this.#state === State.Comment ? '-->' : this.#state === State.CData ? ']]>' : '?>';
        const end = buf.indexOf(terminator, i);
        if (end < 0) {
          // Keep the last characters: they may be the start of a terminator split by the chunk boundary.
          const keep = final ? n : Math.max(i, n - (terminator.length - 1));
          return this.#holdFrom(buf, out, copied, keep);
        }
        i = end + terminator.length;
        this.#state = State.Text;
      }
    }
    return out + buf.slice(copied);
  }

  #holdFrom(buf: string, out: string, copied: number, from: number): string {
    this.#pending = buf.slice(from);
    return out + buf.slice(copied, from);
  }
}

function classifyMarkup(buf: string, at: number, final: boolean): MarkupKind {
  const n = buf.length;
  const undecided: MarkupKind = final ? 'tag' : 'undecided';
  if (at + 1 >= n) return undecided;
  const next = buf.charCodeAt(at + 1);
  if (next === 0x3f /* ? */) return 'pi';
  if (next !== 0x21 /* ! */) return 'tag';
  if (at + 2 >= n) return undecided;
  const third = buf.charCodeAt(at + 2);
  if (third === 0x2d /* - */) {
    if (at + 3 >= n) return undecided;
    return buf.charCodeAt(at + 3) === 0x2d ? 'comment' : 'tag';
  }
  if (third === 0x5b /* [ */) {
    const marker = '<![CDATA[';
    const available = Math.min(n - at, marker.length);
    if (buf.slice(at, at + available) !== marker.slice(0, available)) return 'tag';
    return available === marker.length ? 'cdata' : undecided;
  }
  if (!isAsciiLetter(third)) return 'tag';
  // Wait for the whole keyword so the reported declaration does not depend on chunking.
  let k = at + 3;
  while (k < n && k < at + 2 + MAX_KEYWORD && isAsciiLetter(buf.charCodeAt(k))) k++;
  return k >= n && k < at + 2 + MAX_KEYWORD && !final ? 'undecided' : 'declaration';
}

function classifyAmpersand(buf: string, at: number, final: boolean): AmpersandKind {
  const n = buf.length;
  const undecided: AmpersandKind = final ? { kind: 'bare' } : { kind: 'undecided' };
  const start = at + 1;
  if (start >= n) return undecided;

  if (buf.charCodeAt(start) === 0x23 /* # */) {
    let k = start + 1;
    if (k >= n) return undecided;
    const hex = buf.charCodeAt(k) === 0x78; /* x */
    if (hex) k++;
    const digitsStart = k;
    while (k < n && k - digitsStart < MAX_REF_DIGITS && isDigit(buf.charCodeAt(k), hex)) k++;
    if (k >= n) return undecided;
    if (buf.charCodeAt(k) !== 0x3b /* ; */ || k === digitsStart) return { kind: 'bare' };
    const codePoint = Number.parseInt(buf.slice(digitsStart, k), hex ? 16 : 10);
    return isXmlChar(codePoint) ? { kind: 'reference', length: k + 1 - at } : { kind: 'bare' };
  }

  for (const name of PREDEFINED_ENTITIES) {
    if (buf.startsWith(name, start)) return { kind: 'reference', length: name.length + 1 };
  }
  const available = n - start;
  for (const name of PREDEFINED_ENTITIES) {
    if (available < name.length && name.startsWith(buf.slice(start))) return undecided;
  }
  return { kind: 'bare' };
}

function isDigit(c: number, hex: boolean): boolean {
  if (c >= 0x30 && c <= 0x39) return true;
  return hex && ((c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function readKeyword(buf: string, from: number): string {
  let end = from;
  while (end < buf.length && end < from + MAX_KEYWORD && isAsciiLetter(buf.charCodeAt(end))) end++;
  return buf.slice(from, end);
}
