import { describe, expect, it } from '@jest/globals';
import {
  ENVELOPE_NS,
  OrganismError,
  buildEnvelope,
  canonicalize,
  extractPayload,
  parseXml,
  payloadFromCanonical,
  validateEnvelope,
  type XmlElement,
} from '@organism/xml';
import { METAS, PAYLOADS } from './canonicalCorpus.js';

const HEAD = `<message xmlns="${ENVELOPE_NS}"><meta>`;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof OrganismError) return error.code;
    throw error;
  }
  return 'nothing thrown';
}

describe('buildEnvelope', () => {
  it('escapes meta text so <from>a&b</from> and friends survive a roundtrip', () => {
    const xml = buildEnvelope({ from: 'a&b', to: '<script>', thread: 'x]]>y' }, '<p/>');
    expect(xml).toBe(
      `${HEAD}<from>a&amp;b</from><to>&lt;script&gt;</to><thread>x]]&gt;y</thread></meta><p xmlns=""/></message>`,
    );
    using parsed = parseXml(xml);
    expect(parsed.repairs).toEqual([]);
    validateEnvelope(parsed.doc);
    expect(extractPayload(parsed.doc)).toMatchObject({ from: 'a&b', to: '<script>', thread: 'x]]>y' });
  });

  it('omits <to> when there is none', () => {
    expect(buildEnvelope({ from: 'a', thread: 't' }, '<p/>')).toBe(
      `${HEAD}<from>a</from><thread>t</thread></meta><p xmlns=""/></message>`,
    );
  });

  it('inserts xmlns="" into a no-namespace payload root so it stays out of the envelope namespace', () => {
    const xml = buildEnvelope({ from: 'a', thread: 't' }, '<greeting lang="en"><name>World</name></greeting>');
    expect(xml).toContain('<greeting xmlns="" lang="en"><name>World</name></greeting>');
    using parsed = parseXml(xml);
    const { payload, payloadNs } = extractPayload(parsed.doc);
    expect(payloadNs).toBe('');
    expect((payload.firstChild as XmlElement).namespaceUri ?? '').toBe('');
  });

  it('leaves a payload that declares its own default namespace alone', () => {
    const xml = buildEnvelope({ from: 'a', thread: 't' }, '<g xmlns="urn:g"><n/></g>');
    expect(xml).toContain('<g xmlns="urn:g"><n/></g>');
    const spaced = buildEnvelope({ from: 'a', thread: 't' }, '<g a="xmlns=" xmlns = \'urn:g\'/>');
    expect(spaced).toContain('<g a="xmlns=" xmlns = \'urn:g\'/>');
  });

  it('keeps unprefixed children of a prefixed payload root out of the envelope namespace', () => {
    const xml = buildEnvelope({ from: 'a', thread: 't' }, '<p:calc xmlns:p="urn:p"><x>1</x></p:calc>');
    expect(xml).toContain('<p:calc xmlns:p="urn:p"><x xmlns="">1</x></p:calc>');
    using parsed = parseXml(xml);
    const { payload, payloadNs } = extractPayload(parsed.doc);
    expect(payloadNs).toBe('urn:p');
    expect((payload.firstChild as XmlElement).namespaceUri ?? '').toBe('');
    expect(canonicalize(payload)).toBe('<p:calc xmlns:p="urn:p"><x>1</x></p:calc>');
  });

  it("drops the payload's XML declaration, leading comments and whitespace", () => {
    const xml = buildEnvelope({ from: 'a', thread: 't' }, '\uFEFF<?xml version="1.0"?>\n<!-- c -->\n<p>1</p>');
    expect(xml).toBe(`${HEAD}<from>a</from><thread>t</thread></meta><p xmlns="">1</p></message>`);
  });

  it('refuses a payload that is not an element, or that carries a DOCTYPE', () => {
    expect(codeOf(() => buildEnvelope({ from: 'a', thread: 't' }, 'just text'))).toBe('ORG_ERR_ENVELOPE_PAYLOAD');
    expect(codeOf(() => buildEnvelope({ from: 'a', thread: 't' }, ''))).toBe('ORG_ERR_ENVELOPE_PAYLOAD');
    expect(codeOf(() => buildEnvelope({ from: 'a', thread: 't' }, '<!DOCTYPE p><p/>'))).toBe('ORG_ERR_XML_DTD');
  });

  it('drops a redundant declaration of the envelope namespace on the payload root', () => {
    const xml = buildEnvelope({ from: 'a', thread: 't' }, `<g xmlns="${ENVELOPE_NS}"><n/></g>`);
    expect(xml).toContain('</meta><g><n/></g></message>');
    using parsed = parseXml(xml);
    expect(extractPayload(parsed.doc).payloadNs).toBe(ENVELOPE_NS);
  });
});

/** Exclusive C14N of a payload written on its own (no prolog in the corpus): what canonicalize(element) gives. */
function canonicalPayload(xml: string): string {
  using parsed = parseXml(xml);
  expect(parsed.repairs).toEqual([]);
  return canonicalize(parsed.doc);
}

describe('buildEnvelope around a canonical payload', () => {
  const cases = PAYLOADS.flatMap(([label, xml]) => METAS.map((meta, i) => [label, i, meta, xml] as const));

  it.each(cases)('%s, meta %i: is canonical, and gives the payload back', (_label, _i, meta, xml) => {
    const payload = canonicalPayload(xml);
    const envelope = buildEnvelope(meta, payload);
    using parsed = parseXml(envelope);
    expect(parsed.repairs).toEqual([]);
    validateEnvelope(parsed.doc);
    expect(canonicalize(parsed.doc)).toBe(envelope);
    expect(payloadFromCanonical(envelope)).toBe(payload);
    expect(canonicalize(extractPayload(parsed.doc).payload)).toBe(payload);
  });

  it.each(PAYLOADS)('%s: a non-canonical payload keeps every namespace', (_label, xml) => {
    using parsed = parseXml(buildEnvelope(METAS[0]!, xml));
    expect(parsed.repairs).toEqual([]);
    expect(canonicalize(extractPayload(parsed.doc).payload)).toBe(canonicalPayload(xml));
  });

  it('meta text is escaped as C14N escapes it', () => {
    const envelope = buildEnvelope({ from: 'a&b<c>d', to: 'cr\r', thread: ' "q" \'s\' \t\n' }, '<p></p>');
    expect(envelope).toBe(
      `${HEAD}<from>a&amp;b&lt;c&gt;d</from><to>cr&#xD;</to><thread> "q" 's' \t\n</thread></meta><p xmlns=""></p></message>`,
    );
    using parsed = parseXml(envelope);
    expect(canonicalize(parsed.doc)).toBe(envelope);
  });

  it("cannot be canonical when a namespace name holds '&': libxml2's C14N writes it unescaped", () => {
    const payload = canonicalPayload('<p:a xmlns:p="urn:a&amp;b"/>');
    expect(payload).toBe('<p:a xmlns:p="urn:a&b"></p:a>'); // not well-formed XML any more
    using parsed = parseXml(buildEnvelope(METAS[0]!, payload));
    expect(parsed.repairs).not.toEqual([]);
  });
});
