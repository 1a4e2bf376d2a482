import { describe, expect, it } from '@jest/globals';
import { DEFAULT_XML_LIMITS, canonicalize, parseXml } from '@organism/xml';
import { ParseOption, XmlDocument } from 'libxml2-wasm';
import { expectCode } from './support/expectCode.js';

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>`;

const XXE = `<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<foo>&xxe;</foo>`;

describe('parseXml: well-formed input', () => {
  it('parses strictly and reports no repairs', () => {
    using parsed = parseXml('<a x="1"><b>text</b></a>');
    expect(parsed.repairs).toEqual([]);
    expect(parsed.doc.root.name).toBe('a');
    expect(canonicalize(parsed.doc)).toBe('<a x="1"><b>text</b></a>');
  });

  it('accepts UTF-8 bytes as well as strings', () => {
    using parsed = parseXml(new TextEncoder().encode('<a>héllo ✓</a>'));
    expect(parsed.doc.root.content).toBe('héllo ✓');
  });

  it.each([
    ['ASCII', '<a x="1">text</a>'],
    ['non-ASCII', '<übung a="é">漢字 ñ</übung>'],
    ['surrogate pairs', '<a b="😀">😀𝄞</a>'],
    ['an unpaired high surrogate', '<a>x\uD800y</a>'],
    ['an unpaired low surrogate', '<a>x\uDC00y</a>'],
    ['a byte-order mark', '\uFEFF<a>x</a>'],
    ['a declaration naming another encoding', '<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>'],
    ['malformed text', '<a><b>é</a>'],
  ])('parses a string with %s exactly as libxml2-wasm parses the string itself', (_label, text) => {
    const declared = text.startsWith('<?xml') || text.startsWith('\uFEFF<?xml');
    const encoding = declared ? { encoding: 'utf-8' } : {};
    let expected: { repaired: boolean; canonical: string };
    try {
      using doc = XmlDocument.fromString(text, { option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE, ...encoding });
      expected = { repaired: false, canonical: canonicalize(doc) };
    } catch {
      const recover = ParseOption.XML_PARSE_RECOVER | ParseOption.XML_PARSE_NOERROR | ParseOption.XML_PARSE_NOWARNING | ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_NOENT;
      using doc = XmlDocument.fromString(text, { option: recover, ...encoding });
      expected = { repaired: true, canonical: canonicalize(doc) };
    }
    using parsed = parseXml(text);
    expect({ repaired: parsed.repairs.length > 0, canonical: canonicalize(parsed.doc) }).toEqual(expected);
    // The same text as UTF-8 bytes (a declared encoding would apply to bytes; unpaired surrogates have no UTF-8).
    if (!declared && !/[\uD800-\uDFFF]/.test(text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
      using fromBytes = parseXml(new TextEncoder().encode(text));
      expect({ repaired: fromBytes.repairs.length > 0, canonical: canonicalize(fromBytes.doc) }).toEqual(expected);
    }
  });

  it('reads string input as UTF-8 even when the XML declaration names another encoding', () => {
    using parsed = parseXml('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>');
    expect(parsed.repairs).toEqual([]);
    expect(parsed.doc.root.content).toBe('é');
  });

  it('decodes byte input in the encoding its declaration names', () => {
    const latin1 = Uint8Array.from([
      ...new TextEncoder().encode('<?xml version="1.0" encoding="ISO-8859-1"?><a>'),
      0xe9,
      ...new TextEncoder().encode('</a>'),
    ]);
    using parsed = parseXml(latin1);
    expect(parsed.doc.root.content).toBe('é');
  });

  it('decodes UTF-16 byte input by its byte-order mark', () => {
    const text = '<a>ü</a>';
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) bytes[2 + 2 * i] = text.charCodeAt(i);
    using parsed = parseXml(bytes);
    expect(parsed.doc.root.content).toBe('ü');
  });

  it('refuses byte input in an encoding it cannot decode, asking for UTF-8', () => {
    const error = expectCode(
      () => parseXml(new TextEncoder().encode('<?xml version="1.0" encoding="x-klingon"?><a/>')),
      'ORG_ERR_XML_PARSE',
    );
    expect(error.message).toContain('x-klingon');
    expect(error.message).toContain('UTF-8');
  });
});

describe('parseXml: repairs', () => {
  it('repairs an unclosed tag and records the libxml2 message with its line', () => {
    using parsed = parseXml('<a>\n<b>text\n</a>');
    expect(parsed.repairs.length).toBeGreaterThan(0);
    expect(parsed.repairs[0]).toMatch(/^line 3, column \d+: Opening and ending tag mismatch: b line 2 and a$/);
    expect(canonicalize(parsed.doc)).toBe('<a>\n<b>text\n</b></a>');
  });

  it("recovers '<not valid xml' into an implausible root that is left for the envelope validator", () => {
    using parsed = parseXml('<not valid xml');
    expect(parsed.doc.root.name).toBe('not');
    expect(parsed.repairs.join('\n')).toContain('Specification mandates value for attribute valid');
  });

  it('recovers an undefined entity into a document that still canonicalizes', () => {
    using parsed = parseXml('<a>x &nbsp; y</a>');
    expect(parsed.repairs.join('\n')).toContain("Entity 'nbsp' not defined");
    expect(canonicalize(parsed.doc)).toBe('<a>x  y</a>');
  });

  it('records an undeclared namespace prefix as a repair', () => {
    using parsed = parseXml('<p:a>1</p:a>');
    expect(parsed.repairs.join('\n')).toContain('Namespace prefix p on a is not defined');
  });

  it('rejects input that has no element at all as ORG_ERR_XML_PARSE with the libxml2 messages as details', () => {
    for (const input of ['', 'just some prose', '   ']) {
      const error = expectCode(() => parseXml(input), 'ORG_ERR_XML_PARSE');
      expect(error.details?.length).toBeGreaterThan(0);
      expect(error.message).toMatch(/^line 1(, column \d+)?: /);
      expect(error.message).toContain('one root element');
    }
  });

  it('rejects a repaired tree that nests deeper than maxDepth even when the pre-scan could not see it', () => {
    // The pre-scan skips a bogus '<![x[' section up to ']]>' as if it were CDATA; recovery parses the tags in it.
    const input = '<r><![x[' + '<a>'.repeat(20) + ']]></r>';
    const error = expectCode(() => parseXml(input, { maxDepth: 10 }), 'ORG_ERR_XML_TOO_DEEP');
    expect(error.message).toContain('limit of 10');
    expect(error.details?.length).toBeGreaterThan(0);
  });
});

describe('parseXml: hostile input', () => {
  it('rejects a billion-laughs document before parsing, without expanding anything', () => {
    const started = performance.now();
    const error = expectCode(() => parseXml(BILLION_LAUGHS), 'ORG_ERR_XML_DTD');
    expect(performance.now() - started).toBeLessThan(500);
    expect(error.message).toMatch(/^line 2: /);
    expect(error.message).toContain('<!DOCTYPE');
  });

  it('rejects an external-entity (XXE) document', () => {
    const error = expectCode(() => parseXml(XXE), 'ORG_ERR_XML_DTD');
    expect(error.message).not.toContain('root:'); // /etc/passwd was never read
  });

  it('rejects entity declarations wherever they appear, lower case and inside comments included', () => {
    for (const input of [
      '<a><!ENTITY x "y"></a>',
      '<!doctype a><a/>',
      '<a><!-- <!DOCTYPE a> --></a>',
      new TextEncoder().encode('<!DOCTYPE a><a/>'),
    ]) {
      expectCode(() => parseXml(input), 'ORG_ERR_XML_DTD');
    }
  });

  it('finds a DOCTYPE hidden in UTF-16 bytes', () => {
    const text = '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>';
    const bytes = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) bytes[2 * i + 1] = text.charCodeAt(i); // UTF-16BE, no BOM
    expectCode(() => parseXml(bytes), 'ORG_ERR_XML_DTD');
  });

  it('rejects input above maxBytes, measured as UTF-8, before parsing', () => {
    const ascii = `<a>${'x'.repeat(100)}</a>`; // 107 bytes
    using fits = parseXml(ascii, { maxBytes: 107 });
    expect(fits.repairs).toEqual([]);
    expectCode(() => parseXml(ascii, { maxBytes: 106 }), 'ORG_ERR_XML_TOO_LARGE');

    const multibyte = `<a>${'é'.repeat(50)}</a>`; // 57 characters, 107 bytes
    expect(multibyte.length).toBeLessThan(100);
    const error = expectCode(() => parseXml(multibyte, { maxBytes: 100 }), 'ORG_ERR_XML_TOO_LARGE');
    expect(error.message).toContain('107 bytes');
    expect(error.message).toContain('limits.maxBytes');

    expectCode(() => parseXml(new Uint8Array(DEFAULT_XML_LIMITS.maxBytes + 1)), 'ORG_ERR_XML_TOO_LARGE');
  });

  it('rejects a huge string without encoding it first', () => {
    const huge = '<a>' + 'x'.repeat(DEFAULT_XML_LIMITS.maxBytes) + '</a>';
    const error = expectCode(() => parseXml(huge), 'ORG_ERR_XML_TOO_LARGE');
    expect(error.message).toContain('at least');
  });

  it('rejects nesting deeper than maxDepth with the line of the offending element', () => {
    const deep = (n: number): string => '<a>\n'.repeat(n) + '</a>'.repeat(n);
    using ok = parseXml(deep(64));
    expect(ok.repairs).toEqual([]);
    const error = expectCode(() => parseXml(deep(65)), 'ORG_ERR_XML_TOO_DEEP');
    expect(error.message).toMatch(/^line 65: elements are nested 65 deep, above the limit of 64/);
    expectCode(() => parseXml(deep(6), { maxDepth: 5 }), 'ORG_ERR_XML_TOO_DEEP');
  });

  it('does not count comments, CDATA, processing instructions or quoted markup towards depth', () => {
    const input =
      '<a t="<b><c>" u=\'/>\'><!-- <x><y><z> --><![CDATA[<p><q><r>]]><?pi <s><t>?><b/><b></b></a>';
    using parsed = parseXml(input, { maxDepth: 2 });
    expect(parsed.repairs.length).toBeGreaterThan(0); // '<' in an attribute value is repaired
    expect(() => parseXml('<a><b/><!-- <c> --></a>', { maxDepth: 2 }).dispose()).not.toThrow();
    expectCode(() => parseXml('<a><b><c/></b></a>', { maxDepth: 2 }), 'ORG_ERR_XML_TOO_DEEP');
  });

  it('scans deep, long inputs in linear time', () => {
    const input = '<a>' + '<b t="&quot;>">text &amp; more</b><!-- c -->'.repeat(20000) + '</a>';
    const started = performance.now();
    using parsed = parseXml(input);
    expect(parsed.repairs).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses limits that are not positive integers', () => {
    expectCode(() => parseXml('<a/>', { maxDepth: 0 }), 'ORG_ERR_CONFIG');
    expectCode(() => parseXml('<a/>', { maxBytes: Number.NaN }), 'ORG_ERR_CONFIG');
  });
});

describe('parseXml: disposal', () => {
  it('dispose is idempotent and the document cannot be read afterwards', () => {
    const parsed = parseXml('<a/>');
    parsed.dispose();
    parsed.dispose();
    parsed[Symbol.dispose]();
    expectCode(() => parsed.doc, 'ORG_ERR_CLOSED');
  });
});
