import { createRequire } from 'node:module';
import { DOMParser } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';

/**
 * Protocol-free reads of an xmldom DOM and the one way text becomes a DOM: xmldom with every warning
 * and error treated as a defect. Shared by PIDF, the authorisation documents and XCAP; the text must
 * have been screened by `screenXml` (./xml-guard.ts) first, or come from a store that only holds
 * screened documents.
 */

/** The namespace bound to the `xml` prefix by definition (Namespaces in XML §3); never declared. */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** The namespace of namespace declarations (`xmlns`, `xmlns:p`; Namespaces in XML §3). */
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

const ELEMENT_NODE = 1;

/** Distinct argument lists whose expression {@link memoiseXmldomGrammar} keeps; more are built every time. */
const MAX_MEMOISED_EXPRESSIONS = 64;

/**
 * xmldom 0.9 builds the regular expression that checks an end tag's name anew for every end tag it reads
 * (`g.reg('^', g.QName_group, g.S_OPT, '$')` in its lib/sax.js, a pattern of about 1,000 characters with
 * the `u` flag): a third of the time it takes to parse a presence document. `reg` is a pure function of
 * its parts, which at parse time are always the grammar's own constants, and what it returns is neither
 * global nor sticky (no `lastIndex` state), so one expression per list of parts serves every call. This
 * wraps the grammar module's `reg` with that cache, keyed by the identity of each part; xmldom reads it
 * through the module object on every call, so the wrapper is what it uses. Returns whether the wrapper is
 * in place (false for an xmldom whose grammar module is laid out otherwise: it then works as shipped).
 */
function memoiseXmldomGrammar(): boolean {
  let grammar: { reg?: unknown };
  try {
    grammar = createRequire(import.meta.url)('@xmldom/xmldom/lib/grammar.js') as { reg?: unknown };
  } catch {
    return false;
  }
  const reg = grammar.reg;
  if (typeof reg !== 'function') return false;
  if ((reg as { memoised?: boolean }).memoised) return true;
  type Trie = Map<unknown, Trie | RegExp>;
  const root: Trie = new Map();
  const END = root; // a key no caller can pass: marks the expression of the parts that led here
  let kept = 0;
  const memoised = function (this: unknown, ...parts: unknown[]): RegExp {
    let node = root;
    for (const p of parts) {
      let next = node.get(p) as Trie | undefined;
      if (!next) {
        if (kept >= MAX_MEMOISED_EXPRESSIONS) return reg.apply(this, parts) as RegExp;
        next = new Map();
        node.set(p, next);
      }
      node = next;
    }
    let re = node.get(END) as RegExp | undefined;
    if (!re) {
      re = reg.apply(this, parts) as RegExp;
      node.set(END, re);
      kept++;
    }
    return re;
  };
  grammar.reg = Object.assign(memoised, { memoised: true });
  return true;
}

memoiseXmldomGrammar();

/** Distinct qualified names {@link rememberValidNames} keeps as valid; beyond them each is checked again. */
const MAX_KNOWN_NAMES = 512;

/**
 * xmldom checks every element and attribute name against the grammar's `QName_exact` (a
 * Unicode-class expression about 700 characters long) twice: once as its parser reads the name, once
 * as its DOM creates the node. Documents of one kind use a handful of names, so this puts in its place
 * an expression that remembers the names it found valid (a bounded set) and asks the original for any
 * other; `test` of an expression that is neither global nor sticky depends on its input only, so the
 * answers are the same. xmldom reads the expression through the module object on every call. Returns
 * whether the replacement is in place (false for an xmldom laid out otherwise: it then works as shipped).
 */
function rememberValidNames(): boolean {
  let grammar: { QName_exact?: unknown };
  try {
    grammar = createRequire(import.meta.url)('@xmldom/xmldom/lib/grammar.js') as { QName_exact?: unknown };
  } catch {
    return false;
  }
  const exact = grammar.QName_exact;
  if (exact instanceof KnownNames) return true;
  if (!(exact instanceof RegExp) || exact.global || exact.sticky) return false;
  grammar.QName_exact = new KnownNames(exact);
  return true;
}

/** A name expression answering from the names it already found valid. */
class KnownNames extends RegExp {
  private readonly known = new Set<string>();

  constructor(private readonly original: RegExp) {
    super(original.source, original.flags);
  }

  override test(name: string): boolean {
    if (this.known.has(name)) return true;
    const valid = this.original.test(name);
    if (valid && this.known.size < MAX_KNOWN_NAMES) this.known.add(name);
    return valid;
  }
}

rememberValidNames();

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

/**
 * Text (a parser message, a value from the wire) made safe for a reason phrase or a defect: runs of
 * control characters become one space, trimmed, at most `maxChars` UTF-16 code units.
 */
export function oneLine(text: string, maxChars: number): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim().slice(0, maxChars);
}

/**
 * Parses screened XML text with xmldom as `application/xml`. xmldom is lenient on its own, so any
 * warning or error it reports is a defect: the result is then xmldom's first message, as it wrote it
 * (pass it through {@link oneLine} before it goes on the wire). A document without a root element is
 * returned as it is; the caller decides. Never throws.
 */
export function parseXmlDom(text: string): Document | string {
  let problem: string | undefined;
  const parser = new DOMParser({
    locator: false,
    onError: (_level, msg) => {
      problem ??= msg;
      throw new Error(msg);
    },
  });
  try {
    const doc = parser.parseFromString(text, 'application/xml');
    return problem ?? doc;
  } catch (e) {
    return problem ?? (e instanceof Error ? e.message : String(e));
  }
}
