import { describe, expect, it } from '@jest/globals';
import {
  ENVELOPE_NS,
  buildEnvelope,
  canonicalize,
  extractPayload,
  parseXml,
  payloadFromCanonical,
  validateEnvelope,
} from '@organism/xml';
import { METAS, PAYLOADS } from './canonicalCorpus.js';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const META = '<meta><from>a</from><thread>t</thread></meta>';

/** Envelope layouts a payload may arrive in; each builds the envelope text around a payload. */
const WRAPPERS: readonly (readonly [label: string, wrap: (payload: string) => string])[] = [
  ['buildEnvelope', (p) => buildEnvelope(METAS[0]!, p)],
  ['buildEnvelope without <to>, odd meta', (p) => buildEnvelope(METAS[3]!, p)],
  // Raw insertion: an unprefixed payload falls into the envelope namespace, which the subtree form declares.
  ['pretty-printed, with processing instructions', (p) => `<?before?>\n<message xmlns="${ENVELOPE_NS}">\n  ${META}\n  <?between x?>\n  ${p}\n</message>\n<?after?>`],
  ['prefixed envelope root', (p) => `<env:message xmlns:env="${ENVELOPE_NS}"><env:meta><env:from>a</env:from><env:thread>t</env:thread></env:meta>${p}</env:message>`],
  ['xsi attribute on the root', (p) => `<message xmlns="${ENVELOPE_NS}" xmlns:xsi="${XSI}" xsi:schemaLocation="${ENVELOPE_NS} e.xsd">${META}${p}</message>`],
  [
    'meta extension holding <meta>',
    (p) =>
      `<message xmlns="${ENVELOPE_NS}"><meta><from>a</from><thread>t</thread><x:ext xmlns:x="urn:x" a="&lt;/meta&gt;"><meta>1</meta>` +
      `<x:meta><meta/></x:meta>&lt;/meta&gt;</x:ext></meta>${p}</message>`,
  ],
];

/** The envelope's canonical text, and the subtree canonicalization of its payload element. */
function canonicalForms(envelope: string): { doc: string; payload: string } {
  using parsed = parseXml(envelope);
  expect(parsed.repairs).toEqual([]);
  validateEnvelope(parsed.doc);
  return { doc: canonicalize(parsed.doc), payload: canonicalize(extractPayload(parsed.doc).payload) };
}

describe('payloadFromCanonical', () => {
  const cases = WRAPPERS.flatMap(([wrapper, wrap]) => PAYLOADS.map(([payload, xml]) => [wrapper, payload, wrap(xml)] as const));

  it.each(cases)('%s, %s: equals canonicalize(payload element)', (_wrapper, _payload, envelope) => {
    const { doc, payload } = canonicalForms(envelope);
    expect(payloadFromCanonical(doc)).toBe(payload);
  });

  it('slices the payload out of a typical envelope, without the xmlns="" C14N puts on it', () => {
    const doc = canonicalForms(buildEnvelope(METAS[0]!, '<greeting><name>World</name></greeting>')).doc;
    expect(doc).toContain('<greeting xmlns="">');
    expect(payloadFromCanonical(doc)).toBe('<greeting><name>World</name></greeting>');
  });

  it('moves xmlns="" down to the unprefixed children of a prefixed root', () => {
    const { doc, payload } = canonicalForms(buildEnvelope(METAS[1]!, '<p:calc xmlns:p="urn:p"><x>1</x><p:y><z/></p:y></p:calc>'));
    expect(doc).toContain('<p:calc xmlns:p="urn:p"><x xmlns="">1</x><p:y><z xmlns=""></z></p:y></p:calc>');
    expect(payloadFromCanonical(doc)).toBe('<p:calc xmlns:p="urn:p"><x>1</x><p:y><z></z></p:y></p:calc>');
    expect(payload).toBe('<p:calc xmlns:p="urn:p"><x>1</x><p:y><z></z></p:y></p:calc>');
  });

  it('declares the envelope namespace on payload elements that inherit it, as the subtree form does', () => {
    const envelope = `<message xmlns="${ENVELOPE_NS}">${META}<p:g xmlns:p="urn:p"><x/><p:y><z/></p:y></p:g></message>`;
    const { doc, payload } = canonicalForms(envelope);
    expect(payload).toBe(`<p:g xmlns:p="urn:p"><x xmlns="${ENVELOPE_NS}"></x><p:y><z xmlns="${ENVELOPE_NS}"></z></p:y></p:g>`);
    expect(payloadFromCanonical(doc)).toBe(payload);
  });

  it.each([
    ['the payload uses the prefix the envelope root declares', `<env:message xmlns:env="${ENVELOPE_NS}"><env:meta><env:from>a</env:from><env:thread>t</env:thread></env:meta><env:g><n/></env:g></env:message>`],
    ['the payload uses xsi: that the envelope root declares', `<message xmlns="${ENVELOPE_NS}" xmlns:xsi="${XSI}" xsi:schemaLocation="a b">${META}<g xmlns="" xsi:nil="false"><n>1</n></g></message>`],
    ['a processing instruction follows the payload', `<message xmlns="${ENVELOPE_NS}">${META}<g xmlns=""/><?pi?></message>`],
  ])('returns undefined (canonicalize the element instead) when %s', (_label, envelope) => {
    const { doc, payload } = canonicalForms(envelope);
    expect(payloadFromCanonical(doc)).toBeUndefined();
    expect(payload).not.toBe('');
  });

  it('returns undefined for text that is not a canonical envelope, and never throws', () => {
    for (const text of ['', 'x', '<', '<message', '<message>', '<message><meta></meta></message>', '<a b="1><c/>', '<?pi', '<m><meta><x></meta>']) {
      expect(payloadFromCanonical(text)).toBeUndefined();
    }
    const doc = canonicalForms(buildEnvelope(METAS[2]!, PAYLOADS[4]![1])).doc;
    for (let cut = 0; cut < doc.length; cut++) {
      expect(() => payloadFromCanonical(doc.slice(0, cut))).not.toThrow();
      expect(() => payloadFromCanonical(doc.slice(cut))).not.toThrow();
    }
  });
});
