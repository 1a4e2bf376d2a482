import { describe, expect, it } from '@jest/globals';
import {
  ENVELOPE_NS,
  extractPayload,
  isJavaAvailable,
  libxml2Validator,
  parseXml,
  xercesValidator,
  type SchemaValidator,
  type ValidationIssue,
} from '@organism/xml';
import { expectCode } from './support/expectCode.js';

const hasJava = await isJavaAvailable();
if (!hasJava) {
  console.warn('Xerces validator tests skipped: no java runtime could be started (install a JRE or set JAVA_HOME).');
}
const itWithJava = hasJava ? it : it.skip;

const PERSON_XSD = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="unqualified">
  <xs:element name="person">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="name" type="xs:string"/>
        <xs:element name="age" type="xs:integer" minOccurs="0"/>
        <xs:element name="tag" minOccurs="0" maxOccurs="unbounded">
          <xs:simpleType>
            <xs:restriction base="xs:string">
              <xs:enumeration value="a"/>
              <xs:enumeration value="b"/>
            </xs:restriction>
          </xs:simpleType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>`;

const CALC_XSD = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:calc"
    xmlns:c="urn:calc" elementFormDefault="qualified">
  <xs:element name="add">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="x" type="xs:decimal" maxOccurs="unbounded"/>
      </xs:sequence>
      <xs:attribute name="precision" type="xs:nonNegativeInteger" use="required"/>
    </xs:complexType>
  </xs:element>
</xs:schema>`;

/** [schema, payload, valid?] - the verdicts both backends must agree on. */
const VERDICTS: ReadonlyArray<readonly [string, string, boolean]> = [
  [PERSON_XSD, '<person><name>Ada</name></person>', true],
  [PERSON_XSD, '<person><name>Ada</name><age>36</age><tag>a</tag><tag>b</tag></person>', true],
  [PERSON_XSD, '<person><name>Ada</name><age>thirty</age></person>', false],
  [PERSON_XSD, '<person><age>36</age></person>', false],
  [PERSON_XSD, '<person><age>36</age><name>Ada</name></person>', false],
  [PERSON_XSD, '<person><name>Ada</name><tag>c</tag></person>', false],
  [PERSON_XSD, '<person><name>Ada</name><extra/></person>', false],
  [PERSON_XSD, '<robot><name>R2</name></robot>', false],
  [CALC_XSD, '<add xmlns="urn:calc" precision="2"><x>1.5</x><x>-2</x></add>', true],
  [CALC_XSD, '<c:add xmlns:c="urn:calc" precision="0"><c:x>1</c:x></c:add>', true],
  [CALC_XSD, '<add xmlns="urn:calc"><x>1</x></add>', false],
  [CALC_XSD, '<add xmlns="urn:calc" precision="-1"><x>1</x></add>', false],
  [CALC_XSD, '<add precision="2"><x>1</x></add>', false],
  [CALC_XSD, '<add xmlns="urn:calc" precision="2"><x>one</x></add>', false],
];

async function verdicts(validator: SchemaValidator): Promise<boolean[]> {
  const schemas = new Map([PERSON_XSD, CALC_XSD].map((xsd) => [xsd, validator.compile(xsd)]));
  try {
    return await Promise.all(
      VERDICTS.map(async ([xsd, xml]) => (await schemas.get(xsd)!.validate({ xml })).length === 0),
    );
  } finally {
    for (const schema of schemas.values()) schema.dispose();
  }
}

describe('libxml2Validator', () => {
  it('gives the expected verdict on hand-written schemas', async () => {
    expect(libxml2Validator.name).toBe('libxml2');
    expect(await verdicts(libxml2Validator)).toEqual(VERDICTS.map(([, , valid]) => valid));
  });

  it('reports issues with message, line and XPath', () => {
    using schema = libxml2Validator.compile(PERSON_XSD);
    const issues = schema.validate({ xml: '<person>\n<name>Ada</name>\n<age>thirty</age>\n</person>' });
    expect(Array.isArray(issues)).toBe(true);
    expect(issues).toContainEqual({
      message: "Element 'age': 'thirty' is not a valid value of the atomic type 'xs:integer'.",
      line: 3,
      path: '/person/age',
    });
  });

  it('validates a payload element inside a parsed envelope without re-parsing it', () => {
    using schema = libxml2Validator.compile(CALC_XSD);
    using parsed = parseXml(
      `<message xmlns="${ENVELOPE_NS}"><meta><from>a</from><thread>t</thread></meta>\n` +
        '<add xmlns="urn:calc" precision="2"><x>1</x><x>nope</x></add></message>',
    );
    const { payload } = extractPayload(parsed.doc);
    const issues = schema.validate({ element: payload, xml: '' }) as readonly ValidationIssue[];
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toContain("'nope' is not a valid value of the atomic type 'xs:decimal'");
    expect(issues[0]?.line).toBe(2);
  });

  it('reports a payload that is not well-formed, or hostile, as issues rather than validating a repair', () => {
    using schema = libxml2Validator.compile(PERSON_XSD);
    const malformed = schema.validate({ xml: '<person><name>Ada</person>' }) as readonly ValidationIssue[];
    expect(malformed[0]?.message).toMatch(/^not well-formed: line 1, column \d+: Opening and ending tag mismatch/);
    const hostile = schema.validate({ xml: '<!DOCTYPE person [<!ENTITY e "x">]><person><name>&e;</name></person>' });
    expect((hostile as readonly ValidationIssue[])[0]?.message).toContain('<!DOCTYPE');
  });

  it('refuses an XSD that is malformed, does not compile or carries a DTD with ORG_ERR_XSD_COMPILE', () => {
    expectCode(() => libxml2Validator.compile('<xs:schema'), 'ORG_ERR_XSD_COMPILE');
    const unresolved = expectCode(
      () =>
        libxml2Validator.compile(
          '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="xs:nope"/></xs:schema>',
        ),
      'ORG_ERR_XSD_COMPILE',
    );
    expect(unresolved.details?.[0]).toContain("'{http://www.w3.org/2001/XMLSchema}nope' does not resolve");
    expectCode(() => libxml2Validator.compile('<!DOCTYPE x><x/>'), 'ORG_ERR_XSD_COMPILE');
  });

  it('disposes idempotently and refuses to validate afterwards', () => {
    const schema = libxml2Validator.compile(PERSON_XSD);
    schema.dispose();
    schema.dispose();
    expectCode(() => schema.validate({ xml: '<person><name>x</name></person>' }), 'ORG_ERR_CLOSED');
  });
});

describe('xercesValidator', () => {
  it('refuses a malformed XSD at compile time, without java', () => {
    expect(xercesValidator().name).toBe('xerces');
    expectCode(() => xercesValidator().compile('<xs:schema'), 'ORG_ERR_XSD_COMPILE');
  });

  it('reports a hostile payload as an issue without handing it to java', async () => {
    using schema = xercesValidator().compile(PERSON_XSD);
    const issues = await schema.validate({ xml: '<!DOCTYPE p [<!ENTITY e SYSTEM "file:///etc/passwd">]><p>&e;</p>' });
    expect(issues[0]?.message).toContain('<!DOCTYPE');
  });

  itWithJava('agrees with libxml2 on every verdict', async () => {
    const [xerces, libxml2] = await Promise.all([verdicts(xercesValidator()), verdicts(libxml2Validator)]);
    expect(xerces).toEqual(libxml2);
  });

  itWithJava('maps Xerces diagnostics to issues with line numbers, one per message', async () => {
    using schema = xercesValidator().compile(PERSON_XSD);
    const issues = await schema.validate({ xml: '<person>\n<name>Ada</name>\n<age>thirty</age>\n</person>' });
    expect(issues.length).toBeGreaterThanOrEqual(1);
    expect(issues[0]?.message).toMatch(/^cvc-datatype-valid\.1\.2\.1: 'thirty' is not a valid value for 'integer'\.$/);
    expect(issues[0]?.line).toBe(3);
    for (const issue of issues) expect(issue.message).not.toMatch(/\[(error|fatal|warning)\]/);
  });

  itWithJava('reports a payload that is not well-formed once, with its line', async () => {
    using schema = xercesValidator().compile(PERSON_XSD);
    const issues = await schema.validate({ xml: '<person>\n<name>Ada</person>' });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.line).toBe(2);
  });

  itWithJava('rejects with ORG_ERR_XSD_COMPILE when Xerces cannot load the schema', async () => {
    using schema = xercesValidator().compile(
      '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="xs:nope"/></xs:schema>',
    );
    await expect(schema.validate({ xml: '<a/>' })).rejects.toMatchObject({ code: 'ORG_ERR_XSD_COMPILE' });
  });

  itWithJava('refuses to validate once disposed', async () => {
    const schema = xercesValidator().compile(PERSON_XSD);
    schema.dispose();
    schema.dispose();
    await expect(schema.validate({ xml: '<person><name>x</name></person>' })).rejects.toMatchObject({
      code: 'ORG_ERR_CLOSED',
    });
  });
});
