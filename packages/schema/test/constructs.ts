import { z } from 'zod';

// Shared with fromCanonicalXml.test.ts.
// One schema per supported construct (and a few combinations): the XSD compiles in libxml2, the
// example validates against it and reads back through fromXml into a value the zod schema accepts.
export const constructs: Record<string, z.ZodObject> = {
  'plain string': z.object({ s: z.string() }),
  'string length bounds': z.object({ s: z.string().min(6).max(8), t: z.string().max(2), u: z.string().length(5) }),
  'string regex (translated)': z.object({ code: z.string().regex(/^[A-Z]{2}-\d{3}$/) }),
  'string regex (zod-only)': z.object({ word: z.string().regex(/^\w+\b$/i) }),
  'string formats': z.object({ mail: z.email(), id: z.uuid(), at: z.iso.datetime(), day: z.iso.date(), site: z.url(), pre: z.string().startsWith('ID-') }),
  'string with trim': z.object({ s: z.string().trim().min(1) }),
  integers: z.object({ n: z.number().int(), lo: z.int().gt(10), hi: z.number().int().lt(-5), r: z.int32(), u: z.uint32().max(9) }),
  decimals: z.object({ x: z.number(), p: z.number().positive().lt(1), cents: z.number().multipleOf(0.01).min(2.5), m: z.number().multipleOf(7) }),
  booleans: z.object({ yes: z.boolean(), no: z.boolean().optional() }),
  'enums and literals': z.object({ level: z.enum(['low', 'mid', 'high']), kind: z.literal('task'), either: z.literal(['a', 'b']) }),
  'native string enum': z.object({ color: z.enum({ Red: 'red', Green: 'green' }) }),
  'optional and default': z.object({ a: z.string().optional(), b: z.number().int().default(3), c: z.boolean().default(false).describe('flag') }),
  arrays: z.object({ tags: z.array(z.string()), some: z.array(z.number().int()).min(2).max(4), maybe: z.array(z.boolean()).optional() }),
  'nested objects': z.object({ customer: z.object({ name: z.string(), address: z.object({ city: z.string(), zip: z.string().length(5) }).optional() }) }),
  'array of objects': z.object({ lines: z.array(z.object({ sku: z.string(), qty: z.number().int().positive() })).nonempty() }),
  'readonly and described': z.object({ q: z.string().describe('query').readonly(), r: z.array(z.string().describe('item')).readonly() }),
  'meta examples': z.object({
    phone: z.string().regex(/^\+\d{6,12}$/).meta({ examples: ['+41791234567'] }),
    even: z.number().int().refine((n) => n % 2 === 0).meta({ examples: [4] }),
  }),
  'no fields': z.object({}),
  'strict and loose objects': z.object({ a: z.strictObject({ x: z.string() }), b: z.looseObject({ y: z.string() }) }),
};
