/**
 * The few DOM reads the application usages' constraint checks need (xmldom elements).
 */
import { DOMParser } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';

const ELEMENT_NODE = 1;

/** The child elements of `el`, in document order. */
export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
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

/**
 * Every element below `el` (not `el` itself) that is `{namespace}localName`, in document order. The
 * walk is bounded by the document, which the server screened for size and depth before parsing.
 */
export function descendants(el: Element, namespace: string, localName: string): Element[] {
  const out: Element[] = [];
  const walk = (parent: Element): void => {
    for (const child of childElements(parent)) {
      if (isElement(child, namespace, localName)) out.push(child);
      walk(child);
    }
  };
  walk(el);
  return out;
}

/**
 * Parses a document the server stored (it passed every check when it was written), for checks and
 * generated documents that look at other documents. Undefined when it does not parse after all.
 */
export function parseStoredDocument(body: Buffer): Document | undefined {
  let failed = false;
  const parser = new DOMParser({
    onError: () => {
      failed = true;
    },
  });
  try {
    const doc = parser.parseFromString(body.toString('utf8'), 'application/xml');
    return failed || !doc.documentElement ? undefined : doc;
  } catch {
    return undefined;
  }
}
