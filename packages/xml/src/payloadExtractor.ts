import { SaxesParser, type SaxesStartTagNS, type SaxesTagNS } from 'saxes';
import { BareAmpersandEscaper } from './bareAmpersandEscaper.js';
import { ENVELOPE_NS } from './envelopeSchema.js';
import { OrganismError, type ErrorCode } from './errors.js';
import { escapeXmlAttribute, escapeXmlText } from './escapeXmlText.js';
import { resolveXmlLimits, type XmlLimits } from './limits.js';
import { fitsWhole, simplePayload } from './simplePayload.js';

/**
 * One item of a handler response: a payload ready to be enveloped (`xml` is re-serialized from parser
 * events: well-formed, with the namespace declarations it needs; `tag` is its local name, `ns` its
 * namespace URI or `''`), or why an element was refused.
 *
 * @example
 * ```ts
 * for (const item of extractor.push(chunk)) {
 *   if (item.kind === 'payload') reinject(buildEnvelope({ from: listener, thread }, item.xml));
 *   else errors.next(item.error);
 * }
 * ```
 */
export type Extracted =
  | { kind: 'payload'; xml: string; tag: string; ns: string }
  | { kind: 'error'; error: OrganismError };

type SaxesOptionsNS = { xmlns: true; fragment: true; position: true };

/** A top-level element being read. */
interface OpenElement {
  readonly name: string;
  readonly tag: string;
  readonly ns: string;
  readonly line: number;
  /** Bare `<message>`: an envelope if a `<meta>` child shows up. */
  readonly maybeEnvelope: boolean;
  xml: string;
  /** First reason to refuse it; once set, nothing more is serialized. */
  failure: OrganismError | undefined;
}

/**
 * Incremental multi-payload extractor for handler output (typically an LLM's streamed text), built on
 * saxes. Every top-level element is one payload, emitted from the `push()` call in which its closing tag
 * arrives. Text, comments, processing instructions and XML declarations between top-level elements are
 * ignored. Payload XML is re-serialized from parser events, never sliced from the input, so it is
 * well-formed; comments and processing instructions inside a payload are dropped and CDATA becomes
 * escaped text.
 *
 * Refused, as `{ kind: 'error' }` items (nothing ever throws):
 * - a top-level `<message>` envelope (in the envelope namespace, or bare with a `<meta>` child) or any
 *   top-level element in the envelope namespace: ORG_ERR_RESPONSE_ENVELOPE (handlers never choose their
 *   own `<from>`/`<thread>`);
 * - an element that is not well-formed: ORG_ERR_RESPONSE_PARSE, and extraction goes on with the next
 *   top-level element; an unclosed element at `end()` too;
 * - nesting deeper than `maxDepth`: ORG_ERR_XML_TOO_DEEP for that element;
 * - more than `maxPayloadsPerResponse` payloads: one ORG_ERR_RESPONSE_TOO_MANY, then extraction stops;
 * - more than `maxBytes` of input (UTF-8): ORG_ERR_XML_TOO_LARGE, then extraction stops;
 * - a `<!DOCTYPE`/`<!ENTITY`: ORG_ERR_XML_DTD, then extraction stops.
 * Items are the same however the input is chunked.
 *
 * @example
 * ```ts
 * const extractor = new PayloadExtractor();
 * for await (const chunk of llmStream) for (const item of extractor.push(chunk)) dispatch(item);
 * for (const item of extractor.end()) dispatch(item);
 * ```
 */
export class PayloadExtractor {
  readonly #limits: XmlLimits;
  readonly #escaper = new BareAmpersandEscaper();
  /** Created on first use: a first chunk the fast path answers entirely never needs it. */
  #parser: SaxesParser<SaxesOptionsNS> | undefined;
  /** The first chunk, answered by the fast path and not yet fed to saxes (see {@link simplePayload}). */
  #unparsed: string | undefined;
  /** While the unparsed chunk is replayed: saxes events change nothing, their items were already given. */
  #replaying = false;
  #out: Extracted[] = [];
  #bytes = 0;
  #endsWithHighSurrogate = false;
  #stopped = false;
  #ending = false;
  #depth = 0;
  #payloads = 0;
  #current: OpenElement | undefined;
  /** A top-level element whose closing tag was just parsed; saxes may still report an error at the same position. */
  #closed: OpenElement | undefined;
  #closedAt = -1;
  /** Name and first error of a start tag being parsed at the top level (before its element opens). */
  #startTag: { name: string; line: number; failure: OrganismError | undefined } | undefined;
  #endedInsideTag = false;

  constructor(limits?: Partial<XmlLimits>) {
    this.#limits = resolveXmlLimits(limits);
  }

  get #saxes(): SaxesParser<SaxesOptionsNS> {
    let parser = this.#parser;
    if (parser === undefined) {
      parser = new SaxesParser<SaxesOptionsNS>({ xmlns: true, fragment: true, position: true });
      parser.on('opentagstart', (tag) => this.#onOpenTagStart(tag));
      parser.on('opentag', (tag) => this.#onOpenTag(tag));
      parser.on('text', (text) => this.#onText(text));
      parser.on('cdata', (text) => this.#onText(text));
      parser.on('closetag', (tag) => this.#onCloseTag(tag));
      parser.on('error', (error) => this.#onError(error));
      this.#parser = parser;
    }
    return parser;
  }

  /**
   * Feeds a chunk of handler output. Returns the items completed by it: payloads whose closing tag
   * arrived in this chunk, and errors.
   *
   * Fast path: a first chunk that is one plain payload element (ASCII names without prefixes, no
   * entity references, comments, CDATA or processing instructions; whitespace around it) is answered
   * without saxes, with the very item saxes would give; should more output follow, saxes reads that
   * chunk first, silently, so everything after behaves as if it had read it from the start.
   */
  push(chunk: string): Extracted[] {
    if (this.#stopped || chunk === '') return [];
    if (this.#parser === undefined && this.#unparsed === undefined && this.#bytes === 0 && fitsWhole(chunk, this.#limits.maxBytes)) {
      const payload = simplePayload(chunk, this.#limits.maxDepth);
      if (payload !== undefined) {
        this.#admit(chunk);
        this.#unparsed = chunk;
        this.#payloads = 1;
        return [payload];
      }
    }
    this.#replayUnparsed();
    const allowed = this.#admit(chunk);
    this.#write(this.#escaper.feed(allowed, false));
    if (allowed.length < chunk.length && !this.#stopped) {
      this.#stop(
        'ORG_ERR_XML_TOO_LARGE',
        `the handler output is larger than ${this.#limits.maxBytes} bytes (limits.maxBytes); everything after ` +
          `that was dropped. Return smaller payloads, or raise the limit`,
      );
    }
    return this.#drain();
  }

  /** Signals the end of the output; flushes held-back text. An unclosed element is ORG_ERR_RESPONSE_PARSE. */
  end(): Extracted[] {
    if (this.#stopped) return this.#drain();
    if (this.#unparsed !== undefined && this.#parser === undefined) {
      // Only the fast-path chunk came: saxes, having read it, would find nothing more to report.
      this.#unparsed = undefined;
      this.#stopped = true;
      return this.#drain();
    }
    this.#replayUnparsed();
    this.#write(this.#escaper.feed('', true));
    if (this.#stopped) return this.#drain();
    const insideSpecialSection = this.#escaper.insideSpecialSection;
    this.#ending = true;
    try {
      this.#saxes.close();
    } catch (cause) {
      this.#parserFailed(cause);
      return this.#drain();
    }
    this.#flushClosed();
    const open = this.#current;
    if (open !== undefined) {
      this.#current = undefined;
      this.#out.push({
        kind: 'error',
        error:
          open.failure !== undefined && open.failure.code !== 'ORG_ERR_RESPONSE_PARSE'
            ? open.failure
            : new OrganismError(
                'ORG_ERR_RESPONSE_PARSE',
                `handler output line ${open.line}: <${open.name}> is never closed (the output ended first); ` +
                  `it was dropped. Close every element you open`,
                open.failure === undefined ? undefined : { cause: open.failure },
              ),
      });
    } else if (this.#startTag !== undefined || (this.#endedInsideTag && !insideSpecialSection)) {
      const name = this.#startTag === undefined ? '' : ` <${this.#startTag.name}`;
      this.#out.push({
        kind: 'error',
        error: new OrganismError(
          'ORG_ERR_RESPONSE_PARSE',
          `handler output line ${this.#saxes.line}: the output ends inside an unfinished tag${name}; ` +
            `it was dropped. Finish every tag you start`,
        ),
      });
    }
    this.#stopped = true;
    return this.#drain();
  }

  /** Feeds saxes the chunk the fast path answered, so that it reads what follows in the right state. */
  #replayUnparsed(): void {
    const chunk = this.#unparsed;
    if (chunk === undefined) return;
    this.#unparsed = undefined;
    this.#replaying = true;
    try {
      this.#write(this.#escaper.feed(chunk, false));
    } finally {
      this.#replaying = false;
    }
  }

  /** Counts the chunk against maxBytes; returns the part of it that fits. */
  #admit(chunk: string): string {
    let bytes = Buffer.byteLength(chunk, 'utf8');
    // A surrogate pair split across chunks counts 3 + 3 bytes above; as a pair it is 4.
    const completesPair = this.#endsWithHighSurrogate && isLowSurrogate(chunk.charCodeAt(0));
    if (completesPair) bytes -= 2;
    const budget = this.#limits.maxBytes - this.#bytes;
    if (bytes <= budget) {
      this.#bytes += bytes;
      this.#endsWithHighSurrogate = isHighSurrogate(chunk.charCodeAt(chunk.length - 1));
      return chunk;
    }
    const fitting = utf8Prefix(chunk, budget, completesPair);
    this.#bytes = this.#limits.maxBytes;
    return fitting;
  }

  #write(text: string): void {
    if (text !== '') {
      try {
        this.#saxes.write(text);
      } catch (cause) {
        this.#parserFailed(cause); // saxes reports through onerror; this is a last-resort guard
        return;
      }
      this.#flushClosed();
    }
    const keyword = this.#escaper.declaration;
    if (keyword !== undefined && !this.#stopped) {
      this.#stop(
        'ORG_ERR_XML_DTD',
        `handler output line ${this.#saxes.line}: a markup declaration <!${keyword}; DTDs and entity declarations ` +
          `are never processed, so nothing from there on was delivered. Return plain XML payloads`,
      );
    }
  }

  #parserFailed(cause: unknown): void {
    this.#stop(
      'ORG_ERR_RESPONSE_PARSE',
      `the XML parser failed on the handler output (${cause instanceof Error ? cause.message : String(cause)}); ` +
        `nothing from there on was delivered`,
      cause,
    );
  }

  #onOpenTagStart(tag: SaxesStartTagNS): void {
    if (this.#stopped || this.#replaying) return; // saxes finishes the chunk it was given; ignore the rest
    if (this.#depth === 0) {
      this.#flushClosed();
      this.#startTag = { name: tag.name, line: this.#saxes.line, failure: undefined };
    }
  }

  #onOpenTag(tag: SaxesTagNS): void {
    if (this.#stopped || this.#replaying) return;
    this.#depth++;
    const depth = this.#depth;
    let element = this.#current;
    if (depth === 1 || element === undefined) {
      const start = this.#startTag;
      this.#startTag = undefined;
      element = {
        name: tag.name,
        tag: tag.local,
        ns: tag.uri,
        line: start?.line ?? this.#saxes.line,
        maybeEnvelope: tag.local === 'message' && tag.uri === '',
        xml: '',
        failure: start?.failure,
      };
      this.#current = element;
      if (element.failure === undefined && tag.uri === ENVELOPE_NS) element.failure = this.#forged(element);
    } else if (depth === 2 && element.maybeEnvelope && tag.local === 'meta' && element.failure === undefined) {
      element.failure = this.#forged(element);
    }
    if (element.failure !== undefined) return;
    if (depth > this.#limits.maxDepth) {
      element.failure = new OrganismError(
        'ORG_ERR_XML_TOO_DEEP',
        `handler output line ${this.#saxes.line}: <${element.name}> (from line ${element.line}) nests elements ` +
          `${depth} deep, above the limit of ${this.#limits.maxDepth} (limits.maxDepth); it was dropped. ` +
          `Flatten the payload`,
      );
      element.xml = '';
      return;
    }
    element.xml += serializeStartTag(tag);
  }

  #onText(text: string): void {
    if (this.#stopped || this.#replaying) return;
    const element = this.#current;
    if (element !== undefined && element.failure === undefined) element.xml += escapeXmlText(text);
  }

  #onCloseTag(tag: SaxesTagNS): void {
    if (this.#stopped || this.#replaying) return;
    const element = this.#current;
    if (element !== undefined && element.failure === undefined && !tag.isSelfClosing) element.xml += `</${tag.name}>`;
    this.#depth--;
    if (this.#depth === 0 && element !== undefined) {
      this.#current = undefined;
      this.#closed = element;
      this.#closedAt = this.#saxes.position;
    }
  }

  #onError(error: Error): void {
    if (this.#stopped || this.#replaying) return;
    const raw = error.message.replace(/^\d+:\d+: /, '');
    const message = raw.endsWith('.') ? raw : `${raw}.`;
    const where = `handler output line ${this.#saxes.line}, column ${this.#saxes.column}`;
    // saxes reports a mismatched end tag right after the closetag events it implies, at the same position.
    const closed = this.#closed;
    if (closed !== undefined && this.#saxes.position === this.#closedAt) {
      closed.failure ??= this.#malformed(closed.name, closed.line, where, message, error);
      return;
    }
    this.#flushClosed();
    const element = this.#current;
    if (element !== undefined) {
      if (element.failure === undefined) {
        element.failure = this.#malformed(element.name, element.line, where, message, error);
        element.xml = '';
      }
    } else if (this.#startTag !== undefined) {
      this.#startTag.failure ??= this.#malformed(this.#startTag.name, this.#startTag.line, where, message, error);
    } else if (this.#ending) {
      this.#endedInsideTag = true;
    }
    // Anything else is top-level chatter (stray text, '<' in prose, an XML declaration): ignored.
  }

  #malformed(name: string, line: number, where: string, message: string, cause: Error): OrganismError {
    return new OrganismError(
      'ORG_ERR_RESPONSE_PARSE',
      `${where}: ${message} The element <${name}> that starts at line ${line} was dropped; ` +
        `return well-formed XML (close every element, quote attributes, escape < and &)`,
      { cause },
    );
  }

  #forged(element: { name: string; line: number }): OrganismError {
    return new OrganismError(
      'ORG_ERR_RESPONSE_ENVELOPE',
      `handler output line ${element.line}: <${element.name}> is an envelope (or in the envelope namespace ` +
        `${ENVELOPE_NS}); handlers never write envelopes, the pump sets <from> and <thread> itself. ` +
        `Nothing inside it was delivered: return only payload elements`,
    );
  }

  /** Emits the element whose closing tag was parsed last, now that no error can be attributed to it. */
  #flushClosed(): void {
    const element = this.#closed;
    if (element === undefined) return;
    this.#closed = undefined;
    if (element.failure !== undefined) {
      this.#out.push({ kind: 'error', error: element.failure });
      return;
    }
    if (this.#payloads >= this.#limits.maxPayloadsPerResponse) {
      this.#stop(
        'ORG_ERR_RESPONSE_TOO_MANY',
        `handler output line ${element.line}: payload <${element.name}> is number ${this.#payloads + 1}, above the ` +
          `limit of ${this.#limits.maxPayloadsPerResponse} per response (limits.maxPayloadsPerResponse); it and ` +
          `everything after it were dropped. Return fewer payloads per response`,
      );
      return;
    }
    this.#payloads++;
    this.#out.push({ kind: 'payload', xml: element.xml, tag: element.tag, ns: element.ns });
  }

  #stop(code: ErrorCode, message: string, cause?: unknown): void {
    this.#flushClosed();
    this.#stopped = true;
    this.#current = undefined;
    this.#out.push({ kind: 'error', error: new OrganismError(code, message, cause === undefined ? undefined : { cause }) });
  }

  #drain(): Extracted[] {
    if (!this.#stopped) this.#flushClosed();
    const out = this.#out;
    this.#out = [];
    return out;
  }
}

function serializeStartTag(tag: SaxesTagNS): string {
  let xml = `<${tag.name}`;
  const attributes = tag.attributes;
  for (const name in attributes) {
    xml += ` ${name}="${escapeXmlAttribute(attributes[name]!.value)}"`;
  }
  return tag.isSelfClosing ? `${xml}/>` : `${xml}>`;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * The longest prefix of `s` whose UTF-8 encoding fits in `budget` bytes (code points are not split).
 * `completesPair`: `s` starts with the low half of a pair whose high half (3 bytes) was already counted.
 */
function utf8Prefix(s: string, budget: number, completesPair: boolean): string {
  let used = 0;
  let i = 0;
  if (completesPair) {
    if (budget < 1) return '';
    used = 1;
    i = 1;
  }
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (used + size > budget) break;
    used += size;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return s.slice(0, i);
}
