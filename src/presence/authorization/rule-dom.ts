import type { Document, Element, Node } from '@xmldom/xmldom';
import type { SubHandling } from './model.js';
import { POLICY_NS } from './model.js';
import { XMLNS_NAMESPACE } from '../../util/xml-dom.js';

/**
 * Writing pres-rules documents with the DOM: rules built in the element order of the schemas (RFC 4745
 * §13: conditions, actions, transformations; RFC 5025 §7), with namespace prefixes that are in scope
 * where the elements go, and indented like the document around them.
 */

/** The condition elements a built rule can have, in the order written. */
export type ConditionSpec =
  | { readonly identity: readonly string[] }
  | { readonly externalList: readonly string[] }
  | { readonly otherIdentity: true }
  | { readonly anonymousRequest: true };

/** A rule to build. */
export interface RuleSpec {
  readonly id: string;
  readonly conditions: readonly ConditionSpec[];
  readonly subHandling: SubHandling;
  /** Grant every service, person, device and attribute (the view of a granted watcher). */
  readonly fullView: boolean;
}

/** Conventional prefixes (RFC 5025 §6 example: cr, pr; OMA: ocp). */
const PREFERRED: Readonly<Record<string, string>> = {
  [POLICY_NS.cp]: 'cr',
  [POLICY_NS.pr]: 'pr',
  [POLICY_NS.ocp]: 'ocp',
  [POLICY_NS.opr]: 'op',
};


function docOf(el: Node): Document {
  const doc = el.ownerDocument;
  if (!doc) throw new Error('pres-rules: element without a document');
  return doc;
}
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** The default namespace in scope at `el` (null: none). */
function defaultNamespace(el: Element): string | null {
  for (let n: Node | null = el; n && n.nodeType === ELEMENT_NODE; n = n.parentNode) {
    const e = n as Element;
    if (e.hasAttribute('xmlns')) return e.getAttribute('xmlns') || null;
  }
  return null;
}

/** Every prefix declared anywhere in the document. */
function declaredPrefixes(root: Element): Set<string> {
  const out = new Set<string>();
  const stack = [root];
  while (stack.length) {
    const el = stack.pop()!;
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes.item(i);
      if (a && a.namespaceURI === XMLNS_NAMESPACE && a.prefix === 'xmlns' && a.localName) out.add(a.localName);
    }
    for (let n: Node | null = el.firstChild; n; n = n.nextSibling) if (n.nodeType === ELEMENT_NODE) stack.push(n as Element);
  }
  return out;
}

/**
 * The qualified name for a new `{ns}local` element placed in `context`: unprefixed where `ns` is the
 * default namespace there, with the prefix bound to `ns` in scope, or else with a new prefix declared on
 * the root (one used nowhere in the document, so no inner declaration can shadow it).
 */
function qualifiedName(context: Element, ns: string, local: string): string {
  if (defaultNamespace(context) === ns) return local;
  const bound = context.lookupPrefix(ns);
  if (bound) return `${bound}:${local}`;
  const root = docOf(context).documentElement!;
  const taken = declaredPrefixes(root);
  const base = PREFERRED[ns] ?? 'ns';
  let prefix = base;
  for (let i = 2; taken.has(prefix); i++) prefix = `${base}${i}`;
  root.setAttributeNS(XMLNS_NAMESPACE, `xmlns:${prefix}`, ns);
  return `${prefix}:${local}`;
}

/** A new `{ns}local` element for `context`, with text content if given. */
export function create(context: Element, ns: string, local: string, text?: string): Element {
  const doc = docOf(context);
  const el = doc.createElementNS(ns, qualifiedName(context, ns, local));
  if (text !== undefined) el.appendChild(doc.createTextNode(text));
  return el;
}

function whitespace(n: Node | null): string | undefined {
  return n && n.nodeType === TEXT_NODE && /^\s*$/.test(n.nodeValue ?? '') ? (n.nodeValue ?? '') : undefined;
}

/** The indentation of `el`'s own line: the whitespace after the last newline before it, or ''. */
function indentOf(el: Element): string {
  const ws = whitespace(el.previousSibling);
  return ws === undefined || !ws.includes('\n') ? '' : ws.slice(ws.lastIndexOf('\n') + 1);
}

/**
 * Appends `child` as the last element of `parent`, on its own line indented like the other children
 * (or two spaces deeper than `parent`), keeping the whitespace before the closing tag.
 */
export function appendIndented(parent: Element, child: Element): void {
  const doc = docOf(parent);
  const tail = whitespace(parent.lastChild);
  let lastElement: Node | null = parent.lastChild;
  while (lastElement && lastElement.nodeType !== ELEMENT_NODE) lastElement = lastElement.previousSibling;
  const indent = lastElement ? indentOf(lastElement as Element) : `${indentOf(parent)}  `;
  const before = doc.createTextNode(`\n${indent}`);
  if (tail !== undefined && parent.lastChild) {
    parent.insertBefore(before, parent.lastChild);
    parent.insertBefore(child, parent.lastChild);
  } else {
    parent.appendChild(before);
    parent.appendChild(child);
    parent.appendChild(doc.createTextNode(`\n${indentOf(parent)}`));
  }
}

/** Removes `el` with the whitespace line it stood on. */
export function removeWithLine(el: Element): void {
  const parent = el.parentNode;
  if (!parent) return;
  const ws = whitespace(el.previousSibling);
  if (ws !== undefined && ws.includes('\n')) parent.removeChild(el.previousSibling!);
  parent.removeChild(el);
}

/** Creates `{ns}local` and appends it to `parent` (so that its own children see the prefixes in scope). */
function add(parent: Element, ns: string, local: string, text?: string): Element {
  const el = create(parent, ns, local, text);
  parent.appendChild(el);
  return el;
}

function addCondition(conditions: Element, spec: ConditionSpec): void {
  const { cp, ocp } = POLICY_NS;
  if ('identity' in spec) {
    const identity = add(conditions, cp, 'identity');
    for (const id of spec.identity) add(identity, cp, 'one').setAttribute('id', id);
  } else if ('externalList' in spec) {
    const list = add(conditions, ocp, 'external-list');
    for (const anc of spec.externalList) add(list, ocp, 'entry').setAttribute('anc', anc);
  } else {
    add(conditions, ocp, 'otherIdentity' in spec ? 'other-identity' : 'anonymous-request');
  }
}

/** Indents a freshly built subtree (element-only content) whose element starts a line at `indent`. */
function indentTree(el: Element, indent: string): void {
  const children: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) if (n.nodeType === ELEMENT_NODE) children.push(n as Element);
  if (children.length === 0) return;
  const doc = docOf(el);
  for (const c of children) {
    el.insertBefore(doc.createTextNode(`\n${indent}  `), c);
    indentTree(c, `${indent}  `);
  }
  el.appendChild(doc.createTextNode(`\n${indent}`));
}

/** Builds a rule (RFC 4745 §13 ruleType) and appends it as the last rule of `ruleset`. */
export function appendRule(ruleset: Element, spec: RuleSpec): Element {
  const { cp, pr } = POLICY_NS;
  const rule = add(ruleset, cp, 'rule');
  rule.setAttribute('id', spec.id);
  const conditions = add(rule, cp, 'conditions');
  for (const c of spec.conditions) addCondition(conditions, c);
  add(add(rule, cp, 'actions'), pr, 'sub-handling', spec.subHandling);
  if (spec.fullView) {
    const t = add(rule, cp, 'transformations');
    add(add(t, pr, 'provide-services'), pr, 'all-services');
    add(add(t, pr, 'provide-persons'), pr, 'all-persons');
    add(add(t, pr, 'provide-devices'), pr, 'all-devices');
    add(t, pr, 'provide-all-attributes');
  }
  ruleset.removeChild(rule);
  appendIndented(ruleset, rule);
  indentTree(rule, indentOf(rule));
  return rule;
}
