import { OrganismError } from '@organism/xml';
import type { z } from 'zod';
import type { FieldModel, NumberModel, ObjectModel, PayloadModel, StringModel, ValueModel } from './payloadModel.js';
import { zodIssueDetails } from './zodIssueDetails.js';

// Samples for zod string formats; anything else falls back to 'text' and must then pass zod.
const FORMAT_SAMPLES: Record<string, string> = {
  email: 'user@example.com',
  uuid: '3f1c2a4e-8b7d-4c6a-9e2f-1a2b3c4d5e6f',
  guid: '3f1c2a4e-8b7d-4c6a-9e2f-1a2b3c4d5e6f',
  url: 'https://example.com/',
  datetime: '2025-01-01T12:00:00Z',
  date: '2025-01-01',
  time: '12:00:00',
  duration: 'PT1H',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  lowercase: 'text',
  uppercase: 'TEXT',
};

/**
 * A deterministic example value for a payload: `.meta({ examples: [...] })` where given, otherwise a
 * sample that respects the declared bounds (first enum value, `true`, a number inside the range, a
 * string of an allowed length). Optional fields are included, arrays get max(min, 1) items. The value is
 * checked against the zod schema.
 *
 * @throws OrganismError `ORG_ERR_SCHEMA_UNSUPPORTED` when the generated value does not pass the schema
 *   (e.g. a refinement or a regex it cannot satisfy), naming the field and asking for an example.
 * @example
 * exampleValue(payloadModel('Add', z.object({ a: z.number().int().min(5) })), schema); // { a: 5 }
 */
export function exampleValue(model: PayloadModel, schema: z.ZodType): unknown {
  const value = objectSample(model.root);
  let result: ReturnType<z.ZodType['safeParse']>;
  try {
    result = schema.safeParse(value);
  } catch (error) {
    // e.g. an async refinement: fromXml parses synchronously, so the schema could never be used.
    throw new OrganismError(
      'ORG_ERR_SCHEMA_UNSUPPORTED',
      `payload type '${model.typeName}': the schema cannot check a value synchronously (${(error as Error).message}); use synchronous refinements only`,
      { cause: error },
    );
  }
  if (result.success) return value;
  const details = zodIssueDetails(result.error.issues, value);
  const first = result.error.issues[0];
  const where = first === undefined || first.path.length === 0 ? 'the payload' : `field '${first.path.filter((p) => typeof p === 'string').join('.')}'`;
  throw new OrganismError(
    'ORG_ERR_SCHEMA_UNSUPPORTED',
    `payload type '${model.typeName}': cannot build a valid example for ${where} (${first?.message ?? 'invalid'}); add .meta({ examples: [<a valid value>] }) to it`,
    { details },
  );
}

function objectSample(model: ObjectModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of model.fields) Object.defineProperty(out, field.name, { value: fieldSample(field), enumerable: true, writable: true, configurable: true });
  return out;
}

function fieldSample(field: FieldModel): unknown {
  if (!field.repeated) return valueSample(field.value);
  if (field.repeated.example) return field.repeated.example.value;
  const count = Math.min(Math.max(field.repeated.min, 1), field.repeated.max ?? Infinity);
  return Array.from({ length: count }, () => valueSample(field.value));
}

function valueSample(model: ValueModel): unknown {
  if (model.example) return model.example.value;
  switch (model.kind) {
    case 'object':
      return objectSample(model);
    case 'string':
      return stringSample(model);
    case 'enum':
      return model.values[0];
    case 'boolean':
      return true;
    case 'integer':
    case 'decimal':
      return numberSample(model);
  }
}

function stringSample(model: StringModel): string {
  if (model.pattern) return model.pattern.sample();
  let text = 'text';
  for (const f of model.formats) {
    const sample = FORMAT_SAMPLES[f.format];
    if (sample !== undefined) text = sample;
    else if (f.format === 'starts_with' && f.text !== undefined) text = f.text + text;
    else if (f.format === 'ends_with' && f.text !== undefined) text = text + f.text;
    else if (f.format === 'includes' && f.text !== undefined && !text.includes(f.text)) text = text + f.text;
  }
  if (model.formats.length > 0) return text;
  const min = model.minLength ?? 0;
  if (text.length < min) text += 'x'.repeat(min - text.length);
  if (model.maxLength !== undefined && text.length > model.maxLength) text = text.slice(0, model.maxLength);
  return text;
}

function numberSample(model: NumberModel): number {
  const { min, max } = model;
  const above = (n: number) => min === undefined || n > min.value || (min.inclusive && n === min.value);
  const below = (n: number) => max === undefined || n < max.value || (max.inclusive && n === max.value);
  let n = model.kind === 'integer' ? 1 : 1.5;
  // Move to the nearest bound; the midpoint only when the range is narrower than that step.
  if (!above(n) && min !== undefined) {
    n = min.inclusive ? min.value : min.value + 1;
    if (!below(n) && max !== undefined) n = (min.value + max.value) / 2;
  }
  if (!below(n) && max !== undefined) {
    n = max.inclusive ? max.value : max.value - 1;
    if (!above(n) && min !== undefined) n = (min.value + max.value) / 2;
  }
  if (model.kind === 'integer') {
    n = Math.round(n);
    if (!above(n)) n += 1;
    if (!below(n)) n -= 1;
  }
  if (model.multipleOf !== undefined && model.multipleOf > 0) {
    const m = model.multipleOf;
    const up = Math.ceil(n / m) * m;
    n = below(up) ? up : Math.floor(n / m) * m;
    n = Number(n.toPrecision(15)); // 3 * 0.1 -> 0.3, not 0.30000000000000004
  }
  return n;
}
