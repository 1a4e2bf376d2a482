import { escapeXmlAttribute, escapeXmlText } from '@organism/xml';
import { decimalText } from './decimalText.js';
import type { FieldModel, NumberModel, ObjectModel, PayloadModel, ScalarModel } from './payloadModel.js';

const XS_NS = 'http://www.w3.org/2001/XMLSchema';
const INDENT = '  ';

/**
 * Writes the XSD of a payload: no target namespace, unqualified local elements, one global element
 * `tag`, anonymous inline types, children in an `xs:sequence` in declared field order.
 *
 * @example
 * payloadXsd(payloadModel('Greeting', z.object({ name: z.string() })), 'greeting');
 * // <xs:schema ...><xs:element name="greeting"><xs:complexType><xs:sequence>
 * //   <xs:element name="name" type="xs:string"/> ...
 */
export function payloadXsd(model: PayloadModel, tag: string, documentation?: string): string {
  const lines: string[] = [`<xs:schema xmlns:xs="${XS_NS}" elementFormDefault="unqualified">`];
  lines.push(`${INDENT}<xs:element name="${escapeXmlAttribute(tag)}">`);
  annotation(lines, 2, documentation ?? model.description);
  complexType(lines, 2, model.root);
  lines.push(`${INDENT}</xs:element>`, '</xs:schema>', '');
  return lines.join('\n');
}

function element(lines: string[], depth: number, field: FieldModel): void {
  const pad = INDENT.repeat(depth);
  const minOccurs = field.optional ? 0 : (field.repeated?.min ?? 1);
  const maxOccurs = field.repeated ? (field.repeated.max ?? 'unbounded') : 1;
  let open = `${pad}<xs:element name="${field.name}"`;
  if (minOccurs !== 1) open += ` minOccurs="${minOccurs}"`;
  if (maxOccurs !== 1) open += ` maxOccurs="${maxOccurs}"`;
  const value = field.value;
  const builtin = value.kind === 'object' ? undefined : builtinType(value);
  if (builtin !== undefined) open += ` type="${builtin}"`;
  if (builtin !== undefined && field.description === undefined) {
    lines.push(`${open}/>`);
    return;
  }
  lines.push(`${open}>`);
  annotation(lines, depth + 1, field.description);
  if (value.kind === 'object') complexType(lines, depth + 1, value);
  else if (builtin === undefined) simpleType(lines, depth + 1, value);
  lines.push(`${pad}</xs:element>`);
}

function annotation(lines: string[], depth: number, text: string | undefined): void {
  if (text === undefined || text === '') return;
  const pad = INDENT.repeat(depth);
  lines.push(`${pad}<xs:annotation>`, `${pad}${INDENT}<xs:documentation>${escapeXmlText(text)}</xs:documentation>`, `${pad}</xs:annotation>`);
}

function complexType(lines: string[], depth: number, object: ObjectModel): void {
  const pad = INDENT.repeat(depth);
  lines.push(`${pad}<xs:complexType>`);
  if (object.fields.length === 0) {
    lines.push(`${pad}${INDENT}<xs:sequence/>`);
  } else {
    lines.push(`${pad}${INDENT}<xs:sequence>`);
    for (const field of object.fields) element(lines, depth + 2, field);
    lines.push(`${pad}${INDENT}</xs:sequence>`);
  }
  lines.push(`${pad}</xs:complexType>`);
}

/** The built-in type name when the value needs no facets. */
function builtinType(value: ScalarModel): string | undefined {
  const facets = facetsOf(value);
  return facets.length === 0 ? baseType(value) : undefined;
}

function simpleType(lines: string[], depth: number, value: ScalarModel): void {
  const pad = INDENT.repeat(depth);
  lines.push(`${pad}<xs:simpleType>`, `${pad}${INDENT}<xs:restriction base="${baseType(value)}">`);
  for (const facet of facetsOf(value)) lines.push(`${pad}${INDENT}${INDENT}${facet}`);
  lines.push(`${pad}${INDENT}</xs:restriction>`, `${pad}</xs:simpleType>`);
}

function baseType(value: ScalarModel): string {
  switch (value.kind) {
    case 'string':
    case 'enum':
      return 'xs:string';
    case 'integer':
      return 'xs:integer';
    case 'decimal':
      return 'xs:decimal';
    case 'boolean':
      return 'xs:boolean';
  }
}

function facetsOf(value: ScalarModel): string[] {
  const facet = (name: string, v: string | number) => `<xs:${name} value="${escapeXmlAttribute(String(v))}"/>`;
  switch (value.kind) {
    case 'string': {
      const facets: string[] = [];
      if (value.minLength !== undefined && value.minLength === value.maxLength) facets.push(facet('length', value.minLength));
      else {
        if (value.minLength !== undefined && value.minLength > 0) facets.push(facet('minLength', value.minLength));
        if (value.maxLength !== undefined) facets.push(facet('maxLength', value.maxLength));
      }
      if (value.pattern) facets.push(facet('pattern', value.pattern.xsdPattern));
      return facets;
    }
    case 'enum':
      return value.values.map((v) => facet('enumeration', v));
    case 'integer':
    case 'decimal':
      return numberFacets(value, facet);
    case 'boolean':
      return [];
  }
}

function numberFacets(value: NumberModel, facet: (name: string, v: string | number) => string): string[] {
  const facets: string[] = [];
  if (value.min) facets.push(facet(value.min.inclusive ? 'minInclusive' : 'minExclusive', decimalText(value.min.value)));
  if (value.max) facets.push(facet(value.max.inclusive ? 'maxInclusive' : 'maxExclusive', decimalText(value.max.value)));
  if (value.fractionDigits !== undefined) facets.push(facet('fractionDigits', value.fractionDigits));
  return facets;
}
