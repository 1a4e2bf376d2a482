import { isPlainXmlText } from '@organism/xml';
// Characters XML 1.0 cannot carry at all, even escaped (controls, lone surrogates, U+FFFE/U+FFFF).
const INVALID_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * The first character of `s` that XML 1.0 cannot represent, as `U+XXXX`; undefined when there is none.
 * Payload values are checked with it rather than silently replaced, so nothing is lost unnoticed.
 *
 * @example
 * invalidXmlChar('bell\u0007'); // 'U+0007'
 */
export function invalidXmlChar(s: string): string | undefined {
  if (isPlainXmlText(s)) return undefined;
  const m = INVALID_XML_CHAR.exec(s);
  if (!m) return undefined;
  return `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
