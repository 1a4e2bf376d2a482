import { ParseOption, XmlDocument, XmlLibError } from 'libxml2-wasm';
import { OrganismError, isOrganismError } from './errors.js';
import { formatLibxml2Details } from './formatLibxml2Details.js';
import { preScanXml } from './preScanXml.js';

/** Parses a schema document strictly; DTDs are refused as for any other input. */
export function parseSchemaDocument(xsd: string): XmlDocument {
  try {
    preScanXml(xsd, Number.MAX_SAFE_INTEGER);
    return XmlDocument.fromString(xsd, {
      encoding: 'utf-8',
      option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE,
    });
  } catch (cause) {
    throw xsdCompileError(cause);
  }
}

/** Wraps a schema parse or compile failure as ORG_ERR_XSD_COMPILE with the libxml2 messages as details. */
export function xsdCompileError(cause: unknown): OrganismError {
  if (isOrganismError(cause)) {
    return new OrganismError('ORG_ERR_XSD_COMPILE', `the XSD was refused: ${cause.message}`, { cause });
  }
  const details =
    cause instanceof XmlLibError && cause.details.length > 0
      ? formatLibxml2Details(cause.details)
      : [cause instanceof Error ? cause.message.trim() : String(cause)];
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return new OrganismError(
    'ORG_ERR_XSD_COMPILE',
    `the XSD does not compile: ${details[0]}${more}; fix the schema (is it generated from a supported zod schema?)`,
    { cause, details },
  );
}
