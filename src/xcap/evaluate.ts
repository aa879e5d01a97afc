/**
 * Evaluation of XCAP node selectors on a DOM (RFC 4825 §6.3): each step must select exactly one element
 * among the children of the current context, starting at the document node (whose only element child is
 * the root element); a terminal selector then picks an attribute or the namespace bindings.
 */
import type { Attr, Document, Element, Node } from '@xmldom/xmldom';
import type { AttributeName, NameTest, NodeSelector, Step } from './node-selector.js';
import { childElements } from '../util/xml-dom.js';
import { XMLNS_NAMESPACE } from './xml.js';

/** What a node selector selects, or `none`: a no-match, or an invalid selector (several elements). */
export type Selection =
  | { readonly kind: 'element'; readonly element: Element }
  | { readonly kind: 'attribute'; readonly element: Element; readonly attribute: Attr }
  | { readonly kind: 'namespaces'; readonly element: Element }
  | { readonly kind: 'none'; readonly why: 'no-match' | 'ambiguous' };

/** Namespace URIs compare with no namespace as null (xmldom may report '' or null). */
function ns(uri: string | null | undefined): string | null {
  return uri ? uri : null;
}

/** RFC 4825 §6.3: expanded-name comparison of an element against a step's name test. */
export function nameMatches(el: Element, test: NameTest): boolean {
  return test.kind === 'any' || (el.localName === test.localName && ns(el.namespaceURI) === test.namespace);
}

/** The attribute of `el` with this expanded name; namespace declarations are never attributes (RFC 4825 §6.3). */
export function findAttribute(el: Element, name: Pick<AttributeName, 'namespace' | 'localName'>): Attr | undefined {
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i)!;
    if (a.namespaceURI === XMLNS_NAMESPACE) continue;
    if ((a.localName ?? a.name) === name.localName && ns(a.namespaceURI) === name.namespace) return a;
  }
  return undefined;
}

/** Does `el` carry the attribute test of `step` (true when the step has none)? */
function attributeTestMatches(el: Element, step: Step): boolean {
  if (!step.attribute) return true;
  return findAttribute(el, step.attribute.name)?.value === step.attribute.value;
}

/**
 * The elements one step selects among the element children of `context` (RFC 4825 §6.3): those passing
 * the name test in document order, then the position predicate, then the attribute predicate.
 */
export function selectStep(context: Document | Element, step: Step): Element[] {
  let list = childElements(context).filter((el) => nameMatches(el, step.name));
  if (step.position !== undefined) {
    const el = list[step.position - 1];
    list = el ? [el] : [];
  }
  return list.filter((el) => attributeTestMatches(el, step));
}

/**
 * Walks `steps` from `start` (the document node, or an element for steps relative to it): the one
 * element selected, or why there is none.
 */
export function selectElement(start: Document | Element, steps: readonly Step[]): Element | Document | { readonly why: 'no-match' | 'ambiguous' } {
  let context: Document | Element = start;
  for (const step of steps) {
    const found = selectStep(context, step);
    // RFC 4825 §6.3: each step MUST produce a single element; none or several make the selector no-match / invalid.
    if (found.length !== 1) return { why: found.length === 0 ? 'no-match' : 'ambiguous' };
    context = found[0]!;
  }
  return context;
}

/** Is `x` a node (rather than the reason for no selection)? */
export function isNode(x: Node | { readonly why: string }): x is Node {
  return 'nodeType' in x;
}

/** Evaluates a node selector against a document (RFC 4825 §6.3). */
export function evaluateSelector(doc: Document, selector: NodeSelector): Selection {
  const el = selectElement(doc, selector.steps);
  if (!isNode(el)) return { kind: 'none', why: el.why };
  const element = el as Element;
  if (!selector.terminal) return { kind: 'element', element };
  if (selector.terminal.kind === 'namespaces') return { kind: 'namespaces', element };
  const attribute = findAttribute(element, selector.terminal.name);
  return attribute ? { kind: 'attribute', element, attribute } : { kind: 'none', why: 'no-match' };
}
