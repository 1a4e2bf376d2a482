import { OrganismError } from '@organism/xml';
import type { z } from 'zod';

/**
 * A named payload type: a zod object schema plus the name its XML element is derived from.
 * The bare tag is the lower-cased name; a listener's root tag is `${listenerName}.${name}`, lower-cased.
 *
 * @example
 * const AddPayload = definePayload('AddPayload', z.object({ a: z.number().int(), b: z.number().int() }));
 * AddPayload.of({ a: 1, b: 2 }); // a TypedPayload a handler can return
 */
export interface PayloadType<T = unknown> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  /** A typed payload object a handler can return. The value is validated when it is serialized. */
  of(value: T): TypedPayload<T>;
}

/**
 * A value tagged with its payload type, as returned by a handler.
 *
 * @example
 * const reply: TypedPayload<{ sum: number }> = SumPayload.of({ sum: 3 });
 */
export interface TypedPayload<T = unknown> {
  readonly type: PayloadType<T>;
  readonly value: T;
}

const PAYLOAD_TYPE = Symbol.for('organism.payloadType');
const TYPED_PAYLOAD = Symbol.for('organism.typedPayload');

// Type names become element names and the last segment of dotted root tags, so no dots or colons.
const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Declares a payload type. The schema must be a `z.object(...)`; whether every field can be
 * expressed in XML is checked by {@link compileContract}.
 *
 * @throws OrganismError `ORG_ERR_SCHEMA_UNSUPPORTED` when the name is not a usable element name
 *   or the schema is not a zod object.
 * @example
 * const Greeting = definePayload('Greeting', z.object({ name: z.string().min(1).describe('who to greet') }));
 */
export function definePayload<S extends z.ZodObject>(name: string, schema: S): PayloadType<z.infer<S>> {
  if (typeof name !== 'string' || !TYPE_NAME.test(name)) {
    throw new OrganismError(
      'ORG_ERR_SCHEMA_UNSUPPORTED',
      `payload type name ${JSON.stringify(name)} is not a valid element name; use ASCII letters, digits, '_' or '-', starting with a letter or '_' (e.g. 'AddPayload')`,
    );
  }
  if ((schema as { _zod?: { def?: { type?: unknown } } } | undefined)?._zod?.def?.type !== 'object') {
    throw new OrganismError(
      'ORG_ERR_SCHEMA_UNSUPPORTED',
      `payload type '${name}': the schema must be a z.object({...}) (its fields become child elements)`,
    );
  }
  const type: PayloadType<z.infer<S>> = {
    name,
    schema: schema as unknown as z.ZodType<z.infer<S>>,
    of(value) {
      return Object.freeze({ [TYPED_PAYLOAD]: true, type, value }) as TypedPayload<z.infer<S>>;
    },
  };
  Object.defineProperty(type, PAYLOAD_TYPE, { value: true });
  return Object.freeze(type);
}

/**
 * True for objects created by {@link definePayload}.
 *
 * @example
 * isPayloadType(Greeting); // true
 */
export function isPayloadType(x: unknown): x is PayloadType {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[PAYLOAD_TYPE] === true;
}

/**
 * True for objects created by `PayloadType.of(value)`.
 *
 * @example
 * isTypedPayload(Greeting.of({ name: 'World' })); // true
 */
export function isTypedPayload(x: unknown): x is TypedPayload {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[TYPED_PAYLOAD] === true;
}
