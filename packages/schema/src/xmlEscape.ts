// Characters XML 1.0 cannot carry at all, even escaped (controls, lone surrogates, U+FFFE/U+FFFF).
const INVALID_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * Escapes `s` for element text (`context: 'text'`) or a double-quoted attribute value.
 * `\r` (and in attributes `\n` and `\t`) become character references so that parsing gives them back
 * unchanged instead of normalizing them. Call {@link invalidXmlChar} first: this does not check.
 *
 * @example
 * xmlEscape('a < b & "c"', 'attribute'); // 'a &lt; b &amp; &quot;c&quot;'
 */
export function xmlEscape(s: string, context: 'text' | 'attribute'): string {
  const out = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
  return context === 'text' ? out : out.replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

/**
 * The first character of `s` that XML 1.0 cannot represent, as `U+XXXX`; undefined when there is none.
 *
 * @example
 * invalidXmlChar('bell\u0007'); // 'U+0007'
 */
export function invalidXmlChar(s: string): string | undefined {
  const m = INVALID_XML_CHAR.exec(s);
  if (!m) return undefined;
  return `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
