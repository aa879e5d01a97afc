import { DOMImplementation } from '@xmldom/xmldom';
import type { Attr, Element } from '@xmldom/xmldom';
import type { PresenceDocument } from '../pidf/model.js';
import { NS } from '../pidf/namespaces.js';
import { childElements } from '../../util/xml-dom.js';
import type { NameTest, Predicate, QName, RelativePath, Selector } from './model.js';

/**
 * Evaluation of RFC 4661 §5 selectors on a presence document model. The document is seen as XPath sees
 * its serialisation: a <presence> root whose children are the tuples, persons, devices, notes and other
 * top-level elements, each with its own DOM subtree (components keep their elements, which may belong to
 * other documents or be detached clones: the root is synthetic and parents are redirected to it).
 */

/** A presence document as a tree of elements under one root. */
export interface DocTree {
  readonly root: Element;
  /** The root's children, in document order. */
  readonly top: readonly Element[];
  parent(el: Element): Element | undefined;
  children(el: Element): readonly Element[];
}

const ELEMENT_NODE = 1;
const dom = new DOMImplementation();

/** The tree of `doc`. */
export function treeOf(doc: PresenceDocument): DocTree {
  const root = dom.createDocument(NS.pidf, 'presence', null).documentElement!;
  root.setAttribute('entity', doc.entity);
  const top = [...doc.tuples.map((t) => t.element), ...doc.notes.map((n) => n.element), ...doc.persons.map((p) => p.element), ...doc.devices.map((d) => d.element), ...doc.extensions];
  const topSet = new Set(top);
  return {
    root,
    top,
    parent: (el) => {
      if (el === root) return undefined;
      if (topSet.has(el)) return root;
      const p = el.parentNode;
      return p && p.nodeType === ELEMENT_NODE ? (p as Element) : undefined;
    },
    children: (el) => (el === root ? top : childElements(el)),
  };
}

/** Every element of the tree, root first, in document order. */
export function allElements(tree: DocTree): Element[] {
  const out: Element[] = [];
  const walk = (el: Element): void => {
    out.push(el);
    for (const c of tree.children(el)) walk(c);
  };
  walk(tree.root);
  return out;
}

/** What a selector picks: elements, or attributes with their elements. */
export type Selected = { readonly el: Element; readonly attr?: Attr };

/** The items `selector` picks in `tree`, in document order. */
export function select(tree: DocTree, selector: Selector): Selected[] {
  const out: Selected[] = [];
  const last = selector.steps.length - 1;
  for (const el of allElements(tree)) {
    if (!matchesStep(tree, el, selector, last)) continue;
    if (!selector.attribute) {
      out.push({ el });
      continue;
    }
    const attr = attributeOf(el, selector.attribute);
    if (attr) out.push({ el, attr });
  }
  return out;
}

function matchesStep(tree: DocTree, el: Element, selector: Selector, i: number): boolean {
  const step = selector.steps[i]!;
  if (!nameMatches(el, step.test)) return false;
  if (!step.predicates.every((p) => holds(tree, el, p))) return false;
  const parent = tree.parent(el);
  if (i === 0) return step.axis === 'descendant' || parent === undefined;
  if (step.axis === 'child') return parent !== undefined && matchesStep(tree, parent, selector, i - 1);
  for (let a = parent; a; a = tree.parent(a)) if (matchesStep(tree, a, selector, i - 1)) return true;
  return false;
}

function nameMatches(el: Element, test: NameTest): boolean {
  if (test.local !== '*' && el.localName !== test.local) return false;
  if (test.ns === '*') return true;
  if (test.unprefixed) return el.namespaceURI === null || el.namespaceURI === NS.pidf;
  return el.namespaceURI === test.ns;
}

function attributeOf(el: Element, q: QName): Attr | undefined {
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i);
    if (a && a.localName === q.local && (a.namespaceURI ?? null) === q.ns) return a;
  }
  return undefined;
}

/** The string value of an element for comparisons: its text, whitespace at both ends removed. */
export function valueOf(el: Element): string {
  return (el.textContent ?? '').trim();
}

function holds(tree: DocTree, context: Element, p: Predicate): boolean {
  if (p.kind !== 'compare') {
    return p.kind === 'and' ? holds(tree, context, p.left) && holds(tree, context, p.right) : holds(tree, context, p.left) || holds(tree, context, p.right);
  }
  // XPath 1.0 §3.4: a comparison with a node-set holds when it holds for one of its nodes.
  return values(tree, context, p.path).some((v) => compare(v, p.op, p.value));
}

function values(tree: DocTree, context: Element, path: RelativePath): string[] {
  let nodes: Element[] = [context];
  for (let i = 0; i < path.up; i++) nodes = nodes.map((n) => tree.parent(n)).filter((n): n is Element => n !== undefined);
  for (const test of path.steps) nodes = nodes.flatMap((n) => tree.children(n).filter((c) => nameMatches(c, test)));
  if (!path.attribute) return nodes.map(valueOf);
  const q = path.attribute;
  return nodes.map((n) => attributeOf(n, q)?.value).filter((v): v is string => v !== undefined);
}

function compare(actual: string, op: '=' | '<' | '>', expected: string): boolean {
  if (op === '=') return actual === expected;
  const a = Number(actual);
  const b = Number(expected);
  if (actual === '' || Number.isNaN(a) || Number.isNaN(b)) return false;
  return op === '<' ? a < b : a > b;
}
