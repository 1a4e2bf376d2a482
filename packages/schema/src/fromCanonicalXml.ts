import { OrganismError } from '@organism/xml';
import type { z } from 'zod';
import { coerceScalar, fieldIndex, finishPayload, unreadable } from './fromXml.js';
import type { FieldModel, ObjectModel, PayloadModel, ValueModel } from './payloadModel.js';
import { valuePath } from './valuePath.js';

/**
 * Reads a payload from its XML text, typically its exclusive-C14N form (`canonicalize(element)`, or
 * `payloadFromCanonical(canonicalEnvelope)`), with a small JavaScript scanner instead of walking a
 * libxml2 tree: same values, same problems and the same ORG_ERR_PAYLOAD_DESERIALIZE errors as
 * {@link fromXml} on the parsed element, at a fraction of the cost (no string is read out of wasm memory).
 *
 * The scanner accepts any namespace-well-formed XML without a DTD, not only canonical text: elements,
 * attributes (checked for syntax, then ignored, as `fromXml` ignores them; `xmlns` declarations decide
 * which children are in no namespace), text with the predefined entities and character references,
 * CDATA sections, comments and processing instructions (skipped), line ends normalized as a parser
 * does. Text that is not well-formed (an unclosed or mismatched element, a stray `<` or `&`, an
 * undefined entity or namespace prefix, a character XML cannot carry, a `<!DOCTYPE`, content after
 * the root) is ORG_ERR_PAYLOAD_DESERIALIZE saying where. It is linear in the input, never recurses on
 * input depth, and never throws anything but an OrganismError.
 *
 * Less strict than libxml2 on points that never occur in text libxml2 produced: namespace names are
 * not checked, neither for URI syntax (libxml2 refuses `xmlns="a b"`) nor for references (libxml2's
 * C14N writes `xmlns:p="urn:a&amp;b"` as `xmlns:p="urn:a&b"`: that is read as written; only whether
 * a default namespace is empty matters here), two attributes with different prefixes bound to the same
 * namespace are not detected as duplicates, and non-ASCII name characters outside the XML name
 * classes are not diagnosed.
 *
 * @throws OrganismError `ORG_ERR_PAYLOAD_DESERIALIZE`, with field-path details like {@link fromXml}.
 * @example
 * const value = fromCanonicalXml(model, schema, '<greeting><name>World</name></greeting>'); // { name: 'World' }
 */
export function fromCanonicalXml<T>(model: PayloadModel, schema: z.ZodType<T>, xml: string): T {
  const problems: string[] = [];
  let root: ScannedRoot;
  let raw: Record<string, unknown>;
  try {
    root = new Scanner(typeof xml === 'string' ? xml : String(xml), model).scan();
    raw = readObject(model.root, root.buckets, undefined, problems);
  } catch (error) {
    if (error instanceof OrganismError) throw error;
    throw unreadable(model, error);
  }
  return finishPayload(model, schema, raw, problems, () => root.name);
}

// ---- the items a scan collects, per field, in document order -------------------------------------

/** A leaf element that holds a child element (whose local name is kept for the problem message). */
class ChildElement {
  constructor(readonly name: string) {}
}

/** Per field of an object model, what its elements held; undefined: no element. */
type Buckets = (Item[] | undefined)[];

/** An element read through an object model. */
class ObjectItem {
  constructor(readonly buckets: Buckets) {}
}

/** A leaf element's text, a leaf element holding an element, or an object element. */
type Item = string | ChildElement | ObjectItem;

interface ScannedRoot {
  /** Local name of the root element. */
  readonly name: string;
  readonly buckets: Buckets;
}

// ---- turning items into the raw value: the same walk as fromXml's, over items ----------------------

/** A path into the value, built only when a problem is reported. */
interface Path {
  readonly parent: Path | undefined;
  readonly key: PropertyKey;
}

function segments(path: Path | undefined): PropertyKey[] {
  const out: PropertyKey[] = [];
  for (let p = path; p !== undefined; p = p.parent) out.push(p.key);
  return out.reverse();
}

const NO_ITEMS: readonly Item[] = [];

function readObject(model: ObjectModel, buckets: Buckets, path: Path | undefined, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = model.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const value = readField(field, buckets[i] ?? NO_ITEMS, { parent: path, key: field.name }, problems);
    if (value === undefined) continue;
    // A field named __proto__ must stay a plain own property; plain assignment is much faster otherwise.
    if (field.name === '__proto__') Object.defineProperty(out, field.name, { value, enumerable: true, writable: true, configurable: true });
    else out[field.name] = value;
  }
  return out;
}

function readField(field: FieldModel, items: readonly Item[], path: Path, problems: string[]): unknown {
  if (field.repeated) {
    if (items.length === 0) return field.optional ? undefined : [];
    return items.map((item, i) => readValue(field.value, item, { parent: path, key: i }, problems));
  }
  const first = items[0];
  if (first === undefined) return undefined; // zod reports a missing required field
  if (items.length > 1) problems.push(`${valuePath(segments(path))}: expected one <${field.name}> element, found ${items.length}`);
  return readValue(field.value, first, path, problems);
}

function readValue(model: ValueModel, item: Item, path: Path, problems: string[]): unknown {
  if (model.kind === 'object') return readObject(model, (item as ObjectItem).buckets, path, problems);
  if (item instanceof ChildElement) {
    problems.push(`${valuePath(segments(path))}: expected text, found a child element <${item.name}>`);
    return undefined;
  }
  if (model.kind === 'string' || model.kind === 'enum') return item; // the common case, without building the path
  return coerceScalar(model, item as string, segments(path), problems);
}

// ---- the scanner ---------------------------------------------------------------------------------

const LT = 0x3c; // <
const GT = 0x3e; // >
const AMP = 0x26; // &
const SLASH = 0x2f; // /
const QUESTION = 0x3f; // ?
const BANG = 0x21; // !
const EQUALS = 0x3d; // =
const COLON = 0x3a; // :
const SEMICOLON = 0x3b; // ;
const HASH = 0x23; // #
const DQUOTE = 0x22;
const SQUOTE = 0x27;

const enum Mode {
  /** An element read through an object model: its fields are collected. */
  Object,
  /** A leaf field: its text is collected. */
  Scalar,
  /** Anything else (unknown, namespaced, inside a leaf): only checked. */
  Skip,
}

/** An open element. */
class Frame {
  /** Scalar: the collected text; kept in `slot` of `bucket` at the end tag. */
  text = '';
  /** Scalar: the first child element, which makes the text a problem. */
  child: ChildElement | undefined = undefined;
  constructor(
    readonly qname: string,
    readonly mode: Mode,
    /** Whether the default namespace in scope for unprefixed children is none. */
    readonly childDefaultEmpty: boolean,
    /** Length of the prefix stack before this element's declarations. */
    readonly prefixMark: number,
    /** Object: its model, field positions by name, and buckets. */
    readonly model: ObjectModel | undefined,
    readonly index: ReadonlyMap<string, number> | undefined,
    readonly buckets: Buckets | undefined,
    /** Scalar: where its item goes. */
    readonly bucket: Item[] | undefined,
    readonly slot: number,
  ) {}
}

// Characters XML 1.0 cannot carry. The quick test flags surrogates too; the exact one lets pairs pass.
const MAYBE_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const LINE_ENDS = /\r\n?/g;
const XML_DECLARATION =
  /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(?:"[A-Za-z][\w.-]*"|'[A-Za-z][\w.-]*'))?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\n]*\?>$/;
/** Beyond this many attributes on one element, duplicates are looked up in a set. */
const FEW_ATTRIBUTES = 16;

class Scanner {
  readonly #s: string;
  readonly #model: PayloadModel;
  readonly #stack: Frame[] = [];
  /** Namespace prefixes declared by the open elements (innermost last). */
  readonly #prefixes: string[] = [];
  /** The next '&' / ']]>' at or after the last position asked about (-1: none left). Scans only move forward. */
  #ampAt = -2;
  #cdataEndAt = -2;
  #ltAt = -2;
  #rootName = '';

  constructor(xml: string, model: PayloadModel) {
    if (MAYBE_INVALID.test(xml)) {
      const bad = INVALID.exec(xml);
      if (bad !== null) {
        const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        this.#s = xml;
        this.#model = model;
        throw this.#malformed(`character U+${code}, which XML cannot carry`, bad.index);
      }
    }
    // Line-end normalization, as every XML parser does before anything else (&#xD; survives it).
    this.#s = xml.includes('\r') ? xml.replace(LINE_ENDS, '\n') : xml;
    this.#model = model;
  }

  scan(): ScannedRoot {
    const s = this.#s;
    const n = s.length;
    let rootName: string | undefined;
    let rootBuckets: Buckets | undefined;
    let i = s.charCodeAt(0) === 0xfeff ? 1 : 0;
    for (;;) {
      const lt = s.indexOf('<', i);
      const stack = this.#stack;
      const top = stack.length === 0 ? undefined : stack[stack.length - 1];
      const textEnd = lt < 0 ? n : lt;
      if (top === undefined) {
        if (textEnd > i) this.#outsideRoot(i, textEnd, rootName !== undefined);
      } else if (textEnd > i) {
        if (top.mode === Mode.Scalar && top.child === undefined) top.text += this.#text(i, textEnd, true);
        else this.#text(i, textEnd, false);
      }
      if (lt < 0) break;
      const next = s.charCodeAt(lt + 1);
      if (next === SLASH) {
        if (top === undefined) throw this.#malformed('an end tag without a start tag', lt);
        i = this.#endTag(top, lt);
      } else if (next === QUESTION) {
        i = this.#processingInstruction(lt);
      } else if (next === BANG) {
        i = this.#bang(lt, top);
      } else {
        if (top === undefined) {
          if (rootName !== undefined) throw this.#malformed('a second element after the root element', lt);
          rootBuckets = new Array(this.#model.root.fields.length);
          i = this.#startTag(lt, undefined, rootBuckets);
          rootName = this.#rootName;
        } else {
          i = this.#startTag(lt, top, undefined);
        }
      }
    }
    if (this.#stack.length > 0) {
      throw this.#malformed(`<${this.#stack[this.#stack.length - 1]!.qname}> is never closed`, n);
    }
    if (rootName === undefined || rootBuckets === undefined) throw this.#malformed('no element', n);
    return { name: rootName, buckets: rootBuckets };
  }

  /** Text before or after the root: whitespace only. */
  #outsideRoot(from: number, to: number, after: boolean): void {
    const s = this.#s;
    for (let i = from; i < to; i++) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) {
        throw this.#malformed(`text ${after ? 'after' : 'before'} the root element`, i);
      }
    }
  }

  /** Character data in s[from, to): checked, and decoded when `keep`. */
  #text(from: number, to: number, keep: boolean): string {
    const s = this.#s;
    const cdataEnd = this.#nextCdataEnd(from);
    if (cdataEnd >= 0 && cdataEnd + 3 <= to) throw this.#malformed("']]>' in text (escape the '>' as &gt;)", cdataEnd);
    let amp = this.#nextAmp(from);
    if (amp < 0 || amp >= to) return keep ? s.slice(from, to) : '';
    let out = '';
    let copied = from;
    while (amp >= 0 && amp < to) {
      const ref = this.#reference(amp, to);
      if (keep) out += s.slice(copied, amp) + ref.text;
      copied = ref.end;
      amp = this.#nextAmp(copied);
    }
    return keep ? out + s.slice(copied, to) : '';
  }

  #nextAmp(from: number): number {
    let at = this.#ampAt;
    if (at !== -1 && at < from) this.#ampAt = at = this.#s.indexOf('&', from);
    return at;
  }

  #nextLt(from: number): number {
    let at = this.#ltAt;
    if (at !== -1 && at < from) this.#ltAt = at = this.#s.indexOf('<', from);
    return at;
  }

  #nextCdataEnd(from: number): number {
    let at = this.#cdataEndAt;
    if (at !== -1 && at < from) this.#cdataEndAt = at = this.#s.indexOf(']]>', from);
    return at;
  }

  /** The entity or character reference at `amp` (before `limit`): its text and the index after it. */
  #reference(amp: number, limit: number): { text: string; end: number } {
    const s = this.#s;
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi >= limit || semi - amp > 40) throw this.#malformed("a '&' that starts no reference (escape it as &amp;)", amp);
    if (s.charCodeAt(amp + 1) === HASH) {
      const hex = s.charCodeAt(amp + 2) === 0x78; /* x */
      const digits = s.slice(amp + (hex ? 3 : 2), semi);
      if (!(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits)) throw this.#malformed(`a malformed character reference ${s.slice(amp, semi + 1)}`, amp);
      const cp = Number.parseInt(digits, hex ? 16 : 10);
      if (!isXmlChar(cp)) throw this.#malformed(`a character reference ${s.slice(amp, semi + 1)} to a character XML cannot carry`, amp);
      return { text: String.fromCodePoint(cp), end: semi + 1 };
    }
    const name = s.slice(amp + 1, semi);
    const text = PREDEFINED[name];
    if (text === undefined) throw this.#malformed(`an undefined entity &${name}; (only &amp; &lt; &gt; &quot; &apos; exist)`, amp);
    return { text, end: semi + 1 };
  }

  #processingInstruction(lt: number): number {
    const s = this.#s;
    const end = s.indexOf('?>', lt + 2);
    if (end < 0) throw this.#malformed('an unterminated processing instruction', lt);
    if (lt === 0 || (lt === 1 && s.charCodeAt(0) === 0xfeff)) {
      if (XML_DECLARATION.test(s.slice(lt, end + 2))) return end + 2;
    }
    if (!isNameStart(s.charCodeAt(lt + 2))) throw this.#malformed('a processing instruction without a target', lt);
    let i = lt + 3;
    while (isNameChar(s.charCodeAt(i))) i++;
    if (i - lt - 2 === 3 && s.slice(lt + 2, i).toLowerCase() === 'xml') {
      throw this.#malformed('a malformed XML declaration, or one that is not at the start', lt);
    }
    if (i !== end && !isSpace(s.charCodeAt(i))) throw this.#malformed('a malformed processing instruction target', lt);
    return end + 2;
  }

  /** A comment, a CDATA section, or a markup declaration (refused). */
  #bang(lt: number, top: Frame | undefined): number {
    const s = this.#s;
    if (s.startsWith('<!--', lt)) {
      const end = s.indexOf('-->', lt + 4);
      if (end < 0) throw this.#malformed('an unterminated comment', lt);
      if (s.indexOf('--', lt + 4) !== end) throw this.#malformed("'--' inside a comment", lt);
      return end + 3;
    }
    if (s.startsWith('<![CDATA[', lt)) {
      if (top === undefined) throw this.#malformed('a CDATA section outside the root element', lt);
      const end = s.indexOf(']]>', lt + 9);
      if (end < 0) throw this.#malformed('an unterminated CDATA section', lt);
      if (top.mode === Mode.Scalar && top.child === undefined) top.text += s.slice(lt + 9, end);
      return end + 3;
    }
    throw this.#malformed('a markup declaration (<!DOCTYPE, <!ENTITY, ...); payloads carry no DTD', lt);
  }

  #endTag(top: Frame, lt: number): number {
    const s = this.#s;
    const qname = top.qname;
    let i = lt + 2;
    if (!s.startsWith(qname, i) || !isNameStop(s.charCodeAt(i + qname.length))) {
      throw this.#malformed(`an end tag that does not close <${qname}>`, lt);
    }
    i += qname.length;
    while (isSpace(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== GT) throw this.#malformed(`a malformed end tag </${qname}`, lt);
    this.#close(top);
    return i + 1;
  }

  #close(frame: Frame): void {
    this.#stack.pop();
    if (this.#prefixes.length !== frame.prefixMark) this.#prefixes.length = frame.prefixMark;
    if (frame.mode === Mode.Scalar) frame.bucket![frame.slot] = frame.child ?? frame.text;
  }

  /** Opens the element whose start tag is at `lt`; `rootBuckets` for the root. Returns the index after the tag. */
  #startTag(lt: number, parent: Frame | undefined, rootBuckets: Buckets | undefined): number {
    const s = this.#s;
    const nameStart = lt + 1;
    const nameStop = this.#name(nameStart, 'element');
    const qname = s.slice(nameStart, nameStop);
    const colon = qname.indexOf(':');
    const prefixMark = this.#prefixes.length;

    // Attributes: checked for syntax; namespace declarations are kept, the others only checked.
    let defaultNs: boolean | undefined; // declared default namespace: true when it is none (xmlns="")
    let attributePrefixes: string[] | undefined;
    let attributeNames: string[] | undefined;
    let attributeSet: Set<string> | undefined;
    let i = nameStop;
    let selfClosing = false;
    for (;;) {
      let c = s.charCodeAt(i);
      if (c === GT) break;
      if (c === SLASH) {
        if (s.charCodeAt(i + 1) !== GT) throw this.#malformed(`a '/' inside the start tag of <${qname}>`, i);
        selfClosing = true;
        i++;
        break;
      }
      if (!isSpace(c)) {
        throw this.#malformed(i >= s.length ? `an unfinished start tag <${qname}` : `an unexpected ${describe(s, i)} in the start tag of <${qname}>`, i);
      }
      do c = s.charCodeAt(++i);
      while (isSpace(c));
      if (c === GT || c === SLASH) continue;
      const attrStart = i;
      const attrStop = this.#name(i, 'attribute');
      i = attrStop;
      while (isSpace(s.charCodeAt(i))) i++;
      if (s.charCodeAt(i) !== EQUALS) throw this.#malformed(`attribute ${s.slice(attrStart, attrStop)} has no value`, i);
      i++;
      while (isSpace(s.charCodeAt(i))) i++;
      const quote = s.charCodeAt(i);
      if (quote !== DQUOTE && quote !== SQUOTE) throw this.#malformed(`attribute ${s.slice(attrStart, attrStop)} has an unquoted value`, i);
      const close = s.indexOf(quote === DQUOTE ? '"' : "'", i + 1);
      if (close < 0) throw this.#malformed(`attribute ${s.slice(attrStart, attrStop)} has an unterminated value`, i);
      const lessThan = this.#nextLt(i + 1);
      if (lessThan >= 0 && lessThan < close) throw this.#malformed("a '<' in an attribute value (escape it as &lt;)", lessThan);
      const attrName = s.slice(attrStart, attrStop);
      // libxml2's C14N writes namespace names unescaped ('&' stays '&'): accept what it writes there.
      const amp = this.#nextAmp(i + 1);
      if (amp >= 0 && amp < close && attrName !== 'xmlns' && !attrName.startsWith('xmlns:')) this.#attributeReferences(amp, close);
      if (attributeSet !== undefined) {
        if (attributeSet.has(attrName)) throw this.#malformed(`attribute ${attrName} is repeated`, attrStart);
        attributeSet.add(attrName);
      } else if (attributeNames === undefined) {
        attributeNames = [attrName];
      } else {
        if (attributeNames.includes(attrName)) throw this.#malformed(`attribute ${attrName} is repeated`, attrStart);
        attributeNames.push(attrName);
        if (attributeNames.length > FEW_ATTRIBUTES) attributeSet = new Set(attributeNames);
      }
      if (attrName === 'xmlns') {
        defaultNs = close === i + 1;
      } else if (attrName.startsWith('xmlns:')) {
        const prefix = attrName.slice(6);
        if (prefix === 'xmlns' || close === i + 1) throw this.#malformed(`an invalid namespace declaration ${attrName}`, attrStart);
        this.#prefixes.push(prefix);
      } else if (attrName.includes(':')) {
        (attributePrefixes ??= []).push(attrName.slice(0, attrName.indexOf(':')));
      }
      i = close + 1;
    }
    if (colon >= 0) this.#checkPrefix(qname.slice(0, colon), lt);
    if (attributePrefixes !== undefined) for (const prefix of attributePrefixes) this.#checkPrefix(prefix, lt);

    const local = colon >= 0 ? qname.slice(colon + 1) : qname;
    const inherited = parent === undefined ? true : parent.childDefaultEmpty;
    const childDefaultEmpty = defaultNs ?? inherited;
    const noNamespace = colon < 0 && childDefaultEmpty;

    let frame: Frame;
    if (parent === undefined) {
      const model = this.#model.root;
      this.#rootName = local;
      frame = new Frame(qname, Mode.Object, childDefaultEmpty, prefixMark, model, fieldIndex(model), rootBuckets, undefined, 0);
    } else if (parent.mode === Mode.Object) {
      const index = noNamespace ? parent.index!.get(local) : undefined;
      if (index === undefined) {
        frame = new Frame(qname, Mode.Skip, childDefaultEmpty, prefixMark, undefined, undefined, undefined, undefined, 0);
      } else {
        const field = parent.model!.fields[index]!;
        const bucket = (parent.buckets![index] ??= []);
        const value = field.value;
        if (value.kind === 'object') {
          const buckets: Buckets = new Array(value.fields.length);
          bucket.push(new ObjectItem(buckets));
          frame = new Frame(qname, Mode.Object, childDefaultEmpty, prefixMark, value, fieldIndex(value), buckets, undefined, 0);
        } else {
          bucket.push('');
          frame = new Frame(qname, Mode.Scalar, childDefaultEmpty, prefixMark, undefined, undefined, undefined, bucket, bucket.length - 1);
        }
      }
    } else {
      if (parent.mode === Mode.Scalar && parent.child === undefined) parent.child = new ChildElement(local);
      frame = new Frame(qname, Mode.Skip, childDefaultEmpty, prefixMark, undefined, undefined, undefined, undefined, 0);
    }
    this.#stack.push(frame);
    if (selfClosing) this.#close(frame);
    return i + 1;
  }

  /** The end of the (qualified) name at `from`: NCName or NCName:NCName. */
  #name(from: number, what: 'element' | 'attribute'): number {
    const s = this.#s;
    let i = from;
    let colon = -1;
    if (!isNameStart(s.charCodeAt(i))) throw this.#malformed(`an ${what} name cannot start with ${describe(s, i)}`, i);
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === COLON) {
        if (colon >= 0 || i === from) throw this.#malformed(`an invalid qualified name ${s.slice(from, nameEnd(s, i))}`, from);
        colon = i;
      } else if (!isNameChar(c)) {
        break;
      }
      i++;
    }
    if (colon === i - 1) throw this.#malformed(`an invalid qualified name ${s.slice(from, i)}`, from);
    if (colon >= 0 && !isNameStart(s.charCodeAt(colon + 1))) throw this.#malformed(`an invalid qualified name ${s.slice(from, i)}`, from);
    const stop = s.charCodeAt(i);
    if (!isNameStop(stop)) throw this.#malformed(`an unexpected ${describe(s, i)} after the name ${s.slice(from, i)}`, i);
    return i;
  }

  #attributeReferences(amp: number, close: number): void {
    let at = amp;
    while (at >= 0 && at < close) at = this.#nextAmp(this.#reference(at, close).end);
  }

  #checkPrefix(prefix: string, at: number): void {
    if (prefix === 'xml') return;
    if (prefix !== 'xmlns' && this.#prefixes.lastIndexOf(prefix) >= 0) return;
    throw this.#malformed(`the namespace prefix ${prefix} is not declared`, at);
  }

  #malformed(problem: string, at: number): OrganismError {
    const s = this.#s;
    const near = s.slice(Math.max(0, at - 20), at + 20);
    return new OrganismError(
      'ORG_ERR_PAYLOAD_DESERIALIZE',
      `cannot read the payload as ${this.#model.typeName}: the XML is not well-formed at offset ${at} (${problem}, ` +
        `near ${JSON.stringify(near)}); send one well-formed payload element`,
    );
  }
}

const PREDEFINED: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
});

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7);
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0xb7;
}

/** What may follow a name: whitespace, `>`, `/`, `=`. */
function isNameStop(c: number): boolean {
  return c === GT || c === SLASH || c === EQUALS || isSpace(c);
}

function nameEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length && (isNameChar(s.charCodeAt(i)) || s.charCodeAt(i) === COLON)) i++;
  return i;
}

function describe(s: string, at: number): string {
  return at >= s.length ? 'the end of the text' : JSON.stringify(s[at]);
}
