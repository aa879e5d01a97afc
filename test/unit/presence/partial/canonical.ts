import type { Element, Node } from '@xmldom/xmldom';
import { DOMParser } from '@xmldom/xmldom';

/**
 * A canonical text of an XML document's root element for comparing documents by content: expanded
 * names, attributes sorted (namespace declarations left out, they change nothing: Namespaces in XML §3),
 * whitespace-only text dropped and other text trimmed. The root's own name is left out, so a
 * <pidf-full> and a <presence> with the same content compare equal.
 */
export function canonical(xml: Buffer | string): string {
  const doc = new DOMParser().parseFromString(xml.toString(), 'application/xml');
  const root = doc.documentElement!;
  const attrs = attributesOf(root).filter((a) => a !== 'version=');
  return `${attrs.filter((a) => !a.startsWith('version=')).join(' ')}|${children(root)}`;
}

function attributesOf(el: Element): string[] {
  const out: string[] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (a.name === 'xmlns' || a.prefix === 'xmlns') continue;
    out.push(`{${a.namespaceURI ?? ''}}${a.localName}=${a.value}`);
  }
  return out.sort();
}

function children(el: Element): string {
  let out = '';
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const c = n as Element;
      out += `<{${c.namespaceURI ?? ''}}${c.localName} ${attributesOf(c).join(' ')}>${children(c)}</>`;
    } else if (n.nodeType === 3 || n.nodeType === 4) {
      const t = (n.nodeValue ?? '').replace(/\s+/g, ' ').trim();
      if (t) out += t;
    }
  }
  return out;
}
