import { describe, expect, it } from '@jest/globals';
import { OrganismError } from '@organism/xml';
import { z } from 'zod';
import { definePayload, isPayloadType, isTypedPayload } from '@organism/schema';
import { thrown } from './readPayload.js';

describe('definePayload', () => {
  const Greeting = definePayload('Greeting', z.object({ name: z.string() }));

  it('keeps the name and the schema', () => {
    expect(Greeting.name).toBe('Greeting');
    expect(Greeting.schema.safeParse({ name: 'World' }).success).toBe(true);
  });

  it('of() tags a value with its type without copying or validating it', () => {
    const value = { name: 'World' };
    const typed = Greeting.of(value);
    expect(typed.type).toBe(Greeting);
    expect(typed.value).toBe(value);
    expect(isTypedPayload(typed)).toBe(true);
  });

  it('isPayloadType and isTypedPayload recognise only what definePayload made', () => {
    expect(isPayloadType(Greeting)).toBe(true);
    expect(isPayloadType({ name: 'Greeting', schema: Greeting.schema, of: Greeting.of })).toBe(false);
    expect(isPayloadType(null)).toBe(false);
    expect(isTypedPayload({ type: Greeting, value: { name: 'x' } })).toBe(false);
    expect(isTypedPayload(Greeting)).toBe(false);
    expect(isTypedPayload('<greeting/>')).toBe(false);
  });

  it.each(['', 'has space', '1abc', 'a.b', 'ns:tag', 'Größe'])('rejects the type name %j with ORG_ERR_SCHEMA_UNSUPPORTED', (name) => {
    const error = thrown(() => definePayload(name, z.object({})));
    expect(error).toBeInstanceOf(OrganismError);
    expect(error).toMatchObject({ code: 'ORG_ERR_SCHEMA_UNSUPPORTED' });
    expect((error as Error).message).toContain(JSON.stringify(name));
  });

  it('rejects a schema that is not a z.object at runtime (for JavaScript callers)', () => {
    const error = thrown(() => definePayload('Text', z.string() as unknown as z.ZodObject));
    expect(error).toMatchObject({ code: 'ORG_ERR_SCHEMA_UNSUPPORTED' });
    expect((error as Error).message).toMatch(/payload type 'Text'.*z\.object/);
  });
});
