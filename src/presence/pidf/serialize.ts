import type { Attr, Element, Node } from '@xmldom/xmldom';
import type { PresenceDocument } from './model.js';
import { KNOWN_PREFIXES, NS } from './namespaces.js';
import { languageOf } from '../../util/xml-dom.js';

/**
 * Writes a presence document as PIDF (RFC 3863 §4). The namespaces are declared once, on <presence>:
 * PIDF as the default namespace (the form simple clients such as Twinkle read), the known namespaces
 * with their conventional prefixes, every other namespace with the prefix its publisher used (or `nsN`
 * when that prefix is taken by another namespace). Components are written from their DOM elements, so
 * unknown elements, attributes, text and comments pass through unchanged; only prefixes may change,
 * which does not change the document (Namespaces in XML §3).
 *
 * Written this way rather than with xmldom's XMLSerializer because a composed document holds elements
 * from several publications with clashing prefixes, and watchers get one set of declarations on the
 * root instead of one per element.
 */

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const COMMENT_NODE = 8;

const NCNAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"\t\n\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return `&#${c.charCodeAt(0)};`;
    }
  });
}

/** Namespace URI to prefix for the whole output; PIDF has one only when an attribute needs it. */
class Prefixes {
  readonly map = new Map<string, string>();
  private readonly taken = new Set<string>(['xml', 'xmlns', ...KNOWN_PREFIXES.values()]);
  private next = 1;

  want(uri: string | null, hint: string | null | undefined, forAttribute: boolean): void {
    if (uri === null || uri === NS.xml || uri === NS.xmlns || this.map.has(uri)) return;
    if (uri === NS.pidf && !forAttribute) return;
    const known = KNOWN_PREFIXES.get(uri);
    if (known !== undefined) {
      this.map.set(uri, known);
      return;
    }
    let prefix = hint && NCNAME.test(hint) && !/^xml/i.test(hint) && !this.taken.has(hint) ? hint : undefined;
    while (prefix === undefined) {
      const candidate = `ns${this.next++}`;
      if (!this.taken.has(candidate)) prefix = candidate;
    }
    this.taken.add(prefix);
    this.map.set(uri, prefix);
  }

  /** Every namespace of `el` and its descendants (recursive: depth is bounded by the parser's limit). */
  collect(el: Element): void {
    this.want(el.namespaceURI, el.prefix, false);
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i);
      if (a) this.want(a.namespaceURI, a.prefix, true);
    }
    for (let n: Node | null = el.firstChild; n; n = n.nextSibling) if (n.nodeType === ELEMENT_NODE) this.collect(n as Element);
  }

  attributeName(namespaceURI: string | null, localName: string): string {
    if (namespaceURI === null) return localName;
    if (namespaceURI === NS.xml) return `xml:${localName}`;
    return `${this.map.get(namespaceURI)!}:${localName}`;
  }
}

function writeAttribute(a: Attr, prefixes: Prefixes, out: string[]): void {
  if (a.namespaceURI === NS.xmlns) return;
  out.push(` ${prefixes.attributeName(a.namespaceURI, a.localName ?? a.name)}="${escapeAttr(a.value)}"`);
}

/**
 * Writes `el`; `defaultNs` is the default namespace in scope (PIDF, or none below an `xmlns=""`);
 * `extra` is written after the element's own attributes.
 */
function writeElement(el: Element, defaultNs: string | null, prefixes: Prefixes, out: string[], extra = ''): void {
  const ns = el.namespaceURI;
  const local = el.localName ?? el.nodeName;
  let name = local;
  let inner = defaultNs;
  let declaration = '';
  if (ns !== defaultNs) {
    if (ns === null || ns === NS.pidf) {
      declaration = ` xmlns="${ns ?? ''}"`;
      inner = ns;
    } else {
      name = `${prefixes.map.get(ns)!}:${local}`;
    }
  }
  out.push(`<${name}${declaration}`);
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i);
    if (a) writeAttribute(a, prefixes, out);
  }
  out.push(extra);
  if (!el.firstChild) {
    out.push('/>');
    return;
  }
  out.push('>');
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) writeElement(n as Element, inner, prefixes, out);
    else if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_SECTION_NODE) out.push(escapeText(n.nodeValue ?? ''));
    else if (n.nodeType === COMMENT_NODE) {
      const data = n.nodeValue ?? '';
      if (!data.includes('--') && !data.endsWith('-')) out.push(`<!--${data}-->`);
    }
  }
  out.push(`</${name}>`);
}

/**
 * Serialises a presence document to UTF-8 PIDF: the XML declaration (RFC 3863 §4.1), then <presence>
 * with every namespace declaration and the entity, then the tuples, the top-level notes, and the other
 * children — persons, devices, then the remaining extensions — in the order of the schema (RFC 3863
 * §4.4: tuple*, note*, any*). A top-level element that inherited an xml:lang in its own document other
 * than the one of this root gets it written on itself (a composed document mixes publications). A parsed
 * document serialises to a body that parses to the same model, and serialising that again gives the
 * same bytes.
 */
export function serializePidf(doc: PresenceDocument): Buffer {
  const top: Element[] = [
    ...doc.tuples.map((t) => t.element),
    ...doc.notes.map((n) => n.element),
    ...doc.persons.map((p) => p.element),
    ...doc.devices.map((d) => d.element),
    ...doc.extensions,
  ];
  const prefixes = new Prefixes();
  for (const [uri, prefix] of doc.namespaces) prefixes.want(uri, prefix, false);
  for (const el of top) prefixes.collect(el);
  for (const a of doc.attributes) prefixes.want(a.namespaceURI, undefined, true);
  // RFC 3863 §4.1.1: <presence> declares the PIDF namespace and carries the entity attribute.
  const out: string[] = [`<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="${NS.pidf}"`];
  for (const [uri, prefix] of prefixes.map) out.push(` xmlns:${prefix}="${escapeAttr(uri)}"`);
  out.push(` entity="${escapeAttr(doc.entity)}"`);
  for (const a of doc.attributes) out.push(` ${prefixes.attributeName(a.namespaceURI, a.localName)}="${escapeAttr(a.value)}"`);
  if (top.length === 0) {
    out.push('/>\n');
  } else {
    out.push('>\n');
    const rootLang = doc.attributes.find((a) => a.namespaceURI === NS.xml && a.localName === 'lang')?.value;
    for (const el of top) {
      // A component from another document keeps the xml:lang it inherited there (XML 1.0 §2.12).
      const lang = el.hasAttributeNS(NS.xml, 'lang') ? rootLang : languageOf(el);
      writeElement(el, NS.pidf, prefixes, out, lang === rootLang ? '' : ` xml:lang="${escapeAttr(lang ?? '')}"`);
      out.push('\n');
    }
    out.push('</presence>\n');
  }
  return Buffer.from(out.join(''), 'utf8');
}
