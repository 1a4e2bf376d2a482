import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import xsdSchemaValidator from 'xsd-schema-validator';
import { decodeXmlInput } from './decodeXmlInput.js';
import { OrganismError, isOrganismError } from './errors.js';
import { javaExecutable, isJavaAvailable } from './isJavaAvailable.js';
import { DEFAULT_XML_LIMITS } from './limits.js';
import { parseSchemaDocument } from './parseSchemaDocument.js';
import { preScanXml } from './preScanXml.js';
import type { CompiledSchema, SchemaValidator, ValidationIssue } from './schemaValidator.js';

/**
 * XSD validation by Apache Xerces (the JDK's validator) through xsd-schema-validator: an independent
 * second opinion on the libxml2 verdict, never the hot path (it starts a JVM per call, about 300 ms).
 * `compile()` only checks that the XSD is well-formed and writes it to a temporary file; java is looked
 * for on the first `validate()`, which rejects with ORG_ERR_VALIDATOR_UNAVAILABLE when there is none.
 * Schema errors Xerces finds reject with ORG_ERR_XSD_COMPILE.
 *
 * @example
 * ```ts
 * using schema = xercesValidator().compile(xsd);
 * const issues = await schema.validate({ xml: '<age>x</age>' });
 * ```
 */
export function xercesValidator(): SchemaValidator {
  return Object.freeze({
    name: 'xerces' as const,
    compile(xsd: string): CompiledSchema {
      return new XercesCompiledSchema(xsd);
    },
  });
}

class XercesCompiledSchema implements CompiledSchema {
  readonly #dir: string;
  readonly #xsdPath: string;
  #inFlight = 0;
  #disposed = false;

  constructor(xsd: string) {
    parseSchemaDocument(xsd).dispose(); // well-formed and DTD-free, or ORG_ERR_XSD_COMPILE
    this.#dir = mkdtempSync(join(tmpdir(), 'organism-xsd-'));
    this.#xsdPath = join(this.#dir, 'schema.xsd');
    writeFileSync(this.#xsdPath, xsd, 'utf8');
  }

  async validate(payload: { xml: string }): Promise<readonly ValidationIssue[]> {
    if (this.#disposed) {
      throw new OrganismError('ORG_ERR_CLOSED', 'this compiled schema was disposed; compile the XSD again to validate');
    }
    // Xerces would happily expand a DTD: apply the same guards as parseXml before java sees the text.
    try {
      preScanXml(decodeXmlInput(payload.xml, DEFAULT_XML_LIMITS.maxBytes), DEFAULT_XML_LIMITS.maxDepth);
    } catch (error) {
      if (isOrganismError(error)) return [{ message: error.message }];
      throw error;
    }
    this.#inFlight++;
    try {
      if (!(await isJavaAvailable())) throw javaMissing(undefined);
      await xsdSchemaValidator.validateXML(payload.xml, this.#xsdPath);
      return [];
    } catch (error) {
      return toIssues(error);
    } finally {
      this.#inFlight--;
      if (this.#disposed && this.#inFlight === 0) this.#removeFiles();
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#inFlight === 0) this.#removeFiles();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #removeFiles(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

interface XercesFailure {
  result: string;
  messages: string[];
}

function isXercesFailure(error: unknown): error is XercesFailure {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as Partial<XercesFailure>).result === 'string' &&
    Array.isArray((error as Partial<XercesFailure>).messages)
  );
}

/** Maps a rejection of validateXML: Xerces diagnostics -> issues; schema or java failures -> OrganismError. */
function toIssues(error: unknown): readonly ValidationIssue[] {
  if (isOrganismError(error)) throw error;
  if (!isXercesFailure(error)) throw javaMissing(error);
  const issues = parseMessages(error.messages);
  const first = issues[0];
  // A payload's fatal errors come first with a position; a schema that fails to load yields one
  // positionless fatal message before any payload is read.
  if (error.result === 'FATAL_ERROR' && first !== undefined && first.line === undefined) {
    throw new OrganismError('ORG_ERR_XSD_COMPILE', `Xerces could not load the XSD: ${first.message}; fix the schema`, {
      cause: error,
      details: issues.map((issue) => issue.message),
    });
  }
  return issues.length > 0 ? issues : [{ message: `Xerces reported ${error.result} without details` }];
}

const MESSAGE_START = /(?=\[(?:warning|error|fatal)\] )/;

/**
 * Xerces lines look like `[error] cvc-...: text (line:col)`; several may arrive glued together in one
 * chunk, and a fatal error is repeated without its position.
 */
function parseMessages(raw: readonly string[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const chunk of raw) {
    for (const piece of chunk.split(MESSAGE_START)) {
      const text = piece.replace(/^\[(?:warning|error|fatal)\] /, '').trim();
      if (text === '') continue;
      const { message, line } = splitPosition(text);
      if (seen.has(message)) continue;
      seen.add(message);
      issues.push(line === undefined ? { message } : { message, line });
    }
  }
  return issues;
}

function splitPosition(text: string): { message: string; line?: number } {
  if (!text.endsWith(')')) return { message: text };
  const open = text.lastIndexOf(' (');
  if (open < 0) return { message: text };
  const [line, column, ...rest] = text.slice(open + 2, -1).split(':');
  if (line === undefined || column === undefined || rest.length > 0 || !/^\d+$/.test(line) || !/^\d+$/.test(column)) {
    return { message: text };
  }
  return { message: text.slice(0, open), line: Number(line) };
}

function javaMissing(cause: unknown): OrganismError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new OrganismError(
    'ORG_ERR_VALIDATOR_UNAVAILABLE',
    `the Xerces validator needs java, but ${javaExecutable()} could not be started${reason}; ` +
      `install a JRE (or set JAVA_HOME), or use the libxml2 validator`,
    { cause },
  );
}
