import { describe, expect, it } from '@jest/globals';
import { libxml2Validator } from '@organism/xml';
import { parseSimpleRegex } from '../src/simpleRegex.js';

/** libxml2's verdict on `text` against an xs:pattern. */
function xsdAccepts(pattern: string, text: string): boolean {
  const attr = pattern.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const xsd = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="v"><xs:simpleType>
    <xs:restriction base="xs:string"><xs:pattern value="${attr}"/></xs:restriction></xs:simpleType></xs:element></xs:schema>`;
  const schema = libxml2Validator.compile(xsd);
  try {
    const body = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\r/g, '&#xD;');
    return (schema.validate({ xml: `<v>${body}</v>` }) as readonly unknown[]).length === 0;
  } finally {
    schema.dispose();
  }
}

describe('parseSimpleRegex', () => {
  it.each([
    [/^[A-Z]{2}-\d{3}$/, '[A-Z]{2}-[0-9]{3}', ['AB-123'], ['ab-123', 'AB-12', 'AB-1234', 'AB-١٢٣']],
    [/^\w+$/, '[A-Za-z0-9_]+', ['a_1'], ['a-1', 'é', '']],
    [/^(?:ab|cd)*x?$/, '(ab|cd)*x?', ['', 'abcdx', 'cd'], ['abc', 'xx']],
    [/^a.b$/, 'a.b', ['a-b'], ['a\nb', 'ab']],
    [/^[^0-9\-]{1,3}$/, '[^0-9\\-]{1,3}', ['abc', '^'], ['a1', '-', 'abcd']],
    [/^\.\*\+\?\(\)\[\]\{\}\|\\\/\^\$$/, '\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\\\/^$', ['.*+?()[]{}|\\/^$'], ['x']],
    [/^[a\-z]$/, '[a\\-z]', ['-', 'a', 'z'], ['b']],
    [/^\t\n?$/, '\\t\\n?', ['\t', '\t\n'], [' ']],
    [/^[😀-😂]+$/u, '[😀-😂]+', ['😁😀'], ['😃']],
  ])('%s -> %s, agreeing with JavaScript on samples', (re, xsd, accepted, rejected) => {
    const parsed = parseSimpleRegex(re);
    expect(parsed?.xsdPattern).toBe(xsd);
    for (const text of [...accepted, ...rejected]) {
      expect([text, re.test(text)]).toEqual([text, accepted.includes(text)]);
      expect([text, xsdAccepts(parsed!.xsdPattern, text)]).toEqual([text, accepted.includes(text)]);
    }
    expect(re.test(parsed!.sample())).toBe(true);
  });

  it.each([
    [/abc/, 'not anchored'],
    [/^abc/, 'not anchored at the end'],
    [/^a|b$/, 'anchors apply to separate branches'],
    [/^abc$/i, 'flags'],
    [/^abc$/m, 'flags'],
    [/^\s+$/, '\\s differs'],
    [/^\bx$/, 'word boundary'],
    [/^(a)\1$/, 'backreference'],
    [/^(?=a)a$/, 'lookahead'],
    [/^(?<n>a)$/, 'named group'],
    [/^a+?$/, 'lazy quantifier'],
    [/^\p{L}$/u, 'property escape'],
    [/^\x41$/, 'hex escape'],
    [/^[^]$/, 'empty negated class'],
    [/^😀+$/, 'astral character without the u flag'],
    [/^a{2,1000000000}$/, 'huge quantifier'],
  ])('%s is not translated (%s)', (re) => {
    expect(parseSimpleRegex(re)).toBeUndefined();
  });
});
