import { describe, expect, it } from '@jest/globals';
import {
  ENVELOPE_NS,
  ENVELOPE_XSD,
  buildEnvelope,
  canonicalize,
  childNodes,
  extractPayload,
  libxml2Validator,
  parseXml,
  validateEnvelope,
} from '@organism/xml';
import { expectCode } from './support/expectCode.js';

const THREAD = '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
const envelope = (inner: string): string => `<message xmlns="${ENVELOPE_NS}">${inner}</message>`;

describe('envelope roundtrip', () => {
  it('build -> parse -> canonicalize -> validate -> extract gives back the meta and the payload', () => {
    const xml = buildEnvelope(
      { from: 'user', to: 'greeter', thread: THREAD },
      '<greeting><name>World</name></greeting>',
    );
    using parsed = parseXml(xml);
    expect(parsed.repairs).toEqual([]);
    const canonical = canonicalize(parsed.doc);
    expect(canonical).toBe(
      `<message xmlns="${ENVELOPE_NS}"><meta><from>user</from><to>greeter</to><thread>${THREAD}</thread></meta>` +
        '<greeting xmlns=""><name>World</name></greeting></message>',
    );
    validateEnvelope(parsed.doc);
    const parts = extractPayload(parsed.doc);
    expect(parts).toMatchObject({ from: 'user', to: 'greeter', thread: THREAD, payloadTag: 'greeting', payloadNs: '' });
    expect(canonicalize(parts.payload)).toBe('<greeting><name>World</name></greeting>');
  });

  it('keeps a namespaced payload in its namespace and reports the local name as written', () => {
    const xml = buildEnvelope({ from: 'a', thread: 't' }, '<p:Calc xmlns:p="urn:calc"><p:x>1</p:x></p:Calc>');
    using parsed = parseXml(xml);
    validateEnvelope(parsed.doc);
    const parts = extractPayload(parsed.doc);
    expect(parts.payloadTag).toBe('Calc');
    expect(parts.payloadNs).toBe('urn:calc');
    expect(parts.to).toBeUndefined();
    expect('to' in parts).toBe(false);
    expect(canonicalize(parts.payload)).toBe('<p:Calc xmlns:p="urn:calc"><p:x>1</p:x></p:Calc>');
  });

  it('trims whitespace around meta values', () => {
    using parsed = parseXml(
      envelope('\n  <meta>\n    <from> user </from>\n    <to>\tgreeter\n</to>\n    <thread> t-1 </thread>\n  </meta>\n  <x/>\n'),
    );
    validateEnvelope(parsed.doc);
    expect(extractPayload(parsed.doc)).toMatchObject({ from: 'user', to: 'greeter', thread: 't-1', payloadTag: 'x' });
  });

  it('accepts future meta fields from other namespaces, as the seed schema does, without confusing them with its own', () => {
    using parsed = parseXml(
      envelope(
        '<meta><from>a</from><thread>t</thread><ext:priority xmlns:ext="urn:ext">high</ext:priority>' +
          '<ext:to xmlns:ext="urn:ext">elsewhere</ext:to><ext:from xmlns:ext="urn:ext">forged</ext:from></meta><x/>',
      ),
    );
    validateEnvelope(parsed.doc);
    const parts = extractPayload(parsed.doc);
    expect(parts).toMatchObject({ from: 'a', thread: 't', payloadTag: 'x' });
    expect(parts.to).toBeUndefined();
  });

  it('validates a repaired envelope: the repair is recorded, the envelope still passes', () => {
    using parsed = parseXml(envelope('<meta><from>a</from><thread>t</thread></meta><note xmlns=""><b>bold</note>'));
    expect(parsed.repairs.join('\n')).toContain('Opening and ending tag mismatch');
    validateEnvelope(parsed.doc);
    expect(canonicalize(extractPayload(parsed.doc).payload)).toBe('<note><b>bold</b></note>');
  });
});

describe('validateEnvelope rejects', () => {
  it("'<not valid xml' (recovered into <not/>) as ORG_ERR_ENVELOPE_INVALID", () => {
    using parsed = parseXml('<not valid xml');
    const error = expectCode(() => validateEnvelope(parsed.doc), 'ORG_ERR_ENVELOPE_INVALID');
    expect(error.details?.[0]).toMatch(/^line 1: Element 'not': No matching global declaration/);
    expect(error.message).toContain(ENVELOPE_NS);
  });

  it('an envelope without <from>, naming the missing element', () => {
    using parsed = parseXml(envelope('<meta>\n<thread>t</thread></meta><x/>'));
    const error = expectCode(() => validateEnvelope(parsed.doc), 'ORG_ERR_ENVELOPE_INVALID');
    expect(error.message).toMatch(/^the envelope does not match the envelope schema: line 2: .*thread.*Expected is.*from/);
  });

  it('an envelope without <thread>', () => {
    using parsed = parseXml(envelope('<meta><from>a</from></meta><x/>'));
    const error = expectCode(() => validateEnvelope(parsed.doc), 'ORG_ERR_ENVELOPE_INVALID');
    expect(error.details?.join('\n')).toContain('thread');
  });

  it('an envelope with two payloads', () => {
    using parsed = parseXml(envelope('<meta><from>a</from><thread>t</thread></meta><x xmlns=""/><y xmlns=""/>'));
    const error = expectCode(() => validateEnvelope(parsed.doc), 'ORG_ERR_ENVELOPE_INVALID');
    expect(error.details?.join('\n')).toContain("Element 'y'");
  });

  it('an envelope in the wrong namespace', () => {
    using parsed = parseXml('<message><meta><from>a</from><thread>t</thread></meta><x/></message>');
    expectCode(() => validateEnvelope(parsed.doc), 'ORG_ERR_ENVELOPE_INVALID');
  });

  it('text directly inside <message>', () => {
    using parsed = parseXml(envelope('<meta><from>a</from><thread>t</thread></meta>chatter<x/>'));
    expectCode(() => validateEnvelope(parsed.doc), 'ORG_ERR_ENVELOPE_INVALID');
  });
});

describe('extractPayload', () => {
  it('rejects an envelope with zero payloads (the XSD allows it, as the seed does)', () => {
    using parsed = parseXml(envelope('<meta><from>alice</from><thread>t</thread></meta>'));
    validateEnvelope(parsed.doc);
    const error = expectCode(() => extractPayload(parsed.doc), 'ORG_ERR_ENVELOPE_PAYLOAD');
    expect(error.message).toContain('"alice" carries no payload element');
  });

  it('rejects two payloads, naming them with their lines', () => {
    using parsed = parseXml(envelope('<meta><from>a</from><thread>t</thread></meta>\n<x/>\n<y/>'));
    const error = expectCode(() => extractPayload(parsed.doc), 'ORG_ERR_ENVELOPE_PAYLOAD');
    expect(error.message).toContain('2 payload elements (<x> at line 2, <y> at line 3)');
  });

  it('rejects a document that is not an envelope, and meta without from or thread', () => {
    using notEnvelope = parseXml('<greeting/>');
    expectCode(() => extractPayload(notEnvelope.doc), 'ORG_ERR_ENVELOPE_INVALID');
    using noMeta = parseXml(envelope('<x/>'));
    expectCode(() => extractPayload(noMeta.doc), 'ORG_ERR_ENVELOPE_INVALID');
    using noThread = parseXml(envelope('<meta><from>a</from></meta><x/>'));
    expect(expectCode(() => extractPayload(noThread.doc), 'ORG_ERR_ENVELOPE_INVALID').message).toContain('<thread>');
  });
});

describe('extractPayload and childNodes around processing instructions', () => {
  it('reads an envelope with processing instructions in <message> and <meta> (libxml2-wasm gives them no next sibling)', () => {
    using parsed = parseXml(
      envelope(`<?a?><meta><?b?><from>user</from><?c?><thread>${THREAD}</thread><?d?></meta><?e?><p xmlns=""><?f?><q/></p><?g?>`),
    );
    validateEnvelope(parsed.doc);
    const parts = extractPayload(parsed.doc);
    expect(parts).toMatchObject({ from: 'user', thread: THREAD, payloadTag: 'p', payloadNs: '' });
    expect(childNodes(parts.payload).map((node) => node.constructor.name)).toEqual(['XmlProcessingInstructionNode', 'XmlElement']);
    expect(canonicalize(parts.payload)).toBe('<p><?f?><q></q></p>');
  });

  it('childNodes lists text, elements, comments and CDATA in order', () => {
    using parsed = parseXml('<r>a<b/><!--c--><![CDATA[d]]></r>');
    expect(childNodes(parsed.doc.root).map((node) => node.constructor.name)).toEqual(['XmlText', 'XmlElement', 'XmlComment', 'XmlCData']);
  });
});

describe('ENVELOPE_XSD', () => {
  it('compiles and has the seed structure: meta(from, to?, thread, ##other*), then one lax ##any payload', () => {
    using schema = libxml2Validator.compile(ENVELOPE_XSD);
    const ok = envelope('<meta><from>a</from><to>b</to><thread>t</thread></meta><anything xmlns="urn:any"><x/></anything>');
    expect(schema.validate({ xml: ok })).toEqual([]);
    expect(ENVELOPE_XSD).toContain(`targetNamespace="${ENVELOPE_NS}"`);
    expect(ENVELOPE_XSD).toContain('<xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="1"/>');
    expect(schema.validate({ xml: envelope('<meta><to>b</to><from>a</from><thread>t</thread></meta>') })).not.toEqual([]);
  });
});
