import { XmlTreeNode, type XmlElement, type XmlNode } from 'libxml2-wasm';

/**
 * The child nodes of an element, in document order. Walking `firstChild`/`next` is the fast way, but
 * libxml2-wasm gives a processing-instruction node no `next`; past one, the children come from XPath.
 *
 * @example
 * ```ts
 * for (const node of childNodes(payload)) if (node instanceof XmlElement) visit(node);
 * ```
 */
export function childNodes(parent: XmlElement): XmlNode[] {
  const nodes: XmlNode[] = [];
  for (let node = parent.firstChild; node !== null; node = node.next) {
    if (!(node instanceof XmlTreeNode)) return parent.find('node()');
    nodes.push(node);
  }
  return nodes;
}
