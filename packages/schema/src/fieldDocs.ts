import { decimalText } from './decimalText.js';
import type { Bound, FieldModel, NumberModel, ObjectModel, StringFormat, StringModel, ValueModel } from './payloadModel.js';

/**
 * One documented field of a payload, for tool prompts and `organism schema`.
 *
 * @example
 * const doc: FieldDoc = { path: 'items.qty', type: 'integer, >= 1', required: true, description: 'how many' };
 */
export interface FieldDoc {
  /** Dotted element path from the payload root, e.g. `items.qty`. */
  readonly path: string;
  /** The type with its constraints, e.g. `string, 1..40 characters` or `integer, repeated up to 3 times`. */
  readonly type: string;
  /** Whether the element must appear (at least once). */
  readonly required: boolean;
  readonly description?: string;
  /** The default as JSON, for fields declared with a constant `.default(...)`. */
  readonly default?: string;
}

/**
 * Flattens a payload's fields depth-first in declared order: an object field is followed by its own fields.
 *
 * @example
 * fieldDocs(payloadModel('T', z.object({ n: z.number().int().min(0) })).root);
 * // [{ path: 'n', type: 'integer, >= 0', required: true }]
 */
export function fieldDocs(root: ObjectModel): FieldDoc[] {
  const docs: FieldDoc[] = [];
  const visit = (object: ObjectModel) => {
    for (const field of object.fields) {
      docs.push(fieldDoc(field));
      if (field.value.kind === 'object') visit(field.value);
    }
  };
  visit(root);
  return docs;
}

function fieldDoc(field: FieldModel): FieldDoc {
  const required = !field.optional && (field.repeated?.min ?? 1) > 0;
  const type = field.repeated ? `${valueType(field.value)}, ${repetition(field.repeated.min, field.repeated.max)}` : valueType(field.value);
  return {
    path: field.path,
    type,
    required,
    ...(field.description === undefined ? {} : { description: field.description }),
    ...(field.defaultJson === undefined ? {} : { default: field.defaultJson }),
  };
}

function valueType(value: ValueModel): string {
  switch (value.kind) {
    case 'object':
      return 'object';
    case 'boolean':
      return 'boolean';
    case 'enum':
      return value.values.length === 1 ? `exactly ${JSON.stringify(value.values[0])}` : `one of ${value.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'string':
      return ['string', ...lengthText(value), ...value.formats.map(formatText)].join(', ');
    case 'integer':
    case 'decimal':
      return [value.kind, ...rangeText(value), ...(value.multipleOf === undefined ? [] : [`multiple of ${decimalText(value.multipleOf)}`])].join(', ');
  }
}

function lengthText({ minLength: min, maxLength: max }: StringModel): string[] {
  const chars = (n: number) => `${n} character${n === 1 ? '' : 's'}`;
  if (min !== undefined && min === max) return [`exactly ${chars(min)}`];
  if (min !== undefined && min > 0 && max !== undefined) return [`${min}..${max} characters`];
  if (min !== undefined && min > 0) return [`at least ${chars(min)}`];
  if (max !== undefined) return [`at most ${chars(max)}`];
  return [];
}

function formatText(f: StringFormat): string {
  switch (f.format) {
    case 'regex':
      return `matches ${String(f.pattern)}`;
    case 'starts_with':
      return `starts with ${JSON.stringify(f.text)}`;
    case 'ends_with':
      return `ends with ${JSON.stringify(f.text)}`;
    case 'includes':
      return `contains ${JSON.stringify(f.text)}`;
    case 'datetime':
    case 'date':
    case 'time':
    case 'duration':
      return `ISO 8601 ${f.format === 'datetime' ? 'date-time' : f.format}`;
    default:
      return f.format.replace(/_/g, ' ');
  }
}

function rangeText(value: NumberModel): string[] {
  const min = value.implicitBounds.min ? undefined : value.min;
  const max = value.implicitBounds.max ? undefined : value.max;
  const op = (b: Bound, side: 'min' | 'max') => `${side === 'min' ? '>' : '<'}${b.inclusive ? '=' : ''} ${decimalText(b.value)}`;
  if (min?.inclusive && max?.inclusive) return [`${decimalText(min.value)}..${decimalText(max.value)}`];
  if (min && max) return [`${op(min, 'min')} and ${op(max, 'max')}`];
  if (min) return [op(min, 'min')];
  if (max) return [op(max, 'max')];
  return [];
}

function repetition(min: number, max: number | undefined): string {
  const times = (n: number) => `${n} time${n === 1 ? '' : 's'}`;
  if (max === undefined) return min === 0 ? 'repeated any number of times' : `repeated at least ${times(min)}`;
  if (min === max) return `repeated exactly ${times(min)}`;
  return min === 0 ? `repeated up to ${times(max)}` : `repeated ${min}..${max} times`;
}
