import type { Attr, Element, Node } from '@xmldom/xmldom';
import type { PresenceComponent, PresenceDocument } from '../pidf/model.js';
import { NS } from '../pidf/namespaces.js';
import { readDevice, readPerson, readTuple } from '../pidf/read.js';
import { childElements, languageOf } from '../../util/xml-dom.js';
import type { ContentRule, What } from './model.js';
import type { DocTree } from './selector-eval.js';
import { allElements, select, treeOf } from './selector-eval.js';

/**
 * The content filter (RFC 4660 §5.3.1, RFC 4661 §3.5): the watcher's authorised view reduced to what
 * the <what> of its filter selects. It only removes: whatever is not in the view cannot appear (filters
 * never widen authorisation). Pure: components that lose anything are cloned, edited and read again.
 */

/** Who published each component of the composed document, by occurrence id (TS 23.141 §5.1). */
export type Publishers = ReadonlyMap<string, string>;

/** What the rules of a <what> mark on the tree. */
interface Marks {
  /** Elements selected with their whole subtree. */
  readonly full: Set<Element>;
  /** Elements selected by namespace: themselves, their attributes and text, not their other children. */
  readonly self: Set<Element>;
  readonly attrs: Map<Element, Set<Attr>>;
  readonly excluded: Set<Element>;
  readonly excludedAttrs: Map<Element, Set<Attr>>;
  /** No <include> (or the root included whole): everything is selected before the exclusions (RFC 4661 §3.5.2). */
  everything: boolean;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

function addTo(map: Map<Element, Set<Attr>>, el: Element, a: Attr): void {
  let s = map.get(el);
  if (!s) map.set(el, (s = new Set()));
  s.add(a);
}

function mark(tree: DocTree, rules: readonly ContentRule[], elements: Set<Element>, byNamespace: Set<Element>, attrs: Map<Element, Set<Attr>>, all: readonly Element[]): void {
  for (const r of rules) {
    if (r.type === 'namespace') {
      for (const el of all) if (el.namespaceURI === r.namespace) byNamespace.add(el);
      continue;
    }
    for (const s of select(tree, r.selector)) {
      if (s.attr) addTo(attrs, s.el, s.attr);
      else elements.add(s.el);
    }
  }
}

/** Attributes every kept element keeps: namespace declarations and xml:lang; the id of a component, the entity of the root. */
function mandatoryAttribute(a: Attr, isComponent: boolean): boolean {
  return a.namespaceURI === NS.xmlns || a.namespaceURI === NS.xml || (isComponent && a.namespaceURI === null && a.localName === 'id');
}

/**
 * Prunes `clone` (a deep copy of `original`) to what is kept; returns whether anything of `original`
 * was selected (the element itself, an attribute or a descendant). `inFull`: an ancestor was selected
 * with its subtree; `mandatory`: the schema requires this element where its parent is kept.
 */
function prune(original: Element, clone: Element, m: Marks, inFull: boolean, isComponent: boolean): boolean {
  if (m.excluded.has(original)) return false;
  const full = inFull || m.everything || m.full.has(original);
  const self = full || m.self.has(original);
  const keptAttrs = m.attrs.get(original);
  let selected = self || keptAttrs !== undefined;
  const oChildren = childElements(original);
  const cChildren = childElements(clone);
  const keepChild: boolean[] = oChildren.map((o, i) => prune(o, cChildren[i]!, m, full, false));
  if (keepChild.some(Boolean)) selected = true;
  if (!selected) return false;
  // RFC 4661 §3.5.1-3.5.2: the result MUST be valid; mandatory parts of a kept tuple (its <status> with
  // a value, RFC 3863 §4.1.3) and device (its dm:deviceID, RFC 4479 §5.1.2) are kept whatever was chosen.
  oChildren.forEach((o, i) => {
    if (keepChild[i] || !isMandatoryChild(original, o, isComponent)) return;
    keepChild[i] = true;
    const status = cChildren[i]!;
    if (o.localName === 'status') restoreStatus(o, status, m);
  });
  oChildren.forEach((_o, i) => {
    if (keepChild[i]) return;
    const c = cChildren[i]!;
    if (c.previousSibling?.nodeType === TEXT_NODE && /^\s*$/.test(c.previousSibling.nodeValue ?? '')) clone.removeChild(c.previousSibling);
    clone.removeChild(c);
  });
  const excludedAttrs = m.excludedAttrs.get(original);
  const drop: Attr[] = [];
  for (let i = 0; i < original.attributes.length; i++) {
    const a = original.attributes.item(i)!;
    const keep = mandatoryAttribute(a, isComponent) || ((self || keptAttrs?.has(a) === true) && excludedAttrs?.has(a) !== true);
    if (!keep) drop.push(clone.attributes.item(i)!);
  }
  for (const a of drop) clone.removeAttributeNode(a);
  if (!self) {
    for (let n: Node | null = clone.firstChild; n; ) {
      const next: Node | null = n.nextSibling;
      if (n.nodeType !== ELEMENT_NODE && !(n.nodeType === TEXT_NODE && /^\s*$/.test(n.nodeValue ?? ''))) clone.removeChild(n);
      n = next;
    }
  }
  return true;
}

function isMandatoryChild(parent: Element, child: Element, isComponent: boolean): boolean {
  if (!isComponent) return false;
  if (parent.localName === 'tuple') return child.namespaceURI === NS.pidf && child.localName === 'status';
  if (parent.localName === 'device') return child.namespaceURI === NS.dm && child.localName === 'deviceID';
  return false;
}

/** A status kept only because it is mandatory: its <basic> (or, without one, its first value) comes back. */
function restoreStatus(original: Element, clone: Element, m: Marks): void {
  if (childElements(clone).length) return;
  const values = childElements(original);
  const keep = values.find((v) => v.namespaceURI === NS.pidf && v.localName === 'basic') ?? values.find((v) => !m.excluded.has(v)) ?? values[0];
  if (keep) clone.appendChild(keep.cloneNode(true));
}

function filtered<C extends PresenceComponent>(c: C, m: Marks): C | undefined {
  const clone = c.element.cloneNode(true) as Element;
  if (!prune(c.element, clone, m, false, true)) return undefined;
  if (m.everything && !m.excluded.size && !m.excludedAttrs.size) return c;
  const lang = languageOf(c.element);
  if (lang !== undefined && !clone.hasAttributeNS(NS.xml, 'lang')) clone.setAttributeNS(NS.xml, 'xml:lang', lang);
  const read = c.kind === 'tuple' ? readTuple(clone) : c.kind === 'person' ? readPerson(clone) : readDevice(clone);
  return read.ok ? (read.value as C) : undefined;
}

/**
 * The document `view` as `what` selects it for `watcher`: the elements and attributes included (with
 * their ancestors, RFC 4661 §3.5.1), less those excluded (§3.5.2), plus what the PIDF schemas make
 * mandatory (§3.5.1); with `excludeOwnPublications`, without the components `publishers` says the
 * watcher published. The root and its entity always remain.
 */
export function applyWhat(view: PresenceDocument, what: What, watcher: string, publishers: Publishers): PresenceDocument {
  const own = (c: PresenceComponent): boolean => what.excludeOwnPublications && publishers.get(c.id) === watcher;
  const doc: PresenceDocument = what.excludeOwnPublications
    ? { ...view, tuples: view.tuples.filter((c) => !own(c)), persons: view.persons.filter((c) => !own(c)), devices: view.devices.filter((c) => !own(c)) }
    : view;
  const tree = treeOf(doc);
  const all = allElements(tree);
  const m: Marks = { full: new Set(), self: new Set(), attrs: new Map(), excluded: new Set(), excludedAttrs: new Map(), everything: what.include.length === 0 };
  mark(tree, what.include, m.full, m.self, m.attrs, all);
  if (m.full.has(tree.root)) m.everything = true;
  const excludedByNamespace = new Set<Element>();
  mark(tree, what.exclude, m.excluded, excludedByNamespace, m.excludedAttrs, all);
  for (const el of excludedByNamespace) m.excluded.add(el);
  // The root is always there (RFC 3863 §4.1.1): excluding it excludes nothing.
  m.excluded.delete(tree.root);
  const keep = <C extends PresenceComponent>(list: readonly C[]): C[] => list.map((c) => filtered(c, m)).filter((c): c is C => c !== undefined);
  const topKept = (el: Element): boolean => prune(el, el.cloneNode(true) as Element, m, false, false);
  return {
    ...doc,
    tuples: keep(doc.tuples),
    persons: keep(doc.persons),
    devices: keep(doc.devices),
    notes: doc.notes.filter((n) => topKept(n.element)),
    extensions: doc.extensions.filter((e) => topKept(e)),
  };
}
