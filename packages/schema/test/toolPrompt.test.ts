import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { compileContract, definePayload } from '@organism/schema';

const Add = definePayload(
  'AddPayload',
  z.object({
    a: z.number().int().min(0).max(100).describe('first addend'),
    b: z.number().int().describe('second addend'),
    note: z.string().max(40).optional().describe('free text,\n  one line'),
    round: z.boolean().default(false),
    items: z.array(z.object({ sku: z.string().describe('stock unit'), qty: z.number().int().positive() })).max(5),
  }),
);

describe('Contract.prompt', () => {
  const contract = compileContract(Add, 'Adds two integers and replies with the sum.');

  it('describes the type, the root tag, every field and the example', () => {
    expect(contract.prompt('calculator.add.addpayload')).toBe(
      [
        'AddPayload: Adds two integers and replies with the sum.',
        'Root element: <calculator.add.addpayload>',
        'Child elements, in this order (nested elements are indented):',
        '- a: integer, 0..100; required. first addend',
        '- b: integer; required. second addend',
        '- note: string, at most 40 characters; optional. free text, one line',
        '- round: boolean; optional, default false',
        '- items: object, repeated up to 5 times; optional',
        '  - items.sku: string; required. stock unit',
        '  - items.qty: integer, >= 1; required',
        'Example:',
        '<calculator.add.addpayload>',
        '  <a>1</a>',
        '  <b>1</b>',
        '  <note>text</note>',
        '  <round>true</round>',
        '  <items>',
        '    <sku>text</sku>',
        '    <qty>1</qty>',
        '  </items>',
        '</calculator.add.addpayload>',
      ].join('\n'),
    );
  });

  it('uses the bare tag by default and is deterministic', () => {
    const prompt = contract.prompt();
    expect(prompt).toContain('Root element: <addpayload>');
    expect(prompt).toContain(contract.example);
    expect(compileContract(Add, 'Adds two integers and replies with the sum.').prompt()).toBe(prompt);
  });

  it('says so when a payload has no fields, and falls back to the schema description', () => {
    const Ping = definePayload('Ping', z.object({}).describe('Are you there?'));
    expect(compileContract(Ping, '').prompt()).toBe(['Ping: Are you there?', 'Root element: <ping>', 'No child elements.', 'Example:', '<ping/>'].join('\n'));
  });
});
