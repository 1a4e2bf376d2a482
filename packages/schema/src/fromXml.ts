import { OrganismError, childNodes, elementChildren } from '@organism/xml';
import { XmlCData, XmlElement, XmlEntityReference, XmlText, XmlTreeNode, type XmlNode } from 'libxml2-wasm';
import type { z } from 'zod';
import type { FieldModel, ObjectModel, PayloadModel, ScalarModel, ValueModel } from './payloadModel.js';
import { valuePath } from './valuePath.js';
import { zodIssueDetails } from './zodIssueDetails.js';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const MAX_DETAILS = 20;

/**
 * Reads a payload element into a typed value: each field from its child element(s) (no-namespace
 * elements matched by local name; unknown elements and attributes ignored, since XSD validation runs
 * first), text coerced by the field type (integers, `xs:decimal` numbers, `true`/`false`/`1`/`0`),
 * repeated elements collected into arrays, absent optional fields left undefined; then the zod schema
 * parses the result (defaults, refinements).
 *
 * @throws OrganismError `ORG_ERR_PAYLOAD_DESERIALIZE` with one `details` entry per problem, each
 *   starting with its path (`items[1].qty: expected an integer, got "two"`). Never anything else.
 * @example
 * const value = fromXml(model, schema, parsed.doc.root); // { name: 'World' }
 */
export function fromXml<T>(model: PayloadModel, schema: z.ZodType<T>, el: XmlElement): T {
  const problems: string[] = [];
  let raw: Record<string, unknown>;
  try {
    raw = readObject(model.root, el, [], problems);
  } catch (error) {
    throw unreadable(model, error);
  }
  return finishPayload(model, schema, raw, problems, () => safeName(el));
}

/**
 * The last stage shared by every reader: when reading found no problem, the zod schema parses `raw`
 * (defaults, refinements); otherwise, or when zod rejects it, ORG_ERR_PAYLOAD_DESERIALIZE names the
 * root element (`rootName()`, its local name) and lists the problems as details.
 */
export function finishPayload<T>(
  model: PayloadModel,
  schema: z.ZodType<T>,
  raw: Record<string, unknown>,
  problems: string[],
  rootName: () => string,
): T {
  try {
    if (problems.length === 0) {
      const result = schema.safeParse(raw);
      if (result.success) return result.data;
      problems.push(...zodIssueDetails(result.error.issues, raw));
    }
  } catch (error) {
    throw unreadable(model, error);
  }
  const shown = problems.length > MAX_DETAILS ? [...problems.slice(0, MAX_DETAILS), `... and ${problems.length - MAX_DETAILS} more`] : problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  throw new OrganismError(
    'ORG_ERR_PAYLOAD_DESERIALIZE',
    `cannot read <${rootName()}> as ${model.typeName}: ${problems[0]}${more}; send the fields as described in the payload schema`,
    { details: shown },
  );
}

/** Something failed unexpectedly while reading (a refinement threw, the document was disposed, ...). */
export function unreadable(model: PayloadModel, error: unknown): OrganismError {
  return new OrganismError('ORG_ERR_PAYLOAD_DESERIALIZE', `cannot read the payload as ${model.typeName}: ${messageOf(error)}`, { cause: error });
}

// Field positions by element name, computed once per object model (fromXml is on the hot path).
const fieldIndexes = new WeakMap<ObjectModel, ReadonlyMap<string, number>>();

export function fieldIndex(model: ObjectModel): ReadonlyMap<string, number> {
  let index = fieldIndexes.get(model);
  if (!index) {
    index = new Map(model.fields.map((f, i) => [f.name, i]));
    fieldIndexes.set(model, index);
  }
  return index;
}

function readObject(model: ObjectModel, el: XmlElement, path: readonly PropertyKey[], problems: string[]): Record<string, unknown> {
  const index = fieldIndex(model);
  let children: (XmlElement[] | undefined)[] = new Array(model.fields.length);
  const collect = (node: XmlElement): void => {
    const i = index.get(node.name);
    if (i === undefined || node.namespaceUri !== '') return;
    const list = children[i];
    if (list) list.push(node);
    else children[i] = [node];
  };
  for (let node = el.firstChild; node !== null; node = node.next) {
    if (node instanceof XmlElement) collect(node);
    else if (!(node instanceof XmlTreeNode)) {
      // A processing instruction, which libxml2-wasm gives no next sibling: start over from the full list.
      children = new Array(model.fields.length);
      for (const child of elementChildren(el)) collect(child);
      break;
    }
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < model.fields.length; i++) {
    const field = model.fields[i]!;
    const value = readField(field, children[i] ?? [], [...path, field.name], problems);
    // defineProperty: a field named __proto__ must stay a plain own property.
    if (value !== undefined) Object.defineProperty(out, field.name, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function readField(field: FieldModel, elements: readonly XmlElement[], path: readonly PropertyKey[], problems: string[]): unknown {
  if (field.repeated) {
    if (elements.length === 0) return field.optional ? undefined : [];
    return elements.map((child, i) => readValue(field.value, child, [...path, i], problems));
  }
  const [first] = elements;
  if (first === undefined) return undefined; // zod reports a missing required field
  if (elements.length > 1) problems.push(`${valuePath(path)}: expected one <${field.name}> element, found ${elements.length}`);
  return readValue(field.value, first, path, problems);
}

function readValue(model: ValueModel, el: XmlElement, path: readonly PropertyKey[], problems: string[]): unknown {
  if (model.kind === 'object') return readObject(model, el, path, problems);
  const text = textOf(el, path, problems);
  if (text === undefined) return undefined;
  return coerceScalar(model, text, path, problems);
}

/**
 * A leaf element's text as its field type: strings verbatim, numbers and booleans trimmed and checked
 * (a problem is recorded, and undefined returned, for text that is not one).
 */
export function coerceScalar(model: ScalarModel, text: string, path: readonly PropertyKey[], problems: string[]): unknown {
  switch (model.kind) {
    case 'string':
    case 'enum':
      // Strings are taken verbatim, as xs:string preserves whitespace; add .trim() to the schema to normalize.
      return text;
    case 'integer':
    case 'decimal': {
      const t = text.trim();
      const n = Number(t);
      if (!(model.kind === 'integer' ? INTEGER : DECIMAL).test(t)) {
        problems.push(`${valuePath(path)}: expected ${model.kind === 'integer' ? 'an integer' : 'a decimal number'}, got ${quote(text)}`);
        return undefined;
      }
      if (!Number.isFinite(n)) {
        problems.push(`${valuePath(path)}: number ${quote(t)} is out of range`);
        return undefined;
      }
      return n;
    }
    case 'boolean': {
      const t = text.trim();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      problems.push(`${valuePath(path)}: expected true or false, got ${quote(text)}`);
      return undefined;
    }
  }
}

/** Concatenated text and CDATA of a leaf element; a child element there is a problem, comments are skipped. */
function textOf(el: XmlElement, path: readonly PropertyKey[], problems: string[]): string | undefined {
  let text = '';
  for (let node = el.firstChild; node !== null; node = node.next) {
    if (node instanceof XmlText || node instanceof XmlCData || node instanceof XmlEntityReference) text += node.content;
    else if (node instanceof XmlElement) return childElementProblem(node, path, problems);
    else if (!(node instanceof XmlTreeNode)) return textOfNodes(childNodes(el), path, problems); // see readObject
  }
  return text;
}

function textOfNodes(nodes: readonly XmlNode[], path: readonly PropertyKey[], problems: string[]): string | undefined {
  let text = '';
  for (const node of nodes) {
    if (node instanceof XmlText || node instanceof XmlCData || node instanceof XmlEntityReference) text += node.content;
    else if (node instanceof XmlElement) return childElementProblem(node, path, problems);
  }
  return text;
}

function childElementProblem(node: XmlElement, path: readonly PropertyKey[], problems: string[]): undefined {
  problems.push(`${valuePath(path)}: expected text, found a child element <${node.name}>`);
  return undefined;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

function safeName(el: XmlElement): string {
  try {
    return el.name;
  } catch {
    return 'payload';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
