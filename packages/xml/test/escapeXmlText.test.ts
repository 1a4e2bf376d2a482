import { describe, expect, it } from '@jest/globals';
import { escapeXmlAttribute, escapeXmlText, parseXml } from '@organism/xml';

describe('escapeXmlText', () => {
  it('escapes &, <, > and CR and returns other strings unchanged', () => {
    expect(escapeXmlText('a&b <c> ]]> \r\n')).toBe('a&amp;b &lt;c&gt; ]]&gt; &#xD;\n');
    const plain = 'plain text, "quotes" and \'apostrophes\' stay';
    expect(escapeXmlText(plain)).toBe(plain);
  });

  it('replaces characters XML cannot carry with U+FFFD', () => {
    expect(escapeXmlText('a\u0000b\u0008c\uFFFFd\uD800e')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe');
    expect(escapeXmlText('emoji 😀 survives')).toBe('emoji 😀 survives');
  });

  it('produces text that parses back to the original', () => {
    const original = 'x < y && y > z\r\n\ttabbed';
    using parsed = parseXml(`<t>${escapeXmlText(original)}</t>`);
    expect(parsed.doc.root.content).toBe(original);
  });

  it('is linear on long inputs', () => {
    const long = '&<'.repeat(500_000);
    const started = performance.now();
    expect(escapeXmlText(long).length).toBe(500_000 * 9);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('escapeXmlAttribute', () => {
  it('also escapes double quotes and keeps whitespace characters from being normalized', () => {
    const original = 'say "hi" & <go>\n\ttab\r';
    expect(escapeXmlAttribute(original)).toBe('say &quot;hi&quot; &amp; &lt;go&gt;&#xA;&#x9;tab&#xD;');
    using parsed = parseXml(`<t a="${escapeXmlAttribute(original)}"/>`);
    expect(parsed.doc.root.attr('a')?.value).toBe(original);
  });
});
