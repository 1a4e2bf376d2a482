import { OrganismError } from './errors.js';

/**
 * Bounds applied to every XML input before and while it is parsed.
 *
 * @example
 * ```ts
 * const limits: Partial<XmlLimits> = { maxBytes: 256 * 1024, maxPayloadsPerResponse: 8 };
 * new PayloadExtractor(limits);
 * ```
 */
export interface XmlLimits {
  /** Largest accepted input, in bytes as UTF-8. */
  maxBytes: number;
  /** Deepest accepted element nesting; the root element is depth 1. */
  maxDepth: number;
  /** Most payloads a single handler response may carry. */
  maxPayloadsPerResponse: number;
}

/**
 * 1 MiB, depth 64, 32 payloads per response.
 *
 * @example
 * ```ts
 * parseXml(input, { ...DEFAULT_XML_LIMITS, maxBytes: 64 * 1024 });
 * ```
 */
export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxPayloadsPerResponse: 32,
});

/** Fills in defaults and rejects limits that are not positive integers (ORG_ERR_CONFIG). */
export function resolveXmlLimits(limits?: Partial<XmlLimits>): XmlLimits {
  if (limits === undefined) return DEFAULT_XML_LIMITS;
  const resolved = { ...DEFAULT_XML_LIMITS, ...dropUndefined(limits) };
  for (const key of ['maxBytes', 'maxDepth', 'maxPayloadsPerResponse'] as const) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new OrganismError(
        'ORG_ERR_CONFIG',
        `XML limit ${key} must be a positive integer, got ${String(value)}; ` +
          `omit it to use the default (${DEFAULT_XML_LIMITS[key]})`,
      );
    }
  }
  return resolved;
}

function dropUndefined(limits: Partial<XmlLimits>): Partial<XmlLimits> {
  const out: Partial<XmlLimits> = {};
  if (limits.maxBytes !== undefined) out.maxBytes = limits.maxBytes;
  if (limits.maxDepth !== undefined) out.maxDepth = limits.maxDepth;
  if (limits.maxPayloadsPerResponse !== undefined) out.maxPayloadsPerResponse = limits.maxPayloadsPerResponse;
  return out;
}
