import type { Document, Element, Node } from '@xmldom/xmldom';
import { childElements } from '../../util/xml-dom.js';

/**
 * The `sel` selectors of XML patch operations (RFC 5261 §4.1), in the restricted form RFC 5261 §4
 * allows: a location path of element steps from the document (an optional leading `/`), each a name
 * test (`*`, `name`, `prefix:name`) with predicates `[n]`, `[@attr='v']` or `[child='v']`, and an
 * optional last step `@attr`, `text()` or `text()[n]`. Prefixes resolve against the namespace
 * declarations in scope of the patch operation element; an unprefixed name is in the default namespace
 * in scope there (RFC 5261 §4.2.2).
 */

/** What a selector located: exactly one element, attribute or text node (RFC 5261 §4.1). */
export type Located =
  | { readonly kind: 'element'; readonly node: Element | Document }
  | { readonly kind: 'attribute'; readonly owner: Element; readonly namespace: string | null; readonly localName: string }
  | { readonly kind: 'text'; readonly node: Node };

/** A selector that is not one, or matches zero or several nodes (RFC 5261 §5.1 <invalid-selector>, <no-match>). */
export class SelectorError extends Error {}

type Test = { readonly any: true } | { readonly any: false; readonly ns: string | null; readonly local: string };
type Pred =
  | { readonly kind: 'pos'; readonly n: number }
  | { readonly kind: 'attr'; readonly ns: string | null; readonly local: string; readonly value: string }
  | { readonly kind: 'child'; readonly test: Test; readonly value: string };

const QNAME = /^(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)$/;
const STEP = /^(\*|[A-Za-z_][\w.:-]*)((?:\[[^\]]*\])*)$/;
const PREDICATE = /\[([^\]]*)\]/g;
const LITERAL = /^(?:"([^"]*)"|'([^']*)')$/;

/** The namespaces in scope of `el` (prefix '' is the default namespace). */
function inScope(el: Element, prefix: string): string | null {
  // xmldom looks the default namespace up by '' (null finds nothing).
  return el.lookupNamespaceURI(prefix);
}

function qname(text: string, scope: Element, attribute: boolean): { ns: string | null; local: string } {
  const m = QNAME.exec(text);
  if (!m) throw new SelectorError(`not a name: ${text}`);
  const [, prefix, local] = m;
  // RFC 5261 §4.2.2: unprefixed element names take the in-scope default namespace; attributes do not.
  if (prefix === undefined) return { ns: attribute ? null : inScope(scope, ''), local: local! };
  const ns = inScope(scope, prefix);
  if (ns === null) throw new SelectorError(`undeclared prefix ${prefix}`);
  return { ns, local: local! };
}

function test(text: string, scope: Element): Test {
  return text === '*' ? { any: true } : { any: false, ...qname(text, scope, false) };
}

function literal(text: string): string {
  const m = LITERAL.exec(text.trim());
  if (!m) throw new SelectorError(`not a literal: ${text}`);
  return m[1] ?? m[2]!;
}

function predicate(text: string, scope: Element): Pred {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { kind: 'pos', n: Number(t) };
  const eq = t.indexOf('=');
  if (eq < 0) throw new SelectorError(`unsupported predicate [${t}]`);
  const left = t.slice(0, eq).trim();
  const value = literal(t.slice(eq + 1));
  if (left.startsWith('@')) return { kind: 'attr', ...qname(left.slice(1), scope, true), value };
  return { kind: 'child', test: test(left, scope), value };
}

function matches(el: Element, t: Test): boolean {
  return t.any || (el.localName === t.local && (el.namespaceURI ?? null) === t.ns);
}

function attributeValue(el: Element, ns: string | null, local: string): string | null {
  return ns === null ? (el.hasAttribute(local) ? el.getAttribute(local) : null) : el.hasAttributeNS(ns, local) ? el.getAttributeNS(ns, local) : null;
}

function passes(el: Element, p: Pred): boolean {
  if (p.kind === 'attr') return attributeValue(el, p.ns, p.local) === p.value;
  if (p.kind === 'child') return childElements(el).some((c) => matches(c, p.test) && c.textContent === p.value);
  return true;
}

/** One element step from each context node; positions count among the nodes passing the name test. */
function step(contexts: Array<Element | Document>, text: string, scope: Element): Element[] {
  const m = STEP.exec(text);
  if (!m) throw new SelectorError(`unsupported step ${text}`);
  const t = test(m[1]!, scope);
  const preds = [...m[2]!.matchAll(PREDICATE)].map((p) => predicate(p[1]!, scope));
  const out: Element[] = [];
  for (const c of contexts) {
    let nodes = childElements(c as Node).filter((e) => matches(e, t));
    for (const p of preds) nodes = p.kind === 'pos' ? nodes.slice(p.n - 1, p.n) : nodes.filter((e) => passes(e, p));
    out.push(...nodes);
  }
  return out;
}

function only<T>(nodes: T[], sel: string): T {
  // RFC 5261 §4.1: the selector MUST locate exactly one node.
  if (nodes.length !== 1) throw new SelectorError(`${sel} matches ${nodes.length} nodes`);
  return nodes[0]!;
}

/**
 * Locates the one node `sel` selects in `doc`, resolving prefixes in the scope of `scope` (the patch
 * operation element).
 * @throws SelectorError when `sel` is outside the supported subset or does not select exactly one node.
 */
export function locate(doc: Document, sel: string, scope: Element): Located {
  const parts = sel.trim().replace(/^\//, '').split('/');
  if (parts.some((p) => p === '')) throw new SelectorError(`empty step in ${sel}`);
  const last = parts[parts.length - 1]!;
  const terminal = last.startsWith('@') || last.startsWith('text()') ? parts.pop()! : undefined;
  let nodes: Array<Element | Document> = [doc];
  for (const p of parts) nodes = step(nodes, p, scope);
  const owner = only(nodes, sel);
  if (terminal === undefined) return { kind: 'element', node: owner };
  if (owner.nodeType !== 1) throw new SelectorError(`${sel} selects no element`);
  if (terminal.startsWith('@')) {
    const { ns, local } = qname(terminal.slice(1), scope, true);
    if (attributeValue(owner as Element, ns, local) === null) throw new SelectorError(`${sel} matches no attribute`);
    return { kind: 'attribute', owner: owner as Element, namespace: ns, localName: local };
  }
  const m = /^text\(\)(?:\[(\d+)\])?$/.exec(terminal);
  if (!m) throw new SelectorError(`unsupported step ${terminal}`);
  const texts: Node[] = [];
  for (let n = owner.firstChild; n; n = n.nextSibling) if (n.nodeType === 3 || n.nodeType === 4) texts.push(n);
  const picked = m[1] === undefined ? texts : texts.slice(Number(m[1]) - 1, Number(m[1]));
  return { kind: 'text', node: only(picked, sel) };
}
