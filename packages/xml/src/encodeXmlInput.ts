import { OrganismError } from './errors';

const utf8Encoder = new TextEncoder();

/**
 * Turns parser input into UTF-8 bytes, enforcing `maxBytes` before any decoding work that could be
 * expensive. Byte input in another encoding (UTF-16 by BOM or by the `<?xml encoding=...?>` declaration)
 * is transcoded, so the DTD and depth pre-scans always see exactly the characters libxml2 will parse
 * (an ASCII scan of UTF-7 or UTF-16 bytes would miss a `<!DOCTYPE`). Callers parse the result with the
 * encoding forced to UTF-8.
 */
export function encodeXmlInput(input: string | Uint8Array, maxBytes: number): Uint8Array {
  if (typeof input === 'string') {
    // A UTF-16 code unit encodes to at least one UTF-8 byte: cheap early rejection of huge strings.
    if (input.length > maxBytes) throw tooLarge(input.length, maxBytes, true);
    const bytes = utf8Encoder.encode(input);
    if (bytes.length > maxBytes) throw tooLarge(bytes.length, maxBytes, false);
    return bytes;
  }
  if (input.length > maxBytes) throw tooLarge(input.length, maxBytes, false);
  const label = sniffNonUtf8Encoding(input);
  if (label === undefined) return input;
  const bytes = utf8Encoder.encode(decode(input, label));
  if (bytes.length > maxBytes) throw tooLarge(bytes.length, maxBytes, false);
  return bytes;
}

function tooLarge(size: number, maxBytes: number, atLeast: boolean): OrganismError {
  return new OrganismError(
    'ORG_ERR_XML_TOO_LARGE',
    `input is ${atLeast ? 'at least ' : ''}${size} bytes (UTF-8), above the limit of ${maxBytes} bytes ` +
      `(limits.maxBytes); send a smaller document or raise the limit`,
  );
}

/** The encoding label to transcode from, or undefined when the bytes are UTF-8 (or plain ASCII). */
function sniffNonUtf8Encoding(bytes: Uint8Array): string | undefined {
  const b0 = bytes[0];
  const b1 = bytes[1];
  const b2 = bytes[2];
  const b3 = bytes[3];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return undefined;
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
  if (declared === undefined) return undefined;
  const normalized = declared.toLowerCase();
  // A UTF-16 declaration on 8-bit bytes contradicts itself; libxml2 would read the bytes as UTF-8 too.
  if (normalized === 'utf-8' || normalized === 'utf8' || normalized.startsWith('utf-16') || normalized === 'us-ascii' || normalized === 'ascii') {
    return undefined;
  }
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
    decoder = new TextDecoder(label, { fatal: true });
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
