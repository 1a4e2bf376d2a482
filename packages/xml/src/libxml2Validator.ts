import './libxml2Tuning.js';
import { XmlDocument, XmlLibError, XsdValidator, type ErrorDetail, type XmlElement } from 'libxml2-wasm';
import { OrganismError, isOrganismError } from './errors.js';
import { parseSchemaDocument, xsdCompileError } from './parseSchemaDocument.js';
import { parseXml } from './parseXml.js';
import type { CompiledSchema, SchemaValidator, ValidationIssue } from './schemaValidator.js';

const NO_ISSUES: readonly ValidationIssue[] = Object.freeze([]);

/**
 * XSD validation in-process with libxml2 (synchronous, a few microseconds per payload): the hot-path
 * backend.
 *
 * @example
 * ```ts
 * using schema = libxml2Validator.compile(xsd);
 * schema.validate({ xml: '<age>x</age>' }); // [{ message: "Element 'age': 'x' is not a valid value ...", line: 1, ... }]
 * ```
 */
export const libxml2Validator: SchemaValidator = Object.freeze({
  name: 'libxml2' as const,
  compile(xsd: string): CompiledSchema {
    const xsdDoc = parseSchemaDocument(xsd);
    try {
      return new Libxml2CompiledSchema(XsdValidator.fromDoc(xsdDoc), xsdDoc);
    } catch (cause) {
      xsdDoc.dispose();
      throw xsdCompileError(cause);
    }
  },
});

class Libxml2CompiledSchema implements CompiledSchema {
  #validator: XsdValidator | undefined;
  #xsdDoc: XmlDocument | undefined;

  constructor(validator: XsdValidator, xsdDoc: XmlDocument) {
    this.#validator = validator;
    this.#xsdDoc = xsdDoc;
  }

  validate(payload: { element?: XmlElement; xml: string }): readonly ValidationIssue[] {
    const validator = this.#validator;
    if (validator === undefined) {
      throw new OrganismError('ORG_ERR_CLOSED', 'this compiled schema was disposed; compile the XSD again to validate');
    }
    if (payload.element !== undefined) return runValidator(validator, payload.element);

    let parsed;
    try {
      parsed = parseXml(payload.xml);
    } catch (error) {
      if (isOrganismError(error)) return [{ message: error.message }];
      throw error;
    }
    try {
      if (parsed.repairs.length > 0) {
        return parsed.repairs.map((repair) => ({ message: `not well-formed: ${repair}` }));
      }
      return runValidator(validator, parsed.doc);
    } finally {
      parsed.dispose();
    }
  }

  dispose(): void {
    this.#validator?.dispose();
    this.#xsdDoc?.dispose();
    this.#validator = undefined;
    this.#xsdDoc = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function runValidator(validator: XsdValidator, target: XmlElement | XmlDocument): readonly ValidationIssue[] {
  try {
    // The overloads take XmlDocument or XmlElement, not their union.
    if (target instanceof XmlDocument) validator.validate(target);
    else validator.validate(target);
    return NO_ISSUES;
  } catch (error) {
    if (error instanceof XmlLibError) {
      return error.details.length > 0 ? error.details.map(toIssue) : [{ message: error.message.trim() }];
    }
    throw new OrganismError(
      'ORG_ERR_PAYLOAD_INVALID',
      `libxml2 failed while validating: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

function toIssue(detail: ErrorDetail): ValidationIssue {
  const issue: ValidationIssue = { message: detail.message.trim() };
  if (detail.line > 0) issue.line = detail.line;
  if (detail.xpath !== undefined && detail.xpath !== '') issue.path = detail.xpath;
  return issue;
}
