import { describe, expect, it } from '@jest/globals';
import { OrganismError } from '@organism/xml';
import { z } from 'zod';
import { compileContract, definePayload } from '@organism/schema';
import { thrown } from './readPayload.js';

function compileError(shape: Record<string, z.ZodType>): OrganismError {
  const error = thrown(() => compileContract(definePayload('Event', z.object(shape)), 'An event'));
  expect(error).toBeInstanceOf(OrganismError);
  expect((error as OrganismError).code).toBe('ORG_ERR_SCHEMA_UNSUPPORTED');
  return error as OrganismError;
}

// [construct, schema of field 'meta.when', what the message names, what it suggests]
const cases: [string, z.ZodType, RegExp, RegExp][] = [
  ['z.date()', z.date(), /z\.date\(\)/, /z\.iso\.datetime\(\)/],
  ['z.coerce.date()', z.coerce.date(), /z\.date\(\)/, /ISO 8601/],
  ['z.bigint()', z.bigint(), /z\.bigint\(\)/, /z\.number\(\)\.int\(\)/],
  ['z.union()', z.union([z.string(), z.number()]), /union/, /z\.enum/],
  ['.or()', z.string().or(z.number()), /union/, /z\.enum/],
  ['z.discriminatedUnion()', z.discriminatedUnion('k', [z.object({ k: z.literal('a') }), z.object({ k: z.literal('b') })]), /union/, /optional fields/],
  ['.nullable()', z.string().nullable(), /\.nullable\(\)/, /\.optional\(\)/],
  ['.nullish()', z.string().nullish(), /\.nullable\(\)/, /\.optional\(\)/],
  ['z.record()', z.record(z.string(), z.number()), /z\.record\(\)/, /z\.array\(z\.object\(\{ key/],
  ['z.map()', z.map(z.string(), z.number()), /z\.map\(\)/, /z\.array\(z\.object/],
  ['z.set()', z.set(z.string()), /z\.set\(\)/, /z\.array/],
  ['z.tuple()', z.tuple([z.string(), z.number()]), /z\.tuple\(\)/, /named fields/],
  ['z.any()', z.any(), /z\.any\(\)/, /concrete type/],
  ['z.unknown()', z.unknown(), /z\.unknown\(\)/, /concrete type/],
  ['.transform()', z.string().transform((s) => s.length), /transform/, /in the handler/],
  ['.pipe()', z.string().pipe(z.coerce.number()), /pipe/, /in the handler/],
  ['z.stringbool()', z.stringbool(), /pipe/, /in the handler/],
  ['z.intersection()', z.intersection(z.object({ a: z.string() }), z.object({ b: z.string() })), /intersection/, /extend/],
  ['z.lazy()', z.lazy(() => z.string()), /z\.lazy\(\)/, /flatten/],
  ['z.literal(number)', z.literal(3), /z\.literal\(3\)/, /string literal/],
  ['numeric z.enum()', z.enum({ One: 1, Two: 2 } as const), /numeric values/, /enum of strings/],
  ['z.null()', z.null(), /z\.null\(\)/, /z\.string\(\)/],
  ['.catch()', z.string().catch('x'), /\.catch\(\)/, /z\.string\(\)/],
  ['nested array', z.array(z.array(z.string())), /array of arrays/, /wrap the inner list/],
  ['optional array items', z.array(z.string().optional()), /optional or defaulted array items/, /make the items required/],
  ['catchall', z.object({ a: z.string() }).catchall(z.number()), /\.catchall\(\)/, /explicitly/],
];

describe('compileContract rejects what XML payloads cannot express', () => {
  it.each(cases)('%s: ORG_ERR_SCHEMA_UNSUPPORTED naming the field path, the construct and the alternative', (_name, when, names, suggests) => {
    const error = compileError({ id: z.string(), meta: z.object({ when }) });
    expect(error.message).toContain("payload type 'Event', field 'meta.when'");
    expect(error.message).toMatch(names);
    expect(error.message).toMatch(suggests);
    expect(error.details).toEqual(['meta.when']);
  });

  it('names the path of a construct inside array items', () => {
    const error = compileError({ events: z.array(z.object({ at: z.date() })) });
    expect(error.message).toContain("field 'events.at'");
  });

  it('rejects keys that are not element names', () => {
    const error = compileError({ 'first name': z.string() });
    expect(error.message).toContain("field 'first name'");
    expect(error.message).toMatch(/not a valid element name.*ASCII letters/);
    expect(compileError({ 'a.b': z.string() }).message).toContain("field 'a.b'");
  });

  it('rejects enum values and descriptions XML cannot carry', () => {
    expect(compileError({ e: z.enum(['ok', 'bell\u0007']) }).message).toMatch(/field 'e'.*U\+0007/);
    expect(compileError({ s: z.string().describe('nul\u0000') }).message).toMatch(/field 's'.*U\+0000/);
  });

  it('every unsupported construct yields an OrganismError, never a raw zod error', () => {
    for (const [, when] of cases) {
      expect(thrown(() => compileContract(definePayload('E', z.object({ when })), ''))).toBeInstanceOf(OrganismError);
    }
  });
});

describe('compileContract rejects schemas it cannot run', () => {
  it('an async refinement: ORG_ERR_SCHEMA_UNSUPPORTED asking for synchronous refinements', () => {
    const T = definePayload('A', z.object({ s: z.string().refine(async () => true) }));
    const error = thrown(() => compileContract(T, '')) as OrganismError;
    expect(error).toBeInstanceOf(OrganismError);
    expect(error.code).toBe('ORG_ERR_SCHEMA_UNSUPPORTED');
    expect(error.message).toMatch(/payload type 'A'.*synchronous refinements only/);
  });
});
