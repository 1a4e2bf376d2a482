import { OrganismError } from '@organism/xml';
import type { XmlElement } from 'libxml2-wasm';
import type { PayloadType } from './definePayload.js';
import { exampleValue } from './exampleValue.js';
import { fieldDocs, type FieldDoc } from './fieldDocs.js';
import { fromCanonicalXml } from './fromCanonicalXml.js';
import { fromXml } from './fromXml.js';
import { payloadModel, type PayloadModel } from './payloadModel.js';
import { payloadXsd } from './payloadXsd.js';
import { serializePayload } from './serializePayload.js';
import { toolPrompt } from './toolPrompt.js';
import { invalidXmlChar } from './invalidXmlChar.js';
import { zodIssueDetails } from './zodIssueDetails.js';

/**
 * Everything generated once from a payload type: XSD, example, field docs, tool prompt, and the
 * XML <-> value conversions.
 *
 * Payload children follow the XSD's `xs:sequence`: one element per field, in declared order; arrays
 * are repeated elements named after the field; absent optional fields are omitted.
 *
 * @example
 * const contract = compileContract(AddPayload, 'Adds two integers');
 * contract.tag;                              // 'addpayload'
 * contract.toXml({ a: 1, b: 2 });            // '<addpayload><a>1</a><b>2</b></addpayload>'
 * contract.prompt('calculator.add.addpayload');
 */
export interface Contract<T = unknown> {
  readonly type: PayloadType<T>;
  /** The lower-cased type name: the element name in the XSD, the example and bare-tag payloads. */
  readonly tag: string;
  /** No targetNamespace, elementFormDefault unqualified, one global element named `tag`. */
  readonly xsd: string;
  /** A pretty-printed example payload that validates against `xsd` and reads back through `fromXml`. */
  readonly example: string;
  readonly fields: readonly FieldDoc[];
  /** The same XSD with its global element named `rootTag` (e.g. `calculator.add.addpayload`). */
  xsdFor(rootTag: string): string;
  /** Tool-prompt fragment: description, fields, example (its root renamed to `rootTag` if given). */
  prompt(rootTag?: string): string;
  /** Reads a payload element; throws OrganismError `ORG_ERR_PAYLOAD_DESERIALIZE` with field paths. */
  fromXml(el: XmlElement): T;
  /**
   * Reads a payload from its XML text, typically its canonical form (`canonicalize(element)` or
   * `payloadFromCanonical(canonicalEnvelope)`), with a JavaScript scanner: the same values and the
   * same errors as {@link fromXml} on the parsed element, about ten times faster. Any text is safe:
   * text that is not well-formed XML is ORG_ERR_PAYLOAD_DESERIALIZE too. Like `fromXml`, it does not
   * validate against the XSD: validate first.
   *
   * @example
   * contract.fromCanonicalXml('<greeting><name>World</name></greeting>'); // { name: 'World' }
   */
  fromCanonicalXml(xml: string): T;
  /**
   * Validates with zod, then writes XML (escaped); throws OrganismError `ORG_ERR_PAYLOAD_INVALID`.
   * The text is exclusive-C14N canonical except for an object without children, written `<name/>`:
   * use {@link toCanonicalXml} when the text must be canonical.
   */
  toXml(value: T, rootTag?: string): string;
  /**
   * {@link toXml}, always in exclusive-C14N canonical form (an empty element is written
   * `<name></name>`): `canonicalize(parseXml(xml).doc) === xml`. Wrapped by `buildEnvelope`, it gives
   * a canonical envelope.
   *
   * @example
   * contract.toCanonicalXml({}); // '<ping></ping>' where toXml gives '<ping/>'
   */
  toCanonicalXml(value: T, rootTag?: string): string;
}

const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Compiles a payload type into its {@link Contract}. Call it once per type (at registration).
 *
 * @throws OrganismError `ORG_ERR_SCHEMA_UNSUPPORTED` naming the field path, the construct and what to
 *   use instead (e.g. `payload type 'Event', field 'meta.when': z.date() cannot be expressed ...`).
 * @example
 * const Greeting = definePayload('Greeting', z.object({ name: z.string().describe('who to greet') }));
 * const contract = compileContract(Greeting, 'Greets whoever is named');
 * contract.example; // '<greeting>\n  <name>text</name>\n</greeting>'
 */
export function compileContract<T>(type: PayloadType<T>, description: string): Contract<T> {
  const tag = checkedTag(String(type.name).toLowerCase());
  const bad = invalidXmlChar(description);
  if (bad !== undefined) {
    throw new OrganismError('ORG_ERR_SCHEMA_UNSUPPORTED', `payload type '${type.name}': the description contains ${bad}; remove the control character`);
  }
  const model: PayloadModel = payloadModel(type.name, type.schema);
  const example = exampleValue(model, type.schema);
  const writeExample = (rootTag: string) => {
    try {
      return serializePayload(model, example, rootTag, '  ');
    } catch (error) {
      throw new OrganismError('ORG_ERR_SCHEMA_UNSUPPORTED', `payload type '${type.name}': the example cannot be written as XML; ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
  const exampleXml = writeExample(tag);
  const fields = Object.freeze(fieldDocs(model.root).map((f) => Object.freeze(f)));
  const documentation = description === '' ? undefined : description;
  return Object.freeze({
    type,
    tag,
    xsd: payloadXsd(model, tag, documentation),
    example: exampleXml,
    fields,
    xsdFor: (rootTag: string) => payloadXsd(model, checkedTag(rootTag), documentation),
    prompt: (rootTag?: string) =>
      toolPrompt({
        typeName: type.name,
        description: description === '' ? (model.description ?? '') : description,
        rootTag: rootTag === undefined ? tag : checkedTag(rootTag),
        fields,
        example: rootTag === undefined ? exampleXml : writeExample(checkedTag(rootTag)),
      }),
    fromXml: (el: XmlElement) => fromXml(model, type.schema, el),
    fromCanonicalXml: (xml: string) => fromCanonicalXml(model, type.schema, xml),
    toXml: (value: T, rootTag?: string) => toXml(model, type, value, rootTag === undefined ? tag : checkedTag(rootTag), false),
    toCanonicalXml: (value: T, rootTag?: string) => toXml(model, type, value, rootTag === undefined ? tag : checkedTag(rootTag), true),
  });
}

function toXml<T>(model: PayloadModel, type: PayloadType<T>, value: T, rootTag: string, canonical: boolean): string {
  let result: ReturnType<PayloadType<T>['schema']['safeParse']>;
  try {
    result = type.schema.safeParse(value);
  } catch (error) {
    throw new OrganismError('ORG_ERR_PAYLOAD_INVALID', `cannot validate a ${type.name} value: ${(error as Error).message}`, { cause: error });
  }
  if (!result.success) {
    const details = zodIssueDetails(result.error.issues, value);
    throw new OrganismError('ORG_ERR_PAYLOAD_INVALID', `the value is not a valid ${type.name}: ${details[0] ?? 'invalid'}; fix the handler's output`, {
      details,
    });
  }
  return serializePayload(model, result.data, rootTag, undefined, canonical);
}

function checkedTag(tag: string): string {
  if (!ELEMENT_NAME.test(tag)) {
    throw new OrganismError(
      'ORG_ERR_SCHEMA_UNSUPPORTED',
      `${JSON.stringify(tag)} is not a valid element name for a payload root; use ASCII letters, digits, '_', '-' or '.', starting with a letter or '_'`,
    );
  }
  return tag;
}
