/**
 * The small subset of JavaScript regular expressions that translates faithfully into an XSD
 * pattern: fully anchored (`^...$`), no flags but `u`, literals, `.`, classes with ranges, `\d`,
 * `\w`, `\n` `\r` `\t`, escaped punctuation, groups (`(...)`, `(?:...)`), alternation and greedy
 * quantifiers. Anything else (lookarounds, backreferences, `\s`, `\b`, `\p{..}`, lazy quantifiers,
 * flags such as `i` or `m`) is not translated: the zod check still applies, the XSD just omits it.
 */
export interface SimpleRegex {
  /** The equivalent XSD pattern (implicitly anchored, as XSD patterns are). */
  readonly xsdPattern: string;
  /** A short string the regex matches, for examples. */
  sample(): string;
}

type ClassItem = { kind: 'char'; c: string } | { kind: 'range'; from: string; to: string } | { kind: 'digit' } | { kind: 'word' };
type Atom =
  | { kind: 'char'; c: string }
  | { kind: 'any' }
  | { kind: 'class'; negated: boolean; items: ClassItem[] }
  | { kind: 'group'; alternatives: Piece[][] };
interface Piece {
  atom: Atom;
  min: number;
  max: number | undefined; // undefined = unbounded
}

class Unsupported extends Error {}

// Characters that XSD treats as metacharacters outside a class, and inside one.
const XSD_META = new Set(['\\', '|', '.', '?', '*', '+', '(', ')', '{', '}', '[', ']']);
const XSD_CLASS_META = new Set(['\\', '[', ']', '-', '^']);
const JS_META = new Set(['\\', '|', '.', '?', '*', '+', '(', ')', '{', '}', '[', ']', '^', '$']);
const CONTROL_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
// Valid XML 1.0 characters (lone surrogates excluded because the u flag makes them code points).
const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]$/u;

/**
 * Parses `re` if it lies in the translatable subset; `undefined` otherwise.
 *
 * @example
 * parseSimpleRegex(/^[A-Z]{2}-\d{3}$/)?.xsdPattern; // '[A-Z]{2}-[0-9]{3}'
 */
export function parseSimpleRegex(re: RegExp): SimpleRegex | undefined {
  if (re.flags !== '' && re.flags !== 'u') return undefined;
  const src = re.source;
  if (!src.startsWith('^') || !src.endsWith('$') || src.endsWith('\\$') || src.length < 2) return undefined;
  try {
    // Without the u flag JavaScript matches UTF-16 code units (a lone surrogate is then rejected as non-XML).
    const body = src.slice(1, -1);
    const chars = re.flags === 'u' ? Array.from(body) : body.split('');
    const parser = new Parser(chars);
    const alternatives = parser.alternatives();
    if (parser.pos !== chars.length) return undefined;
    // `^a|b$` anchors each branch separately in JavaScript; only a single branch may be anchored as a whole.
    if (alternatives.length !== 1) return undefined;
    const xsdPattern = alternatives.map(writeSequence).join('|');
    const first = alternatives[0] ?? [];
    return { xsdPattern, sample: () => sampleSequence(first) };
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

class Parser {
  pos = 0;
  constructor(private readonly chars: readonly string[]) {}

  private peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }

  private next(): string {
    const c = this.chars[this.pos++];
    if (c === undefined) throw new Unsupported();
    return c;
  }

  alternatives(): Piece[][] {
    const result: Piece[][] = [this.sequence()];
    while (this.peek() === '|') {
      this.pos++;
      result.push(this.sequence());
    }
    return result;
  }

  private sequence(): Piece[] {
    const pieces: Piece[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) {
      const atom = this.atom();
      const [min, max] = this.quantifier();
      pieces.push({ atom, min, max });
    }
    return pieces;
  }

  private atom(): Atom {
    const c = this.next();
    switch (c) {
      case '.':
        return { kind: 'any' };
      case '[':
        return this.charClass();
      case '(': {
        if (this.peek() === '?') {
          if (this.peek(1) !== ':') throw new Unsupported();
          this.pos += 2;
        }
        const alternatives = this.alternatives();
        if (this.next() !== ')') throw new Unsupported();
        return { kind: 'group', alternatives };
      }
      case '\\': {
        const e = this.next();
        if (e === 'd') return { kind: 'class', negated: false, items: [{ kind: 'digit' }] };
        if (e === 'w') return { kind: 'class', negated: false, items: [{ kind: 'word' }] };
        return { kind: 'char', c: escapedChar(e) };
      }
      default:
        if (JS_META.has(c)) throw new Unsupported();
        return { kind: 'char', c: xmlChar(c) };
    }
  }

  private charClass(): Atom {
    const negated = this.peek() === '^';
    if (negated) this.pos++;
    const items: ClassItem[] = [];
    if (this.peek() === ']') throw new Unsupported(); // `[]` and `[^]` have no XSD equivalent
    while (this.peek() !== ']') {
      const from = this.classChar();
      if (from === 'digit' || from === 'word') {
        items.push({ kind: from });
        continue;
      }
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.pos++;
        const to = this.classChar();
        if (to === 'digit' || to === 'word' || to.codePointAt(0)! < from.codePointAt(0)!) throw new Unsupported();
        items.push({ kind: 'range', from, to });
      } else {
        items.push({ kind: 'char', c: from });
      }
    }
    this.pos++;
    return { kind: 'class', negated, items };
  }

  private classChar(): string | 'digit' | 'word' {
    const c = this.next();
    if (c !== '\\') {
      if (c === '[') throw new Unsupported();
      return xmlChar(c);
    }
    const e = this.next();
    if (e === 'd') return 'digit';
    if (e === 'w') return 'word';
    return escapedChar(e);
  }

  private quantifier(): [number, number | undefined] {
    const c = this.peek();
    let bounds: [number, number | undefined];
    if (c === '*') bounds = [0, undefined];
    else if (c === '+') bounds = [1, undefined];
    else if (c === '?') bounds = [0, 1];
    else if (c === '{') {
      const rest = this.chars.slice(this.pos).join('');
      const m = /^\{(\d{1,6})(,(\d{0,6}))?\}/.exec(rest);
      if (!m) throw new Unsupported();
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? undefined : Number(m[3]);
      if (max !== undefined && max < min) throw new Unsupported();
      this.pos += Array.from(m[0]).length - 1;
      bounds = [min, max];
    } else return [1, 1];
    this.pos++;
    const after = this.peek();
    // Lazy quantifiers and stacked quantifiers are rejected rather than reinterpreted.
    if (after === '?' || after === '*' || after === '+' || after === '{') throw new Unsupported();
    return bounds;
  }
}

function escapedChar(e: string): string {
  const control = CONTROL_ESCAPES[e];
  if (control !== undefined) return control;
  // Only escaped punctuation is a plain literal; letter and digit escapes have special meanings.
  if (/^[!-/:-@[-`{-~]$/.test(e)) return e;
  throw new Unsupported();
}

function xmlChar(c: string): string {
  if (!XML_CHAR.test(c)) throw new Unsupported();
  return c;
}

function writeSequence(pieces: readonly Piece[]): string {
  return pieces.map(writePiece).join('');
}

function writePiece(piece: Piece): string {
  const { min, max } = piece;
  const quantifier =
    min === 1 && max === 1 ? '' : min === 0 && max === undefined ? '*' : min === 1 && max === undefined ? '+' : min === 0 && max === 1 ? '?' : max === min ? `{${min}}` : `{${min},${max ?? ''}}`;
  return writeAtom(piece.atom) + quantifier;
}

function writeAtom(atom: Atom): string {
  switch (atom.kind) {
    case 'char':
      return writeChar(atom.c, XSD_META);
    case 'any':
      // JavaScript's `.` also excludes U+2028/U+2029, XSD's does not: the XSD is slightly more lenient, never stricter.
      return '.';
    case 'class':
      return `[${atom.negated ? '^' : ''}${atom.items.map(writeClassItem).join('')}]`;
    case 'group':
      return `(${atom.alternatives.map(writeSequence).join('|')})`;
  }
}

function writeClassItem(item: ClassItem): string {
  switch (item.kind) {
    case 'char':
      return writeChar(item.c, XSD_CLASS_META);
    case 'range':
      return `${writeChar(item.from, XSD_CLASS_META)}-${writeChar(item.to, XSD_CLASS_META)}`;
    // XSD's \d and \w are Unicode-wide; JavaScript's (without the u+i flags) are ASCII.
    case 'digit':
      return '0-9';
    case 'word':
      return 'A-Za-z0-9_';
  }
}

function writeChar(c: string, meta: ReadonlySet<string>): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return meta.has(c) ? `\\${c}` : c;
}

function sampleSequence(pieces: readonly Piece[]): string {
  return pieces.map((p) => sampleAtom(p.atom).repeat(p.min)).join('');
}

function sampleAtom(atom: Atom): string {
  switch (atom.kind) {
    case 'char':
      return atom.c;
    case 'any':
      return 'x';
    case 'group':
      return sampleSequence(atom.alternatives[0] ?? []);
    case 'class':
      return atom.negated ? sampleOutside(atom.items) : sampleInside(atom.items[0]);
  }
}

function sampleInside(item: ClassItem | undefined): string {
  if (item === undefined) return '';
  switch (item.kind) {
    case 'char':
      return item.c;
    case 'range':
      return item.from;
    case 'digit':
      return '0';
    case 'word':
      return 'a';
  }
}

function sampleOutside(items: readonly ClassItem[]): string {
  const inClass = (c: string) =>
    items.some((i) =>
      i.kind === 'char' ? i.c === c : i.kind === 'range' ? c >= i.from && c <= i.to : i.kind === 'digit' ? /[0-9]/.test(c) : /\w/.test(c),
    );
  return Array.from('xa0X_ -.!#').find((c) => !inClass(c)) ?? '~';
}
