import { OrganismError } from '@organism/xml';
import { z } from 'zod';
import { parseSimpleRegex, type SimpleRegex } from './simpleRegex.js';
import { invalidXmlChar } from './invalidXmlChar.js';

/** A numeric bound as zod declares it (`gte` is inclusive, `gt` exclusive). */
export interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** A zod string format or text check, e.g. `{ format: 'email' }`, `{ format: 'starts_with', text: 'ID-' }`. */
export interface StringFormat {
  readonly format: string;
  /** The regex of `.regex()` checks. */
  readonly pattern?: RegExp;
  /** The prefix, suffix or substring of `startsWith` / `endsWith` / `includes`. */
  readonly text?: string;
}

export interface StringModel {
  readonly kind: 'string';
  readonly minLength?: number;
  readonly maxLength?: number;
  /** The first regex check that translates to an XSD pattern; other checks stay zod-only. */
  readonly pattern?: SimpleRegex;
  /** Format and text checks zod enforces (the XSD carries at most `pattern` of them). */
  readonly formats: readonly StringFormat[];
}

export interface NumberModel {
  readonly kind: 'integer' | 'decimal';
  /** Integer bounds are normalized to inclusive ones (XSD integer facets must be integers). */
  readonly min?: Bound;
  readonly max?: Bound;
  readonly multipleOf?: number;
  /** Set when multipleOf is 10^-k, which XSD can say as `fractionDigits`. */
  readonly fractionDigits?: number;
  /** True for a bound that only comes from `.int()`'s safe-integer range (not worth mentioning in docs). */
  readonly implicitBounds: { readonly min: boolean; readonly max: boolean };
}

export interface BooleanModel {
  readonly kind: 'boolean';
}

export interface EnumModel {
  readonly kind: 'enum';
  readonly values: readonly string[];
}

export interface ObjectModel {
  readonly kind: 'object';
  readonly fields: readonly FieldModel[];
}

export type ScalarModel = StringModel | NumberModel | BooleanModel | EnumModel;
export type ValueModel = (ScalarModel | ObjectModel) & {
  /** First entry of `.meta({ examples: [...] })` on the value, if any. */
  readonly example?: { readonly value: unknown };
};

/** One child element of an object: a field of the zod object. */
export interface FieldModel {
  readonly name: string;
  /** Dotted element path from the payload root, e.g. `items.name`. */
  readonly path: string;
  /** For repeated fields, the model of one item. */
  readonly value: ValueModel;
  /** `.optional()`, `.default()` or `.prefault()`: the element may be absent. */
  readonly optional: boolean;
  /** `z.array(...)`: the element repeats, `min`..`max` times (`max` undefined = unbounded). */
  readonly repeated?: { readonly min: number; readonly max?: number; readonly example?: { readonly value: unknown } };
  readonly description?: string;
  /** The default value as JSON, when it is a constant. */
  readonly defaultJson?: string;
}

/** A zod object schema read into the shapes XML can carry. */
export interface PayloadModel {
  readonly typeName: string;
  readonly root: ObjectModel;
  readonly description?: string;
}

type AnySchema = z.core.$ZodType;
type Def = z.core.$ZodTypes['_zod']['def'];
type CheckDef = z.core.$ZodChecks['_zod']['def'];

// Element names: ASCII NCName without dots (dots separate path segments and root-tag parts).
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const OBJECT_EXTRA_KEYS_OK = new Set(['never', 'unknown', 'any']);

const FORMAT_RANGES: Record<string, readonly [number, number] | undefined> = {
  safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38],
  float64: undefined,
};

const SCALARS_HINT = 'z.string(), z.number(), z.boolean(), z.enum([...]), z.literal("..."), z.object({...}) or z.array(...)';

/**
 * Reads a zod object schema into a {@link PayloadModel}, rejecting what XML payloads cannot
 * express with `ORG_ERR_SCHEMA_UNSUPPORTED` (the message names the field path, the construct and
 * what to use instead).
 *
 * @example
 * payloadModel('Greeting', z.object({ name: z.string() })).root.fields[0]?.path; // 'name'
 */
export function payloadModel(typeName: string, schema: z.ZodType): PayloadModel {
  const reader = new ModelReader(typeName);
  const def = defOf(schema);
  if (def.type !== 'object') {
    throw reader.unsupported('', `a ${construct(def)} root`, 'the payload schema must be a z.object({...}); its fields become child elements');
  }
  const root = reader.object(schema as unknown as z.core.$ZodObject, '');
  const description = metaOf(schema).description;
  reader.checkText('', 'description', description);
  return description === undefined ? { typeName, root } : { typeName, root, description };
}

class ModelReader {
  constructor(private readonly typeName: string) {}

  unsupported(path: string, what: string, instead: string): OrganismError {
    const where = path === '' ? `payload type '${this.typeName}'` : `payload type '${this.typeName}', field '${path}'`;
    return new OrganismError('ORG_ERR_SCHEMA_UNSUPPORTED', `${where}: ${what} cannot be expressed in an XML payload; ${instead}`, {
      details: [path === '' ? '(root)' : path],
    });
  }

  object(schema: z.core.$ZodObject, path: string): ObjectModel {
    const def = schema._zod.def;
    if (def.catchall !== undefined && !OBJECT_EXTRA_KEYS_OK.has(defOf(def.catchall).type)) {
      throw this.unsupported(path, '.catchall() (extra keys of a given type)', 'declare every field explicitly, or use z.array(z.object({ key: z.string(), value: ... }))');
    }
    const fields = Object.entries(def.shape).map(([name, field]) => this.field(name, field, path === '' ? name : `${path}.${name}`));
    return { kind: 'object', fields };
  }

  /** Descriptions and enum values end up in the XSD and the prompt, so they must be representable in XML. */
  checkText(path: string, what: string, text: string | undefined): void {
    const bad = text === undefined ? undefined : invalidXmlChar(text);
    if (bad !== undefined) throw this.unsupported(path, `a ${what} containing ${bad}`, 'remove the control character');
  }

  private field(name: string, schema: AnySchema, path: string): FieldModel {
    if (!FIELD_NAME.test(name)) {
      throw this.unsupported(
        path,
        `the key ${JSON.stringify(name)} (not a valid element name)`,
        "rename it using ASCII letters, digits, '_' or '-', starting with a letter or '_'",
      );
    }
    const outer = unwrap(schema);
    this.checkText(path, 'description', outer.description);
    const coreDef = defOf(outer.core);
    if (coreDef.type === 'array') {
      const item = unwrap(coreDef.element);
      if (item.optional) {
        throw this.unsupported(path, 'optional or defaulted array items', 'make the items required (z.array(z.string())); an absent item cannot be written as a repeated element');
      }
      if (defOf(item.core).type === 'array') {
        throw this.unsupported(path, 'an array of arrays', 'wrap the inner list in an object: z.array(z.object({ items: z.array(...) }))');
      }
      this.checkText(path, 'description', item.description);
      const value = this.value(item.core, path, item.example);
      const [min, max] = sizeBounds(coreDef.checks ?? []);
      const repeated = { min: min ?? 0, ...(max === undefined ? {} : { max }), ...(outer.example === undefined ? {} : { example: outer.example }) };
      return {
        name,
        path,
        value,
        optional: outer.optional,
        repeated,
        ...optionalProps({ description: outer.description ?? item.description, defaultJson: outer.defaultJson }),
      };
    }
    const value = this.value(outer.core, path, outer.example);
    return { name, path, value, optional: outer.optional, ...optionalProps({ description: outer.description, defaultJson: outer.defaultJson }) };
  }

  private value(schema: AnySchema, path: string, example: { value: unknown } | undefined): ValueModel {
    const model = this.bareValue(schema, path);
    return example === undefined ? model : { ...model, example };
  }

  private bareValue(schema: AnySchema, path: string): ScalarModel | ObjectModel {
    const def = defOf(schema);
    switch (def.type) {
      case 'string':
        return stringModel(def);
      case 'number':
        return numberModel(def);
      case 'boolean':
        return { kind: 'boolean' };
      case 'enum': {
        const values = Object.values(def.entries);
        if (!values.every((v): v is string => typeof v === 'string')) {
          throw this.unsupported(path, 'z.enum() with numeric values', 'use an enum of strings, e.g. z.enum(["low", "high"])');
        }
        for (const v of values) this.checkText(path, 'enum value', v);
        return { kind: 'enum', values };
      }
      case 'literal': {
        if (!def.values.every((v): v is string => typeof v === 'string')) {
          throw this.unsupported(path, `z.literal(${def.values.map((v) => (typeof v === 'bigint' ? `${v}n` : JSON.stringify(v))).join(', ')})`, 'use a string literal, e.g. z.literal("yes"), or z.enum([...])');
        }
        for (const v of def.values) this.checkText(path, 'literal', v);
        return { kind: 'enum', values: def.values };
      }
      case 'object':
        return this.object(schema as z.core.$ZodObject, path);
      default:
        throw this.unsupported(path, construct(def), advice(def));
    }
  }
}

interface Unwrapped {
  core: AnySchema;
  optional: boolean;
  description?: string;
  example?: { value: unknown };
  defaultJson?: string;
}

/** Peels .optional() / .default() / .prefault() / .readonly(), collecting the outermost description and example. */
function unwrap(schema: AnySchema): Unwrapped {
  const result: Unwrapped = { core: schema, optional: false };
  let current = schema;
  for (;;) {
    const meta = metaOf(current);
    if (result.description === undefined && typeof meta.description === 'string') result.description = meta.description;
    if (result.example === undefined && Array.isArray(meta['examples']) && meta['examples'].length > 0) result.example = { value: meta['examples'][0] };
    const def = defOf(current);
    if (def.type === 'optional') {
      result.optional = true;
      current = def.innerType;
    } else if (def.type === 'default' || def.type === 'prefault') {
      result.optional = true;
      if (result.defaultJson === undefined) result.defaultJson = constantJson(def);
      current = def.innerType;
    } else if (def.type === 'readonly') {
      current = def.innerType;
    } else {
      result.core = current;
      return result;
    }
  }
}

function stringModel(def: z.core.$ZodStringDef): StringModel {
  let minLength: number | undefined;
  let maxLength: number | undefined;
  let pattern: SimpleRegex | undefined;
  const formats: StringFormat[] = [];
  // Format schemas such as z.email() carry their check in their own def.
  const checks: CheckDef[] = [...('format' in def && typeof def.format === 'string' ? [def as unknown as CheckDef] : []), ...(def.checks ?? []).map((c) => c._zod.def as CheckDef)];
  for (const check of checks) {
    switch (check.check) {
      case 'min_length':
        minLength = Math.max(minLength ?? 0, check.minimum);
        break;
      case 'max_length':
        maxLength = Math.min(maxLength ?? Infinity, check.maximum);
        break;
      case 'length_equals':
        minLength = Math.max(minLength ?? 0, check.length);
        maxLength = Math.min(maxLength ?? Infinity, check.length);
        break;
      case 'string_format': {
        const c = check as z.core.$ZodCheckStringFormatDef & { prefix?: string; suffix?: string; includes?: string };
        const text = c.prefix ?? c.suffix ?? c.includes;
        formats.push({ format: c.format, ...optionalProps({ pattern: c.format === 'regex' ? c.pattern : undefined, text }) });
        if (c.format === 'regex' && c.pattern) pattern ??= parseSimpleRegex(c.pattern);
        break;
      }
      default:
        // overwrite (trim, case folding) and custom refinements stay with zod.
        break;
    }
  }
  return { kind: 'string', ...optionalProps({ minLength, maxLength, pattern }), formats };
}

function numberModel(def: z.core.$ZodNumberDef): NumberModel {
  const lower: Bound[] = [];
  const upper: Bound[] = [];
  let integer = false;
  let multipleOf: number | undefined;
  let formatMin: number | undefined;
  let formatMax: number | undefined;
  const applyFormat = (format: string) => {
    if (format !== 'float32' && format !== 'float64') integer = true;
    const range = FORMAT_RANGES[format];
    if (range) {
      formatMin = Math.max(formatMin ?? -Infinity, range[0]);
      formatMax = Math.min(formatMax ?? Infinity, range[1]);
    }
  };
  if ('format' in def && typeof def.format === 'string') applyFormat(def.format);
  for (const c of def.checks ?? []) {
    const check = c._zod.def as CheckDef;
    switch (check.check) {
      case 'number_format':
        applyFormat(check.format);
        break;
      case 'greater_than':
        if (!Number.isFinite(Number(check.value))) break;
        lower.push({ value: Number(check.value), inclusive: check.inclusive });
        break;
      case 'less_than':
        if (!Number.isFinite(Number(check.value))) break;
        upper.push({ value: Number(check.value), inclusive: check.inclusive });
        break;
      case 'multiple_of':
        multipleOf = Number(check.value);
        break;
      default:
        break;
    }
  }
  let min = tightest(lower, 'lower');
  let max = tightest(upper, 'upper');
  if (integer) {
    if (min) min = { value: min.inclusive ? Math.ceil(min.value) : Math.floor(min.value) + 1, inclusive: true };
    if (max) max = { value: max.inclusive ? Math.floor(max.value) : Math.ceil(max.value) - 1, inclusive: true };
  }
  const implicitBounds = { min: false, max: false };
  if (formatMin !== undefined && (min === undefined || formatMin > min.value)) {
    min = { value: formatMin, inclusive: true };
    implicitBounds.min = formatMin === Number.MIN_SAFE_INTEGER;
  }
  if (formatMax !== undefined && (max === undefined || formatMax < max.value)) {
    max = { value: formatMax, inclusive: true };
    implicitBounds.max = formatMax === Number.MAX_SAFE_INTEGER;
  }
  let fractionDigits: number | undefined;
  if (multipleOf !== undefined && !integer) {
    for (let k = 0; k <= 15; k++) {
      if (multipleOf === Number(`1e-${k}`)) fractionDigits = k;
    }
  }
  return { kind: integer ? 'integer' : 'decimal', ...optionalProps({ min, max, multipleOf, fractionDigits }), implicitBounds };
}

function tightest(bounds: readonly Bound[], side: 'lower' | 'upper'): Bound | undefined {
  let best: Bound | undefined;
  for (const b of bounds) {
    const tighter =
      best === undefined ||
      (side === 'lower' ? b.value > best.value : b.value < best.value) ||
      (b.value === best.value && !b.inclusive);
    if (tighter) best = b;
  }
  return best;
}

function sizeBounds(checks: readonly z.core.$ZodCheck[]): [number | undefined, number | undefined] {
  let min: number | undefined;
  let max: number | undefined;
  for (const c of checks) {
    const check = c._zod.def as CheckDef;
    if (check.check === 'min_length') min = Math.max(min ?? 0, check.minimum);
    else if (check.check === 'max_length') max = Math.min(max ?? Infinity, check.maximum);
    else if (check.check === 'length_equals') {
      min = Math.max(min ?? 0, check.length);
      max = Math.min(max ?? Infinity, check.length);
    }
  }
  return [min, max];
}

/** The default as JSON when reading it twice gives the same value (a function default such as a timestamp does not). */
function constantJson(def: z.core.$ZodDefaultDef | z.core.$ZodPrefaultDef): string | undefined {
  try {
    const first = JSON.stringify(def.defaultValue);
    const second = JSON.stringify(def.defaultValue);
    return first !== undefined && first === second ? first : undefined;
  } catch {
    return undefined;
  }
}

function defOf(schema: AnySchema): Def {
  return schema._zod.def as Def;
}

function metaOf(schema: AnySchema): z.GlobalMeta {
  return z.globalRegistry.get(schema) ?? {};
}

function construct(def: Def): string {
  switch (def.type) {
    case 'union':
      return 'a union (z.union() / .or() / z.discriminatedUnion())';
    case 'nullable':
      return '.nullable()';
    case 'pipe':
      return 'a pipe or transform (.pipe() / .transform() / z.preprocess())';
    case 'transform':
      return 'a transform (.transform())';
    case 'intersection':
      return 'an intersection (z.intersection() / .and())';
    case 'lazy':
      return 'z.lazy() (a recursive schema)';
    case 'catch':
      return '.catch()';
    case 'nonoptional':
      return '.nonoptional()';
    case 'custom':
      return 'z.custom() / z.instanceof()';
    case 'template_literal':
      return 'z.templateLiteral()';
    case 'array':
      return 'an array here';
    default:
      return `z.${def.type}()`;
  }
}

function advice(def: Def): string {
  switch (def.type) {
    case 'date':
      return 'use z.iso.datetime() or z.iso.date() (an ISO 8601 string) instead';
    case 'bigint':
      return 'use z.number().int() instead, or a z.string().regex(/^-?\\d+$/) for values beyond 2^53';
    case 'union':
      return 'use z.enum([...]) to choose between strings, or optional fields for alternative shapes';
    case 'nullable':
      return 'use .optional() instead (an absent element means undefined)';
    case 'record':
    case 'map':
      return 'use z.array(z.object({ key: z.string(), value: ... })) instead';
    case 'set':
      return 'use z.array(...) instead';
    case 'tuple':
      return 'use a z.object({...}) with named fields instead';
    case 'any':
    case 'unknown':
      return `declare a concrete type: ${SCALARS_HINT}`;
    case 'pipe':
    case 'transform':
      return 'declare the input type only and convert the value in the handler (.trim() and .toLowerCase() are fine)';
    case 'intersection':
      return 'merge the objects instead: a.extend(b.shape)';
    case 'lazy':
      return 'flatten the structure to a fixed depth';
    default:
      return `use one of ${SCALARS_HINT}`;
  }
}

/** Drops undefined members so optional properties stay absent (JSON-like, comparable). */
function optionalProps<T extends Record<string, unknown>>(props: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
