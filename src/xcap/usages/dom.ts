/**
 * The DOM work of the application usages' constraint checks beyond the shared reads of
 * ../../util/xml-dom.ts: a descendant search and parsing stored documents.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { childElements, isElement, parseXmlDom } from '../../util/xml-dom.js';

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
  const doc = parseXmlDom(body.toString('utf8'));
  return typeof doc === 'string' || !doc.documentElement ? undefined : doc;
}
