import type { ErrorDetail } from 'libxml2-wasm';

/** One readable line per libxml2 diagnostic: `line 3, column 7: Opening and ending tag mismatch: b and a`. */
export function formatLibxml2Detail(detail: ErrorDetail): string {
  const message = detail.message.trim();
  if (detail.line > 0 && detail.col > 0) return `line ${detail.line}, column ${detail.col}: ${message}`;
  if (detail.line > 0) return `line ${detail.line}: ${message}`;
  return message;
}

/** {@link formatLibxml2Detail} over a list, dropping exact duplicates (libxml2 repeats some messages). */
export function formatLibxml2Details(details: readonly ErrorDetail[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const detail of details) {
    const line = formatLibxml2Detail(detail);
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out;
}
