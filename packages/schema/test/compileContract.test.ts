import { describe, expect, it } from '@jest/globals';
import { libxml2Validator } from '@organism/xml';
import { z } from 'zod';
import { compileContract, definePayload, type Contract } from '@organism/schema';
import { constructs } from './constructs.js';
import { readPayload } from './readPayload.js';

function libxml2Issues(xsd: string, xml: string): readonly string[] {
  const schema = libxml2Validator.compile(xsd);
  try {
    const issues = schema.validate({ xml });
    if (issues instanceof Promise) throw new Error('libxml2 validation is synchronous');
    return issues.map((i) => i.message);
  } finally {
    schema.dispose();
  }
}

describe('compileContract: the generated XSD', () => {
  it('has one global element named after the lower-cased type, inline types, a sequence in declared order', () => {
    const Add = definePayload(
      'AddPayload',
      z.object({
        a: z.number().int().min(0).describe('first addend'),
        b: z.number().int(),
        note: z.string().max(20).optional(),
        tags: z.array(z.enum(['x', 'y'])).max(3),
      }),
    );
    const contract = compileContract(Add, 'Adds two integers');
    expect(contract.tag).toBe('addpayload');
    expect(contract.xsd).toBe(
      [
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="unqualified">',
        '  <xs:element name="addpayload">',
        '    <xs:annotation>',
        '      <xs:documentation>Adds two integers</xs:documentation>',
        '    </xs:annotation>',
        '    <xs:complexType>',
        '      <xs:sequence>',
        '        <xs:element name="a">',
        '          <xs:annotation>',
        '            <xs:documentation>first addend</xs:documentation>',
        '          </xs:annotation>',
        '          <xs:simpleType>',
        '            <xs:restriction base="xs:integer">',
        '              <xs:minInclusive value="0"/>',
        '              <xs:maxInclusive value="9007199254740991"/>',
        '            </xs:restriction>',
        '          </xs:simpleType>',
        '        </xs:element>',
        '        <xs:element name="b">',
        '          <xs:simpleType>',
        '            <xs:restriction base="xs:integer">',
        '              <xs:minInclusive value="-9007199254740991"/>',
        '              <xs:maxInclusive value="9007199254740991"/>',
        '            </xs:restriction>',
        '          </xs:simpleType>',
        '        </xs:element>',
        '        <xs:element name="note" minOccurs="0">',
        '          <xs:simpleType>',
        '            <xs:restriction base="xs:string">',
        '              <xs:maxLength value="20"/>',
        '            </xs:restriction>',
        '          </xs:simpleType>',
        '        </xs:element>',
        '        <xs:element name="tags" minOccurs="0" maxOccurs="3">',
        '          <xs:simpleType>',
        '            <xs:restriction base="xs:string">',
        '              <xs:enumeration value="x"/>',
        '              <xs:enumeration value="y"/>',
        '            </xs:restriction>',
        '          </xs:simpleType>',
        '        </xs:element>',
        '      </xs:sequence>',
        '    </xs:complexType>',
        '  </xs:element>',
        '</xs:schema>',
        '',
      ].join('\n'),
    );
  });

  it('escapes documentation text and enumeration values', () => {
    const T = definePayload('Quote', z.object({ mark: z.enum(['<', '"&"']).describe('a <b> & "c"') }));
    const { xsd } = compileContract(T, 'x < y & z');
    expect(xsd).toContain('<xs:documentation>x &lt; y &amp; z</xs:documentation>');
    expect(xsd).toContain('<xs:documentation>a &lt;b&gt; &amp; "c"</xs:documentation>');
    expect(xsd).toContain('<xs:enumeration value="&lt;"/>');
    expect(xsd).toContain('<xs:enumeration value="&quot;&amp;&quot;"/>');
    expect(libxml2Issues(xsd, '<quote><mark>"&amp;"</mark></quote>')).toEqual([]);
  });

  it('xsdFor(rootTag) names the global element after the full root tag', () => {
    const contract = compileContract(definePayload('AddPayload', z.object({ a: z.number() })), 'Adds');
    const xsd = contract.xsdFor('calculator.add.addpayload');
    expect(xsd).toContain('<xs:element name="calculator.add.addpayload">');
    expect(libxml2Issues(xsd, '<calculator.add.addpayload><a>1</a></calculator.add.addpayload>')).toEqual([]);
    expect(libxml2Issues(xsd, '<addpayload><a>1</a></addpayload>')).not.toEqual([]);
    expect(() => contract.xsdFor('not a tag')).toThrow(expect.objectContaining({ code: 'ORG_ERR_SCHEMA_UNSUPPORTED' }));
  });
});

// One schema per supported construct (and a few combinations): the XSD compiles in libxml2, the
// example validates against it and reads back through fromXml into a value the zod schema accepts.
describe.each(Object.entries(constructs))('compileContract on %s', (_name, schema) => {
  const contract: Contract<unknown> = compileContract(definePayload('Sample', schema), 'A sample payload');

  it('generates an XSD that libxml2 compiles and an example that validates against it', () => {
    expect(libxml2Issues(contract.xsd, contract.example)).toEqual([]);
  });

  it('reads the example back into a value the zod schema accepts, and writes it back identically', () => {
    const value = readPayload(contract, contract.example);
    expect(schema.safeParse(value).success).toBe(true);
    const again = readPayload(contract, contract.toXml(value));
    expect(again).toEqual(value);
  });
});

describe('compileContract: example and fields', () => {
  it('builds a deterministic example that respects bounds and formats', () => {
    const T = definePayload(
      'Order',
      z.object({
        qty: z.number().int().min(5).max(9),
        price: z.number().gt(100),
        code: z.string().regex(/^[A-Z]{2}-\d{3}$/),
        mail: z.email(),
        tags: z.array(z.string().min(6)).min(2),
      }),
    );
    const { example } = compileContract(T, 'An order');
    expect(example).toBe(
      [
        '<order>',
        '  <qty>5</qty>',
        '  <price>101</price>',
        '  <code>AA-000</code>',
        '  <mail>user@example.com</mail>',
        '  <tags>textxx</tags>',
        '  <tags>textxx</tags>',
        '</order>',
      ].join('\n'),
    );
    expect(compileContract(T, 'An order').example).toBe(example);
  });

  it('lists fields depth-first with path, type, required and description', () => {
    const T = definePayload(
      'Order',
      z.object({
        id: z.string().length(8).describe('order id'),
        lines: z.array(z.object({ sku: z.string(), qty: z.number().int().min(1).max(99) })).min(1).max(20),
        note: z.string().optional(),
        rush: z.boolean().default(false),
        mode: z.enum(['air', 'sea']),
        ratio: z.number().gt(0).lte(1),
      }),
    );
    expect(compileContract(T, 'An order').fields).toEqual([
      { path: 'id', type: 'string, exactly 8 characters', required: true, description: 'order id' },
      { path: 'lines', type: 'object, repeated 1..20 times', required: true },
      { path: 'lines.sku', type: 'string', required: true },
      { path: 'lines.qty', type: 'integer, 1..99', required: true },
      { path: 'note', type: 'string', required: false },
      { path: 'rush', type: 'boolean', required: false, default: 'false' },
      { path: 'mode', type: 'one of "air", "sea"', required: true },
      { path: 'ratio', type: 'decimal, > 0 and <= 1', required: true },
    ]);
  });

  it('asks for an example when it cannot build one that passes the schema', () => {
    const U = definePayload('Even', z.object({ n: z.number().int().refine((n) => n % 2 === 0, 'must be even') }));
    expect(() => compileContract(U, '')).toThrow(
      expect.objectContaining({ code: 'ORG_ERR_SCHEMA_UNSUPPORTED', message: expect.stringMatching(/field 'n'.*must be even.*\.meta\(\{ examples/) }),
    );
  });

  it('rejects a description XML cannot carry', () => {
    const T = definePayload('T', z.object({}));
    expect(() => compileContract(T, 'bell\u0007')).toThrow(expect.objectContaining({ code: 'ORG_ERR_SCHEMA_UNSUPPORTED', message: expect.stringContaining('U+0007') }));
  });
});
