import './libxml2Tuning.js';
import { XmlLibError, XsdValidator, type XmlDocument } from 'libxml2-wasm';
import { ENVELOPE_NS, ENVELOPE_XSD } from './envelopeSchema.js';
import { OrganismError } from './errors.js';
import { formatLibxml2Details } from './formatLibxml2Details.js';
import { parseSchemaDocument } from './parseSchemaDocument.js';

// Compiled once, on first use, for the life of the process. The XSD document is referenced here too:
// libxml2-wasm frees a document whose wrapper is garbage-collected, and the schema may point into it.
let envelopeValidator: XsdValidator | undefined;
let envelopeXsdDoc: XmlDocument | undefined;

function getEnvelopeValidator(): XsdValidator {
  if (envelopeValidator === undefined) {
    const xsdDoc = parseSchemaDocument(ENVELOPE_XSD);
    try {
      envelopeValidator = XsdValidator.fromDoc(xsdDoc);
      envelopeXsdDoc = xsdDoc;
    } catch (cause) {
      xsdDoc.dispose();
      throw new OrganismError('ORG_ERR_XSD_COMPILE', 'the built-in envelope XSD failed to compile (a bug in @organism/xml)', {
        cause,
      });
    }
  }
  return envelopeValidator;
}

/**
 * Validates a parsed document against {@link ENVELOPE_XSD}. Throws ORG_ERR_ENVELOPE_INVALID with the
 * libxml2 messages (with line numbers) as `details`.
 *
 * @example
 * ```ts
 * using parsed = parseXml(bytes);
 * validateEnvelope(parsed.doc); // throws OrganismError('ORG_ERR_ENVELOPE_INVALID') when <from> is missing
 * ```
 */
export function validateEnvelope(doc: XmlDocument): void {
  const validator = getEnvelopeValidator();
  try {
    validator.validate(doc);
  } catch (cause) {
    if (!(cause instanceof XmlLibError)) {
      throw new OrganismError('ORG_ERR_ENVELOPE_INVALID', `envelope validation failed: ${String(cause)}`, { cause });
    }
    const details = cause.details.length > 0 ? formatLibxml2Details(cause.details) : [cause.message.trim()];
    const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
    throw new OrganismError(
      'ORG_ERR_ENVELOPE_INVALID',
      `the envelope does not match the envelope schema: ${(details[0] ?? '').replace(/\.+$/, '')}${more}. Expected ` +
        `<message xmlns="${ENVELOPE_NS}"><meta><from>…</from><to>…</to>?<thread>…</thread></meta>` +
        `<payload/></message>`,
      { cause, details },
    );
  }
}
