import type { XmlLimits } from './limits.js';
import { PayloadExtractor, type Extracted } from './payloadExtractor.js';

/**
 * One-shot {@link PayloadExtractor}: every payload (and every refusal) in a complete handler response.
 *
 * @example
 * ```ts
 * extractPayloads('Sure! <add><a>1</a><b>2</b></add> and <add><a>3</a><b>4</b></add>');
 * // [{ kind: 'payload', xml: '<add><a>1</a><b>2</b></add>', tag: 'add', ns: '' }, { kind: 'payload', ... }]
 * ```
 */
export function extractPayloads(text: string, limits?: Partial<XmlLimits>): Extracted[] {
  const extractor = new PayloadExtractor(limits);
  const items = extractor.push(text);
  for (const item of extractor.end()) items.push(item);
  return items;
}
