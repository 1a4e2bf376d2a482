import { describe, expect, it } from '@jest/globals';
import { OrganismError } from '@organism/xml';
import { z } from 'zod';
import { compileContract, definePayload } from '@organism/schema';
import { decimalText } from '../src/decimalText.js';
import { readPayload, thrown } from './readPayload.js';

const Note = definePayload(
  'Note',
  z.object({
    text: z.string(),
    n: z.number().int().optional(),
    x: z.number().optional(),
    ok: z.boolean().default(true),
    tags: z.array(z.string()).optional(),
    at: z.object({ city: z.string() }).optional(),
  }),
);
const note = compileContract(Note, 'A note');

describe('Contract.toXml', () => {
  it('writes fields in declared order, skips undefined optionals and applies defaults', () => {
    expect(note.toXml({ text: 'hi', n: undefined, x: 2.5, ok: false })).toBe('<note><text>hi</text><x>2.5</x><ok>false</ok></note>');
    expect(note.toXml({ text: 'hi' } as z.input<typeof Note.schema> as never)).toBe('<note><text>hi</text><ok>true</ok></note>');
  });

  it('writes arrays as repeated elements and nested objects as child elements', () => {
    expect(note.toXml({ text: '', ok: true, tags: ['a', 'b'], at: { city: 'Bern' } })).toBe(
      '<note><text></text><ok>true</ok><tags>a</tags><tags>b</tags><at><city>Bern</city></at></note>',
    );
    expect(note.toXml({ text: 't', ok: true, tags: [] })).toBe('<note><text>t</text><ok>true</ok></note>');
  });

  it('escapes text so that it reads back unchanged, including CR and markup', () => {
    const text = 'a < b & c > d ]]> "q" \'s\' \r\n\ttab 😀';
    const xml = note.toXml({ text, ok: true });
    expect(xml).toContain('<text>a &lt; b &amp; c &gt; d ]]&gt; "q" \'s\' &#xD;\n\ttab 😀</text>');
    expect(readPayload(note, xml)).toEqual({ text, ok: true });
  });

  it('writes numbers in xs:decimal form, never exponent notation', () => {
    const xml = note.toXml({ text: 't', ok: true, x: 1e21, n: -0 });
    expect(xml).toContain('<x>1000000000000000000000</x>');
    expect(xml).toContain('<n>0</n>');
    expect(readPayload(note, note.toXml({ text: 't', ok: true, x: 1.5e-7 }))).toMatchObject({ x: 1.5e-7 });
  });

  it('renames the root when asked', () => {
    expect(note.toXml({ text: 't', ok: true }, 'notes.note')).toBe('<notes.note><text>t</text><ok>true</ok></notes.note>');
  });

  it('rejects a value that does not match the schema with ORG_ERR_PAYLOAD_INVALID and paths', () => {
    const error = thrown(() => note.toXml({ text: 5, ok: true, at: {} } as never)) as OrganismError;
    expect(error).toBeInstanceOf(OrganismError);
    expect(error.code).toBe('ORG_ERR_PAYLOAD_INVALID');
    expect(error.details).toEqual(['text: Invalid input: expected string, received number', 'at.city: required element <city> is missing']);
    expect(error.message).toContain('not a valid Note');
  });

  it('rejects a string XML cannot carry instead of altering it', () => {
    const error = thrown(() => note.toXml({ text: 'bell\u0007', ok: true })) as OrganismError;
    expect(error.code).toBe('ORG_ERR_PAYLOAD_INVALID');
    expect(error.details).toEqual(['text: contains U+0007, which XML cannot carry']);
    expect((thrown(() => note.toXml({ text: 'x', ok: true, tags: ['ok', '\uD800'] })) as OrganismError).details).toEqual([
      'tags[1]: contains U+D800, which XML cannot carry',
    ]);
  });

  it('writes the empty object as an empty element', () => {
    expect(compileContract(definePayload('Ping', z.object({})), '').toXml({})).toBe('<ping/>');
  });
});

describe('decimalText', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [12.5, '12.5'],
    [1e21, '1000000000000000000000'],
    [-1.5e22, '-15000000000000000000000'],
    [1e-7, '0.0000001'],
    [-2.5e-8, '-0.000000025'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
  ])('%p -> %s', (n, text) => {
    expect(decimalText(n)).toBe(text);
    expect(Number(text)).toBe(n === 0 ? 0 : n);
  });
});
