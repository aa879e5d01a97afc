import type { Element, Node } from '@xmldom/xmldom';

/** Protocol-free reads of an xmldom DOM, shared by PIDF, the authorisation documents and XCAP. */

/** The namespace bound to the `xml` prefix by definition (Namespaces in XML §3); never declared. */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

const ELEMENT_NODE = 1;

/** The child elements of `n` (an element or a document), in document order. */
export function childElements(n: Node): Element[] {
  const out: Element[] = [];
  for (let c: Node | null = n.firstChild; c; c = c.nextSibling) if (c.nodeType === ELEMENT_NODE) out.push(c as Element);
  return out;
}

/** True when `el` is `{namespace}localName`. */
export function isElement(el: Element, namespace: string, localName: string): boolean {
  return el.namespaceURI === namespace && el.localName === localName;
}

/** The value of an attribute in no namespace, or undefined when it is absent. */
export function plainAttribute(el: Element, name: string): string | undefined {
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i);
    if (a && a.namespaceURI === null && a.localName === name) return a.value;
  }
  return undefined;
}

/** The xml:lang in scope at `el`: its own, or the nearest one on an enclosing element (XML 1.0 §2.12). */
export function languageOf(el: Element): string | undefined {
  for (let n: Node | null = el; n && n.nodeType === ELEMENT_NODE; n = n.parentNode) {
    const attrs = (n as Element).attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i);
      if (a && a.namespaceURI === XML_NAMESPACE && a.localName === 'lang') return a.value;
    }
  }
  return undefined;
}
