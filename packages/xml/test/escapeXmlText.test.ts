import { describe, expect, it } from '@jest/globals';
import { escapeXmlAttribute, escapeXmlText, isPlainXmlText, parseXml } from '@organism/xml';

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
    // Compare 10x the input against 1x (best of 3 each): linear is ~10x the time, quadratic ~100x.
    // A ratio, not a wall-clock bound, so a loaded CI machine does not make it flaky.
    const time = (n: number) => {
      const input = '&<'.repeat(n);
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        expect(escapeXmlText(input).length).toBe(n * 9);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    time(10_000); // warm up
    const small = time(50_000);
    const large = time(500_000);
    expect(large / Math.max(small, 0.05)).toBeLessThan(40);
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

describe('isPlainXmlText', () => {
  it('is true exactly when escaping changes nothing and no character needs a check', () => {
    for (const plain of ['', 'Hello, World 7!', 'quotes " and \' stay', 'é ñ 中文 (BMP)']) {
      expect(isPlainXmlText(plain)).toBe(true);
      expect(escapeXmlText(plain)).toBe(plain);
    }
    for (const special of ['a & b', 'a < b', 'a > b', 'cr\r', 'tab\t', 'nl\n', '\u0001', '😀', '\uFFFE', '\uD800']) {
      expect(isPlainXmlText(special)).toBe(false);
    }
    // The slow path still handles what the fast check hands it.
    expect(escapeXmlText('tab\tand\nnew line')).toBe('tab\tand\nnew line');
    expect(escapeXmlText('x < 😀 & \u0001')).toBe('x &lt; 😀 &amp; \uFFFD');
  });
});
