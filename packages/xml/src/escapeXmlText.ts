// Characters XML 1.0 cannot carry at all (not even as character references): C0 controls other than
// tab/LF/CR, U+FFFE/U+FFFF and unpaired surrogates. They become U+FFFD. Single-unit alternatives and
// fixed-width lookarounds only: linear, no backtracking.
const ILLEGAL =
  '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const TEXT_SPECIAL = new RegExp(`[&<>\\r]|${ILLEGAL}`, 'g');
const ATTRIBUTE_SPECIAL = new RegExp(`[&<>"\\t\\n\\r]|${ILLEGAL}`, 'g');

const REPLACEMENTS: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

/**
 * True when `s` needs neither escaping nor checking: no markup character (`&`, `<`, `>`), no control
 * character, no surrogate or U+FFFE/U+FFFF (the common case, decided without a regular expression).
 *
 * @example
 * ```ts
 * isPlainXmlText('Hello, World!'); // true
 * isPlainXmlText('a < b'); // false
 * ```
 */
export function isPlainXmlText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x26 || c === 0x3c || c === 0x3e || c >= 0xd800) return false;
  }
  return true;
}

function replace(ch: string): string {
  return REPLACEMENTS[ch] ?? '\uFFFD';
}

/**
 * Escapes a string for use as XML character data: `&`, `<`, `>` and CR (kept as `&#xD;` so a parser does
 * not normalize it away). Characters XML 1.0 cannot represent at all (most C0 controls, U+FFFE, U+FFFF,
 * unpaired surrogates) are replaced by U+FFFD.
 *
 * @example
 * ```ts
 * escapeXmlText('a & b < c'); // 'a &amp; b &lt; c'
 * ```
 */
export function escapeXmlText(s: string): string {
  if (isPlainXmlText(s)) return s;
  TEXT_SPECIAL.lastIndex = 0;
  if (!TEXT_SPECIAL.test(s)) return s;
  TEXT_SPECIAL.lastIndex = 0;
  return s.replace(TEXT_SPECIAL, replace);
}

/**
 * Escapes a string for use inside a double-quoted attribute value: like {@link escapeXmlText}, plus `"`
 * and tab/LF/CR as character references so attribute-value normalization does not turn them into spaces.
 *
 * @example
 * ```ts
 * `<a title="${escapeXmlAttribute('say "hi"')}"/>`; // <a title="say &quot;hi&quot;"/>
 * ```
 */
export function escapeXmlAttribute(s: string): string {
  ATTRIBUTE_SPECIAL.lastIndex = 0;
  if (!ATTRIBUTE_SPECIAL.test(s)) return s;
  ATTRIBUTE_SPECIAL.lastIndex = 0;
  return s.replace(ATTRIBUTE_SPECIAL, replace);
}
