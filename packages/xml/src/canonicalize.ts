import './libxml2Tuning.js';
import { XmlC14NMode, XmlElement, type XmlDocument } from 'libxml2-wasm';
import { OrganismError } from './errors.js';

const EXCLUSIVE = { mode: XmlC14NMode.XML_C14N_EXCLUSIVE_1_0, withComments: false } as const;

/**
 * Exclusive XML Canonicalization 1.0 without comments, of a whole document or of one element subtree:
 * namespace declarations only where visibly used, attributes sorted, empty elements as start/end pairs,
 * no XML declaration.
 *
 * @example
 * ```ts
 * canonicalize(doc); // '<a xmlns="urn:a" b="1" c="2"><x></x></a>'
 * ```
 */
export function canonicalize(node: XmlDocument | XmlElement): string {
  try {
    if (!(node instanceof XmlElement)) return node.canonicalizeToString(EXCLUSIVE);
    // The same subtree, selected as a node set: libxml2-wasm's subtree helper wraps every node of the
    // document in a JavaScript object on each visibility callback; the node-set test compares pointers.
    return node.doc.canonicalizeToString({ ...EXCLUSIVE, nodeSet: new Set([node]) });
  } catch (cause) {
    throw new OrganismError(
      'ORG_ERR_XML_PARSE',
      `exclusive c14n failed: ${cause instanceof Error ? cause.message : String(cause)}; ` +
        `the document holds a node c14n cannot serialize (was it built by hand or already disposed?)`,
      { cause },
    );
  }
}
