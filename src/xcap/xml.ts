/**
 * XML for XCAP bodies: documents (RFC 4825 §7.1), element fragments (§7.4, XML Fragment Interchange
 * bodies read in the namespace context of their parent) and attribute values (§7.7, the XML AttValue
 * production), each screened by `screenXml` before a parser sees it; and a serializer that writes back
 * exactly the nodes of the DOM (whitespace, comments and namespace declarations as they are: RFC 4825
 * §6.3, §8.2.3, §8.3 forbid adding or removing any).
 */
import type { Attr, Document, Element, Node } from '@xmldom/xmldom';
import { XMLNS_NAMESPACE, oneLine, parseXmlDom, XML_NAMESPACE } from '../util/xml-dom.js';
import { screenXml } from '../util/xml-guard.js';
import type { ScreenLimits } from '../util/xml-guard.js';
import { NotUtf8, NotWellFormed, NotXmlAttValue, NotXmlFrag } from './errors.js';
import type { XcapConflict } from './errors.js';

export { XMLNS_NAMESPACE } from '../util/xml-dom.js';

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;
const PI = 7;
const COMMENT = 8;
const DOCUMENT = 9;

/** Is `n` an element node? */
function isElementNode(n: Node | null | undefined): n is Element {
  return n?.nodeType === ELEMENT;
}

/** Screens a body; the text, or the conflict for `make` (not-well-formed or not-xml-frag). */
function screen(body: Buffer, limits: ScreenLimits, make: (phrase: string) => XcapConflict): string | XcapConflict {
  const s = screenXml(body, limits, 'XCAP');
  if (s.ok) return s.text;
  // RFC 4825 §8.2.2: content not UTF-8 encoded is a 409 with <not-utf-8>.
  if (s.kind === 'not-utf-8') return new NotUtf8(s.defect);
  return make(s.defect);
}

/** A parsed document and its text (UTF-8 decoded, byte order mark removed). */
export interface ParsedDocument {
  readonly doc: Document;
  readonly text: string;
}

/**
 * Parses a document body (RFC 4825 §8.2.2): `NotWellFormed` when it is not a well-formed XML document
 * (or uses markup the screening refuses: DOCTYPE, entities, processing instructions, too deep or too many
 * elements), `NotUtf8` when it is not UTF-8. Never throws.
 */
export function parseXcapDocument(body: Buffer, limits: ScreenLimits): ParsedDocument | XcapConflict {
  const text = screen(body, limits, (p) => new NotWellFormed(p));
  if (typeof text !== 'string') return text;
  const doc = parseXmlDom(text);
  if (typeof doc === 'string') return new NotWellFormed(`not well-formed XML: ${oneLine(doc, 200)}`);
  if (!doc.documentElement) return new NotWellFormed('no root element');
  return { doc, text };
}

/**
 * The namespace bindings in scope for `el` (Namespaces in XML §6.1): prefix ('' for the default
 * namespace) to namespace URI, nearest declaration first; an undeclared default (`xmlns=""`) is omitted,
 * and so is the implicit `xml` prefix.
 */
export function inScopeNamespaces(el: Element): Map<string, string> {
  const out = new Map<string, string>();
  const seen = new Set<string>();
  for (let n: Node | null = el; n && isElementNode(n); n = n.parentNode) {
    const attrs = n.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i)!;
      if (a.namespaceURI !== XMLNS_NAMESPACE) continue;
      const prefix = a.prefix === 'xmlns' ? a.localName! : '';
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      if (a.value !== '') out.set(prefix, a.value);
    }
  }
  return out;
}

const FRAGMENT_WRAPPER = 'xcap-fragment-context';

/**
 * Parses an element body (RFC 4825 §7.4, §8.2.2): exactly one element, optionally surrounded by
 * whitespace, well-formed in the namespace context of `parent` (the element or document it goes into),
 * so prefixes and the default namespace declared by its ancestors apply to it. The element returned
 * belongs to `parent`'s document, not yet inserted, with exactly the namespace declarations it was
 * written with. `NotXmlFrag` otherwise, `NotUtf8` when it is not UTF-8. Never throws.
 */
export function parseXcapFragment(body: Buffer, parent: Element | Document, limits: ScreenLimits): Element | XcapConflict {
  const text = screen(body, limits, (p) => new NotXmlFrag(p));
  if (typeof text !== 'string') return text;
  const context = parent.nodeType === DOCUMENT ? new Map<string, string>() : inScopeNamespaces(parent as Element);
  let decls = '';
  for (const [prefix, ns] of context) decls += ` ${prefix ? `xmlns:${prefix}` : 'xmlns'}="${escapeAttribute(ns)}"`;
  const wrapped = parseXmlDom(`<${FRAGMENT_WRAPPER}${decls}>${text}</${FRAGMENT_WRAPPER}>`);
  if (typeof wrapped === 'string') return new NotXmlFrag(`not a well-balanced XML element: ${oneLine(wrapped, 200)}`);
  const wrapper = wrapped.documentElement!;
  if (wrapper.localName !== FRAGMENT_WRAPPER || wrapper.parentNode !== wrapped) return new NotXmlFrag('not a single XML element');
  let element: Element | undefined;
  for (let c: Node | null = wrapper.firstChild; c; c = c.nextSibling) {
    if (isElementNode(c) && !element) element = c;
    else if (c.nodeType !== TEXT || !/^[ \t\r\n]*$/.test(c.nodeValue ?? '')) return new NotXmlFrag('the body must hold exactly one element and nothing else');
  }
  if (!element) return new NotXmlFrag('the body holds no element');
  const owner = parent.nodeType === DOCUMENT ? (parent as Document) : parent.ownerDocument!;
  return owner.importNode(element, true) as Element;
}

// XML 1.0 §2.3 AttValue: '"' ([^<&"] | Reference)* '"' | "'" ([^<&'] | Reference)* "'". Without a DTD
// the only references are the predefined entities and character references (XML 1.0 §4.1, §4.6).
const ATT_VALUE = /^(?:"((?:[^<&"]|&(?:lt|gt|amp|apos|quot|#[0-9]+|#x[0-9A-Fa-f]+);)*)"|'((?:[^<&']|&(?:lt|gt|amp|apos|quot|#[0-9]+|#x[0-9A-Fa-f]+);)*)')$/s;
// eslint-disable-next-line no-control-regex
const ILLEGAL_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Parses an attribute body (RFC 4825 §7.7, §8.2.2): an XML AttValue in quotes, its value returned after
 * XML 1.0 §3.3.3 normalization (each literal whitespace character becomes a space; references are
 * replaced). `NotXmlAttValue` when it is not an AttValue, `NotUtf8` when it is not UTF-8. Never throws.
 */
export function parseXcapAttributeValue(body: Buffer, maxBytes: number): string | XcapConflict {
  if (body.length > maxBytes) return new NotXmlAttValue(`attribute value larger than ${maxBytes} bytes`);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return new NotUtf8('XCAP: attribute value is not valid UTF-8');
  }
  const m = ATT_VALUE.exec(text);
  if (!m || ILLEGAL_CHAR.test(text)) return new NotXmlAttValue('the body must be an XML AttValue: a quoted value without < or bare &');
  const raw = m[1] ?? m[2]!;
  let bad = false;
  const value = raw.replace(/[\t\n\r]|&(?:(lt|gt|amp|apos|quot)|#([0-9]+)|#x([0-9A-Fa-f]+));/g, (all, named: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (all.length === 1) return ' ';
    if (named) return { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' }[named as 'lt'];
    const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    if (!isXmlChar(cp)) {
      bad = true;
      return '';
    }
    return String.fromCodePoint(cp);
  });
  return bad ? new NotXmlAttValue('character reference to a character not allowed in XML') : value;
}

/** XML 1.0 §2.2: is this code point a legal Char? */
function isXmlChar(cp: number): boolean {
  if (cp === 0x9 || cp === 0xa || cp === 0xd) return true;
  if (cp >= 0x20 && cp <= 0xd7ff) return true;
  if (cp >= 0xe000 && cp <= 0xfffd) return true;
  return cp >= 0x10000 && cp <= 0x10ffff;
}

/** Escapes an attribute value for double quotes; whitespace other than space as references, so it survives normalization. */
function escapeAttribute(value: string): string {
  return value.replace(/[&<"\t\n\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '"' ? '&quot;' : `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`));
}

/** Escapes character data; a CR as a reference, so it survives line-end normalization. */
function escapeText(value: string): string {
  return value.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

/** An attribute as written: `name="value"`. */
function attribute(a: Attr): string {
  return `${a.name}="${escapeAttribute(a.value)}"`;
}

/** Appends the serialization of `node` to `out`. */
function write(node: Node, out: string[]): void {
  switch (node.nodeType) {
    case ELEMENT: {
      const el = node as Element;
      out.push(`<${el.tagName}`);
      const attrs = el.attributes;
      for (let i = 0; i < attrs.length; i++) out.push(` ${attribute(attrs.item(i)!)}`);
      if (!el.firstChild) {
        out.push('/>');
        return;
      }
      out.push('>');
      for (let c: Node | null = el.firstChild; c; c = c.nextSibling) write(c, out);
      out.push(`</${el.tagName}>`);
      return;
    }
    case TEXT:
      out.push(escapeText((node as unknown as { data: string }).data));
      return;
    case CDATA:
      out.push(`<![CDATA[${(node as unknown as { data: string }).data}]]>`);
      return;
    case COMMENT:
      out.push(`<!--${(node as unknown as { data: string }).data}-->`);
      return;
    case PI: {
      const pi = node as unknown as { target: string; data: string };
      out.push(`<?${pi.target}${pi.data ? ` ${pi.data}` : ''}?>`);
      return;
    }
    case DOCUMENT:
      for (let c: Node | null = node.firstChild; c; c = c.nextSibling) write(c, out);
      return;
    default:
      throw new Error(`XCAP: cannot serialize node type ${node.nodeType}`);
  }
}

/**
 * Serializes a document or an element exactly as its nodes are: no namespace declaration added or
 * removed (RFC 4825 §8.3: an element GET MUST NOT add bindings declared by its ancestors), whitespace,
 * comments and CDATA sections kept. Throws on node types a screened document cannot hold (a bug).
 */
export function serializeXml(node: Document | Element): string {
  const out: string[] = [];
  write(node, out);
  return out.join('');
}

/** The body of an attribute GET (RFC 4825 §7.9): the value as an XML AttValue in double quotes. */
export function serializeAttributeValue(value: string): string {
  return `"${escapeAttribute(value)}"`;
}

/**
 * The `application/xcap-ns+xml` body (RFC 4825 §10) for `el`: an empty element with its local name and
 * prefix, an `xmlns` attribute for the default namespace in scope and `xmlns:prefix` for each prefix
 * in scope (nearest declaration wins; the implicit `xml` prefix is not listed).
 */
export function serializeNamespaceBindings(el: Element): string {
  // The default namespace first, then the prefixes from the nearest declaration outwards.
  const bindings = [...inScopeNamespaces(el)].sort(([a], [b]) => Number(a !== '') - Number(b !== ''));
  let attrs = '';
  for (const [prefix, ns] of bindings) {
    if (prefix === 'xml' && ns === XML_NAMESPACE) continue;
    attrs += ` ${prefix ? `xmlns:${prefix}` : 'xmlns'}="${escapeAttribute(ns)}"`;
  }
  return `<${el.tagName}${attrs}/>`;
}
