import { describe, expect, it } from '@jest/globals';
import { ENVELOPE_NS, canonicalize, envelopeFromCanonical, extractPayload, parseXml, validateEnvelope } from '../src/index.js';

const T = '3f1c2a4b-1234-4abc-8def-0123456789ab';
const env = (inner: string, root = `<message xmlns="${ENVELOPE_NS}">`, close = '</message>') => `${root}${inner}${close}`;

/** Envelopes that pass the envelope XSD, and whether the canonical reader is expected to read them. */
const CASES: ReadonlyArray<readonly [string, string, boolean]> = [
  ['plain', env(`<meta><from>user</from><thread>${T}</thread></meta><greeting xmlns=""><name>World</name></greeting>`), true],
  ['with <to>', env(`<meta><from>user</from><to>greeter</to><thread>${T}</thread></meta><greeting xmlns=""><name>W</name></greeting>`), true],
  ['escaped meta text', env(`<meta><from> a&amp;b &lt;c&gt; </from><to>x&#13;y</to><thread>${T}</thread></meta><p xmlns=""/>`), true],
  ['CDATA and comments', env(`<meta><from><![CDATA[u<1>]]></from><!-- c --><thread> ${T} </thread></meta><p xmlns=""><!-- x --><a>1</a></p>`), true],
  ['namespaced payload', env(`<meta><from>user</from><thread>${T}</thread></meta><q xmlns="urn:q" a="1"><r/></q>`), true],
  ['attributes and nesting', env(`<meta><from>user</from><thread>${T}</thread></meta><p xmlns="" z="2" a="1"><c><d>t &amp; u</d></c></p>`), true],
  ['empty from', env(`<meta><from></from><thread>${T}</thread></meta><p xmlns=""/>`), true],
  ['prefixed envelope', `<e:message xmlns:e="${ENVELOPE_NS}"><e:meta><e:from>user</e:from><e:thread>${T}</e:thread></e:meta><p><a>1</a></p></e:message>`, false],
  ['meta extension', env(`<meta><from>user</from><thread>${T}</thread><x:prio xmlns:x="urn:x">1</x:prio></meta><p xmlns=""/>`), false],
  ['prefixed payload', env(`<meta><from>user</from><thread>${T}</thread></meta><y:p xmlns:y="urn:y"><y:a>1</y:a></y:p>`), false],
  ['payload in the envelope namespace', env(`<meta><from>user</from><thread>${T}</thread></meta><p><a>1</a></p>`), false],
  ['whitespace between elements', env(`\n  <meta>\n <from>user</from>\n <thread>${T}</thread>\n</meta>\n  <p xmlns=""><a>1</a></p>\n`), true],
  ['carriage returns between elements', env(`\r\n<meta>\r\n<from>user</from><thread>${T}</thread></meta>\r\n<p xmlns=""/>\r\n`), true],
  ['XML declaration and PI', `<?xml version="1.0"?><?pi x?>${env(`<meta><from>user</from><thread>${T}</thread></meta><p xmlns=""/>`)}`, false],
];

describe('envelopeFromCanonical', () => {
  it.each(CASES)('%s: reads exactly what the document walk reads, or leaves it to the walk', (_name, xml, readable) => {
    using parsed = parseXml(xml);
    validateEnvelope(parsed.doc);
    const canonical = canonicalize(parsed.doc);
    const read = envelopeFromCanonical(canonical);
    if (!readable) {
      expect(read).toBeUndefined();
      return;
    }
    const walked = extractPayload(parsed.doc);
    expect(read).toEqual({
      from: walked.from,
      ...(walked.to !== undefined ? { to: walked.to } : {}),
      thread: walked.thread,
      payloadTag: walked.payloadTag,
      payloadNs: walked.payloadNs,
      payloadXml: canonicalize(walked.payload),
    });
  });

  it('never reads text that is not a canonical envelope', () => {
    for (const text of ['', '<message/>', `<message xmlns="${ENVELOPE_NS}"><meta><from>a`, `<message xmlns="${ENVELOPE_NS}"><meta><from>a</from><thread>t</thread></meta>`, `<message xmlns="${ENVELOPE_NS}"><meta><from>a &bogus; b</from><thread>t</thread></meta><p xmlns=""></p></message>`]) {
      expect(envelopeFromCanonical(text)).toBeUndefined();
    }
  });
});

describe('envelopeFromCanonical: what it returns does not keep the envelope alive', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  (gc ? it : it.skip)('meta fields kept after the envelope text is dropped cost their own size, not the envelope’s', () => {
    const used = () => {
      gc!();
      gc!();
      return process.memoryUsage().heapUsed;
    };
    const padding = 'x'.repeat(20_000);
    const kept: string[] = [];
    const before = used();
    for (let i = 0; i < 1000; i++) {
      // A fresh flat string per envelope (no shared parts), as a parser hands it over.
      const canonical = JSON.parse(
        JSON.stringify(
          `<message xmlns="${ENVELOPE_NS}"><meta><from>a-sender-with-a-long-name</from><to>a-listener-with-a-long-name</to><thread>${T}</thread></meta><p xmlns=""><a>${padding}${i}</a></p></message>`,
        ),
      ) as string;
      const read = envelopeFromCanonical(canonical)!;
      kept.push(read.thread, read.from, read.to!);
    }
    const perEnvelope = (used() - before) / 1000;
    expect(kept).toHaveLength(3000);
    expect(kept[0]).toBe(T);
    // 20 KB envelopes: views into them would cost that much each; copies cost a few hundred bytes.
    expect(perEnvelope).toBeLessThan(2_000);
  });
});
