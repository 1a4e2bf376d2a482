import { describe, expect, it } from '@jest/globals';
import { buildEnvelope, canonicalize, extractPayload, parseXml, type XmlElement } from '@organism/xml';
import { XmlC14NMode } from 'libxml2-wasm';
import { METAS, PAYLOADS } from './canonicalCorpus.js';

describe('canonicalize (exclusive c14n 1.0)', () => {
  it('drops namespace declarations that are not visibly used and sorts attributes', () => {
    using parsed = parseXml(
      '<?xml version="1.0"?>\n<r xmlns:unused="urn:unused" xmlns:p="urn:p" z="1" a="2" p:m="3"><p:x/></r>',
    );
    expect(canonicalize(parsed.doc)).toBe('<r xmlns:p="urn:p" a="2" z="1" p:m="3"><p:x></p:x></r>');
  });

  it('drops comments and the XML declaration, expands empty elements and normalizes attribute quoting', () => {
    using parsed = parseXml("<?xml version='1.0'?><!-- hi --><r a='x'><!-- c --><e/><t>a&amp;b &#65;</t></r>");
    expect(canonicalize(parsed.doc)).toBe('<r a="x"><e></e><t>a&amp;b A</t></r>');
  });

  it('canonicalizes an element subtree with the declarations it inherits and needs, and only those', () => {
    using parsed = parseXml(
      '<m xmlns="urn:env" xmlns:q="urn:q" xmlns:p="urn:p"><meta/><p:pay b="2" a="1"><p:v>1</p:v></p:pay></m>',
    );
    const payload = parsed.doc.root.lastChild as XmlElement;
    expect(canonicalize(payload)).toBe('<p:pay xmlns:p="urn:p" a="1" b="2"><p:v>1</p:v></p:pay>');
  });

  it('emits xmlns="" for a no-namespace payload only where it is needed', () => {
    using parsed = parseXml('<m xmlns="urn:env"><g xmlns=""><n>1</n></g></m>');
    expect(canonicalize(parsed.doc)).toBe('<m xmlns="urn:env"><g xmlns=""><n>1</n></g></m>');
    expect(canonicalize(parsed.doc.root.firstChild as XmlElement)).toBe('<g><n>1</n></g>');
  });

  it('gives the same output for documents that differ only in insignificant syntax', () => {
    using a = parseXml('<r  b="1"\n a="2"/>');
    using b = parseXml("<r a='2' b='1'></r>");
    expect(canonicalize(a.doc)).toBe(canonicalize(b.doc));
  });

  it.each(PAYLOADS)('canonicalizes a payload element (%s) exactly as the library subtree helper does', (_label, xml) => {
    for (const envelope of [buildEnvelope(METAS[0]!, xml), `<r xmlns="urn:r" xmlns:p="urn:other"><x/>${xml}<!-- c --><y/></r>`]) {
      using parsed = parseXml(envelope);
      const element = envelope.startsWith('<r') ? (parsed.doc.root.find('*')[1] as XmlElement) : extractPayload(parsed.doc).payload;
      expect(canonicalize(element)).toBe(element.canonicalizeToString({ mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0, withComments: false }));
    }
  });
});
