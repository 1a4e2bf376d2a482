import type { XmlElement } from 'libxml2-wasm';

/**
 * One reason a payload does not match its schema.
 *
 * @example
 * ```ts
 * const details = issues.map((i: ValidationIssue) => (i.line ? `line ${i.line}: ${i.message}` : i.message));
 * ```
 */
export interface ValidationIssue {
  /** The validator's message, e.g. `Element 'age': 'x' is not a valid value of the atomic type 'xs:integer'.` */
  message: string;
  /** 1-based line in the validated text (libxml2: in the document holding the element), when known. */
  line?: number;
  /** XPath of the offending node, when the backend reports it (libxml2 does). */
  path?: string;
}

/**
 * A compiled XSD. Compile once, validate many times, dispose when the schema is no longer needed.
 *
 * @example
 * ```ts
 * const schema: CompiledSchema = libxml2Validator.compile(xsd);
 * const issues = await schema.validate({ element: payload, xml: '' }); // libxml2 uses the element
 * ```
 */
export interface CompiledSchema extends Disposable {
  /**
   * Validates one payload: `element` (a payload inside an already parsed envelope; no re-parse) when the
   * backend can use it, otherwise `xml`. Returns [] when valid. libxml2 is synchronous; Xerces returns a
   * Promise.
   */
  validate(payload: { element?: XmlElement; xml: string }): readonly ValidationIssue[] | Promise<readonly ValidationIssue[]>;
  /** Frees the compiled schema. Idempotent. */
  dispose(): void;
}

/**
 * An XSD validation backend.
 *
 * @example
 * ```ts
 * const schema = libxml2Validator.compile(contract.xsd);
 * const issues = await schema.validate({ element: payload, xml: canonicalize(payload) });
 * if (issues.length > 0) reject(issues);
 * schema.dispose();
 * ```
 */
export interface SchemaValidator {
  readonly name: 'libxml2' | 'xerces';
  /** Compiles an XSD; a schema that is not well-formed (or, for libxml2, not valid) is ORG_ERR_XSD_COMPILE. */
  compile(xsd: string): CompiledSchema;
}
