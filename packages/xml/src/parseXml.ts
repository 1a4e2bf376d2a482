import './libxml2Tuning.js';
import { ParseOption, XmlDocument, XmlLibError } from 'libxml2-wasm';
import { decodeXmlInputWithBytes } from './decodeXmlInput.js';
import { OrganismError } from './errors.js';
import { formatLibxml2Details } from './formatLibxml2Details.js';
import { resolveXmlLimits, type XmlLimits } from './limits.js';
import { preScanXml } from './preScanXml.js';

/**
 * A parsed document and the repairs libxml2 made to get it. Dispose it (or `using` it) when done.
 *
 * @example
 * ```ts
 * const parsed = parseXml(input);
 * try { audit(parsed.repairs); validateEnvelope(parsed.doc); } finally { parsed.dispose(); }
 * ```
 */
export interface ParsedXml extends Disposable {
  /** The libxml2 document; valid until {@link ParsedXml.dispose}. */
  readonly doc: XmlDocument;
  /** libxml2 messages describing what was repaired; empty when the input was well-formed. */
  readonly repairs: readonly string[];
  /** Frees the document. Idempotent. */
  dispose(): void;
}

const STRICT_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;
// NOENT is safe here: DTDs never reach libxml2, so the only entities are the predefined ones. Without it
// an undefined entity survives recovery as an entity-reference node that exclusive c14n cannot serialize.
const RECOVER_OPTIONS =
  ParseOption.XML_PARSE_RECOVER |
  ParseOption.XML_PARSE_NOERROR |
  ParseOption.XML_PARSE_NOWARNING |
  ParseOption.XML_PARSE_NONET |
  ParseOption.XML_PARSE_NO_XXE |
  ParseOption.XML_PARSE_NOENT;

const NO_REPAIRS: readonly string[] = Object.freeze([]);

const STRICT = { option: STRICT_OPTIONS };
const RECOVER = { option: RECOVER_OPTIONS };
// Forcing the encoding costs time; only a text with an XML declaration can claim another one.
const STRICT_UTF8 = { option: STRICT_OPTIONS, encoding: 'utf-8' };
const RECOVER_UTF8 = { option: RECOVER_OPTIONS, encoding: 'utf-8' };

/**
 * Parses untrusted XML. In order: size check (bytes as UTF-8) -> ORG_ERR_XML_TOO_LARGE; any
 * `<!DOCTYPE`/`<!ENTITY` -> ORG_ERR_XML_DTD; depth pre-scan -> ORG_ERR_XML_TOO_DEEP; strict parse (the fast
 * path); on failure, a libxml2 recovery parse whose repairs are reported in `repairs`. Input that cannot
 * be recovered into a document with a root element is ORG_ERR_XML_PARSE. A recovered root may be
 * implausible (`<not valid xml` becomes `<not/>`): the envelope validator rejects it.
 *
 * String input is always read as UTF-8 whatever its XML declaration says; byte input honours a BOM or
 * declared encoding.
 *
 * @example
 * ```ts
 * using parsed = parseXml('<message xmlns="https://xml-pipeline.org/ns/envelope/v1">...</message>');
 * if (parsed.repairs.length > 0) log.warn(parsed.repairs);
 * validateEnvelope(parsed.doc);
 * ```
 */
export function parseXml(input: string | Uint8Array, limits?: Partial<XmlLimits>): ParsedXml {
  const { maxBytes, maxDepth } = resolveXmlLimits(limits);
  const { text, utf8 } = decodeXmlInputWithBytes(input, maxBytes);
  preScanXml(text, maxDepth);
  const declared = text.startsWith('<?xml') || text.startsWith('\uFEFF<?xml');
  const source = utf8 ?? utf8Of(text);

  let strictError: XmlLibError;
  try {
    return new ParsedXmlImpl(readDocument(source, declared ? STRICT_UTF8 : STRICT), NO_REPAIRS);
  } catch (error) {
    if (!(error instanceof XmlLibError)) throw wrapUnexpected(error);
    strictError = error;
  }

  const repairs = Object.freeze(
    strictError.details.length > 0
      ? formatLibxml2Details(strictError.details)
      : [text.trim() === '' ? 'line 1: the input is empty' : strictError.message.trim()],
  );
  let doc: XmlDocument;
  try {
    doc = readDocument(source, declared ? RECOVER_UTF8 : RECOVER);
  } catch (cause) {
    throw unrecoverable(repairs, cause);
  }
  try {
    if (!hasRoot(doc)) throw unrecoverable(repairs, undefined);
    // The pre-scan is exact only for well-formed input; recovery may nest what the scan closed.
    if (doc.eval(depthProbe(maxDepth)) === true) {
      throw new OrganismError(
        'ORG_ERR_XML_TOO_DEEP',
        `the repaired document nests elements deeper than the limit of ${maxDepth} (limits.maxDepth); ` +
          `close every element you open, or raise the limit`,
        { details: repairs },
      );
    }
    return new ParsedXmlImpl(doc, repairs);
  } catch (error) {
    doc.dispose();
    throw error;
  }
}

// An unpaired surrogate: Buffer.from writes U+FFFD for it, libxml2-wasm's own encoder an invalid sequence.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The UTF-8 bytes libxml2-wasm would encode `text` to (natively, instead of its two JavaScript passes),
 * or the text itself when it holds an unpaired surrogate, which only libxml2-wasm encodes its own way.
 */
function utf8Of(text: string): Uint8Array | string {
  if (SURROGATE.test(text) && LONE_SURROGATE.test(text)) return text;
  return Buffer.from(text, 'utf8');
}

function readDocument(source: Uint8Array | string, options: { option: number; encoding?: string }): XmlDocument {
  return typeof source === 'string' ? XmlDocument.fromString(source, options) : XmlDocument.fromBuffer(source, options);
}

class ParsedXmlImpl implements ParsedXml {
  #doc: XmlDocument | undefined;
  readonly repairs: readonly string[];

  constructor(doc: XmlDocument, repairs: readonly string[]) {
    this.#doc = doc;
    this.repairs = repairs;
  }

  get doc(): XmlDocument {
    if (this.#doc === undefined) {
      throw new OrganismError('ORG_ERR_CLOSED', 'this ParsedXml was disposed; read its document before disposing it');
    }
    return this.#doc;
  }

  dispose(): void {
    const doc = this.#doc;
    this.#doc = undefined;
    doc?.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function hasRoot(doc: XmlDocument): boolean {
  try {
    return doc.root !== null;
  } catch {
    return false;
  }
}

let cachedProbe: { depth: number; xpath: string } | undefined;

/** XPath that is true when some element sits deeper than maxDepth (root = depth 1). */
function depthProbe(maxDepth: number): string {
  if (cachedProbe?.depth !== maxDepth) {
    cachedProbe = { depth: maxDepth, xpath: `boolean(${'/*'.repeat(maxDepth + 1)})` };
  }
  return cachedProbe.xpath;
}

function unrecoverable(repairs: readonly string[], cause: unknown): OrganismError {
  return new OrganismError(
    'ORG_ERR_XML_PARSE',
    `${repairs[0] ?? 'empty input'}; the input is not XML and could not be repaired into a document. ` +
      `Send a well-formed document with one root element`,
    { cause, details: repairs },
  );
}

function wrapUnexpected(cause: unknown): OrganismError {
  return new OrganismError(
    'ORG_ERR_XML_PARSE',
    `libxml2 failed unexpectedly while parsing: ${cause instanceof Error ? cause.message : String(cause)}`,
    { cause },
  );
}
