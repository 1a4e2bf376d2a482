import { OrganismError } from './errors.js';

/**
 * Turns parser input into the string libxml2 will parse, enforcing `maxBytes` (measured as UTF-8) before
 * any expensive work. Byte input is decoded by its BOM or `<?xml encoding=...?>` declaration (UTF-8 when
 * neither says otherwise), so the DTD and depth pre-scans see exactly the characters libxml2 will see (an
 * ASCII scan of UTF-7 or UTF-16 bytes would miss a `<!DOCTYPE`).
 */
export function decodeXmlInput(input: string | Uint8Array, maxBytes: number): string {
  return decodeXmlInputWithBytes(input, maxBytes).text;
}

/**
 * {@link decodeXmlInput}, plus the UTF-8 bytes of the text when they are at hand without encoding it:
 * byte input that was already exactly that (UTF-8 without a BOM, nothing replaced), so the parser can
 * take the caller's bytes instead of re-encoding the decoded text.
 */
export function decodeXmlInputWithBytes(input: string | Uint8Array, maxBytes: number): { text: string; utf8: Uint8Array | undefined } {
  if (typeof input === 'string') {
    checkStringSize(input, maxBytes);
    return { text: input, utf8: undefined };
  }
  if (input.length > maxBytes) throw tooLarge(input.length, maxBytes, false);
  const label = sniffEncoding(input);
  const text = decode(input, label);
  checkStringSize(text, maxBytes);
  const lossless = label === 'utf-8' && !(input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf) && !text.includes('\uFFFD');
  return { text, utf8: lossless ? input : undefined };
}

function checkStringSize(text: string, maxBytes: number): void {
  // A UTF-16 code unit encodes to 1..3 UTF-8 bytes: most inputs are decided without measuring.
  if (text.length > maxBytes) throw tooLarge(text.length, maxBytes, true);
  if (text.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxBytes) throw tooLarge(bytes, maxBytes, false);
  }
}

function tooLarge(size: number, maxBytes: number, atLeast: boolean): OrganismError {
  return new OrganismError(
    'ORG_ERR_XML_TOO_LARGE',
    `input is ${atLeast ? 'at least ' : ''}${size} bytes (UTF-8), above the limit of ${maxBytes} bytes ` +
      `(limits.maxBytes); send a smaller document or raise the limit`,
  );
}

/** The encoding label to decode with, from the BOM, the first bytes or the XML declaration. */
function sniffEncoding(bytes: Uint8Array): string {
  const b0 = bytes[0];
  const b1 = bytes[1];
  const b2 = bytes[2];
  const b3 = bytes[3];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return 'utf-8';
  if (b0 === 0xfe && b1 === 0xff) return 'utf-16be';
  if (b0 === 0xff && b1 === 0xfe && !(b2 === 0 && b3 === 0)) return 'utf-16le';
  // No BOM: two ASCII characters in UTF-16 ('<?', '<!', '<a', ' <', ...).
  if (b0 === 0 && b1 !== 0 && b1 !== undefined && b2 === 0 && b3 !== 0 && b3 !== undefined) return 'utf-16be';
  if (b0 !== 0 && b0 !== undefined && b1 === 0 && b2 !== 0 && b2 !== undefined && b3 === 0) return 'utf-16le';
  if (b0 === 0 || b1 === 0 || b2 === 0 || b3 === 0 || (b0 === 0x4c && b1 === 0x6f && b2 === 0xa7 && b3 === 0x94)) {
    throw new OrganismError(
      'ORG_ERR_XML_PARSE',
      'input bytes are in an encoding that is not ASCII-compatible (UTF-32 or EBCDIC); send UTF-8',
    );
  }
  const declared = declaredEncoding(bytes);
  // A UTF-16 declaration on 8-bit bytes contradicts itself; read them as UTF-8, as libxml2 would.
  if (declared === undefined || declared.toLowerCase().startsWith('utf-16')) return 'utf-8';
  return declared;
}

/** The `encoding` pseudo-attribute of a leading XML declaration, read from at most 256 bytes. */
function declaredEncoding(bytes: Uint8Array): string | undefined {
  // '<?xml'
  if (bytes[0] !== 0x3c || bytes[1] !== 0x3f || bytes[2] !== 0x78 || bytes[3] !== 0x6d || bytes[4] !== 0x6c) {
    return undefined;
  }
  const end = bytes.indexOf(0x3e /* > */, 5);
  if (end < 0 || end > 256) return undefined;
  let declaration = '';
  for (let i = 5; i < end; i++) declaration += String.fromCharCode(bytes[i]!);
  const match = /\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]{0,63})["']/.exec(declaration);
  return match?.[1];
}

function decode(bytes: Uint8Array, label: string): string {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    // Invalid UTF-8 is left to libxml2 (it becomes U+FFFD, which libxml2 reports no differently);
    // other encodings must decode cleanly.
    decoder = new TextDecoder(label, { fatal: label !== 'utf-8' });
  } catch (cause) {
    throw new OrganismError(
      'ORG_ERR_XML_PARSE',
      `input declares encoding "${label}", which is not supported; send UTF-8`,
      { cause },
    );
  }
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new OrganismError(
      'ORG_ERR_XML_PARSE',
      `input bytes are not valid ${label} (the encoding it declares or starts with); send UTF-8`,
      { cause },
    );
  }
}
