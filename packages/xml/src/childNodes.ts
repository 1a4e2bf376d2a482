import { XmlElement, XmlTreeNode, type XmlNode } from 'libxml2-wasm';

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

/**
 * The child elements of an element, in document order ({@link childNodes} without text, comments and
 * processing instructions).
 *
 * @example
 * ```ts
 * const [meta, payload] = elementChildren(doc.root);
 * ```
 */
export function elementChildren(parent: XmlElement): XmlElement[] {
  const elements: XmlElement[] = [];
  for (let node = parent.firstChild; node !== null; node = node.next) {
    if (node instanceof XmlElement) elements.push(node);
    else if (!(node instanceof XmlTreeNode)) return parent.find('*').filter((child): child is XmlElement => child instanceof XmlElement);
  }
  return elements;
}
