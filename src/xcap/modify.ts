/**
 * The changes element and attribute requests make to a document (RFC 4825 §8.2.1, §8.2.3, §8.2.4,
 * §8.4), on a DOM the caller owns and throws away when a conflict is returned: locating the parent,
 * inserting at the position §8.2.3 fixes, replacing, deleting, and the idempotency checks
 * (GET(PUT(x)) == x, and a DELETEd selector selects nothing).
 */
import type { Document, Element, Node } from '@xmldom/xmldom';
import { CannotDelete, CannotInsert } from './errors.js';
import type { XcapConflict } from './errors.js';
import { evaluateSelector, findAttribute, isNode, nameMatches, selectElement, selectStep } from './evaluate.js';
import type { Selection } from './evaluate.js';
import type { AttributeName, NodeSelector, Step } from './node-selector.js';
import { childElements } from '../util/xml-dom.js';
import { inScopeNamespaces, XMLNS_NAMESPACE } from './xml.js';

const DOCUMENT = 9;

/** The parent of a PUT's target node, or how many leading steps still select one element. */
export type ParentLocation = { readonly parent: Document | Element } | { readonly matchedSteps: number };

/**
 * RFC 4825 §8.2.1: the node the target goes into: the element the selector's steps before the target
 * select (the document node for a one-step selector), or for an attribute target the element all steps
 * select. When there is none, `matchedSteps` is the length of the longest step prefix that still selects
 * exactly one element (for the `<ancestor>` of `<no-parent>`).
 */
export function locateParent(doc: Document, selector: NodeSelector): ParentLocation {
  const steps = selector.terminal ? selector.steps : selector.steps.slice(0, -1);
  const parent = selectElement(doc, steps);
  if (isNode(parent)) return { parent: parent as Document | Element };
  let k = steps.length - 1;
  while (k > 0 && !isNode(selectElement(doc, steps.slice(0, k)))) k--;
  return { matchedSteps: k };
}

/**
 * RFC 4825 §8.2.3: where a new element goes among the children of `parent`: the node to insert before
 * (null: at the very end, after any trailing text, comments and processing instructions), or undefined
 * when the position cannot be reached (fewer than n-1 siblings).
 */
function insertionPoint(parent: Document | Element, step: Step): { before: Node | null } | undefined {
  const siblings = childElements(parent).filter((el) => nameMatches(el, step.name));
  const n = step.position;
  if (n === undefined || (n === 1 && siblings.length === 0)) {
    // Not positionally constrained: "earliest last" after the last element of the same expanded name,
    // or, when there is none (or the name is wildcarded), after every other node of the parent.
    if (step.name.kind === 'name' && siblings.length > 0) return { before: siblings[siblings.length - 1]!.nextSibling };
    return { before: null };
  }
  // "Earliest nth": just before the first such sibling for n = 1, just after the (n-1)th one otherwise.
  if (n === 1) return { before: siblings[0]! };
  if (siblings.length < n - 1) return undefined;
  return { before: siblings[n - 2]!.nextSibling };
}

/**
 * PUT of an element (RFC 4825 §8.2.3 creation, §8.2.4 replacement): `element` (parsed in the context of
 * `parent`, owned by `doc`) replaces the one element the target step selects within `parent`, or is
 * inserted where §8.2.3 says when it selects none. Afterwards the selector must select exactly the new
 * element (GET(PUT(x)) == x), else `CannotInsert` and the DOM is to be discarded.
 * Returns whether the element was created (201) or replaced (200).
 */
export function putElement(doc: Document, parent: Document | Element, selector: NodeSelector, element: Element): { created: boolean } | XcapConflict {
  const target = selector.steps[selector.steps.length - 1]!;
  const existing = selectStep(parent, target);
  if (existing.length > 1) return new CannotInsert('the node selector selects several elements');
  let created: boolean;
  if (existing.length === 1) {
    parent.replaceChild(element, existing[0]!);
    created = false;
  } else {
    if (parent.nodeType === DOCUMENT) return new CannotInsert('a document has exactly one root element; replace the document or the root element');
    const at = insertionPoint(parent, target);
    if (!at) return new CannotInsert(`fewer than ${(target.position ?? 1) - 1} sibling elements precede the requested position`);
    parent.insertBefore(element, at.before);
    created = true;
  }
  const after = evaluateSelector(doc, selector);
  // RFC 4825 §8.2.3, §8.2.4: the request URI MUST select the element just put, else 409 <cannot-insert>.
  if (after.kind !== 'element' || after.element !== element) return new CannotInsert('after the PUT the node selector would not select the element in the body');
  return { created };
}

/** A prefix bound to `namespace` in scope for `el` (not the default namespace), if any. */
function prefixFor(el: Element, namespace: string): string | undefined {
  for (const [prefix, ns] of inScopeNamespaces(el)) if (prefix !== '' && ns === namespace) return prefix;
  return undefined;
}

/**
 * PUT of an attribute (RFC 4825 §8.2.3, §8.2.4): sets `name` on `element` to `value`, creating it when
 * absent. A namespaced attribute uses a prefix already bound to its namespace in the document, else the
 * selector's prefix, declared on the element (refused when that prefix is bound to another namespace
 * there). Namespace declarations cannot be set this way (RFC 4825 §7.10). Afterwards the selector must
 * select the attribute with the new value, else `CannotInsert`.
 */
export function putAttribute(doc: Document, element: Element, selector: NodeSelector, name: AttributeName, value: string): { created: boolean } | XcapConflict {
  if (name.namespace === XMLNS_NAMESPACE || (name.namespace === null && name.localName === 'xmlns')) {
    return new CannotInsert('namespace declarations are not attributes and cannot be set');
  }
  const existing = findAttribute(element, name);
  if (existing) {
    existing.value = value;
  } else if (name.namespace === null) {
    element.setAttribute(name.localName, value);
  } else {
    let prefix = prefixFor(element, name.namespace);
    if (prefix === undefined) {
      prefix = name.qname.includes(':') ? name.qname.slice(0, name.qname.indexOf(':')) : undefined;
      if (prefix === undefined || inScopeNamespaces(element).has(prefix)) return new CannotInsert(`no free prefix for namespace ${name.namespace}`);
      element.setAttributeNS(XMLNS_NAMESPACE, `xmlns:${prefix}`, name.namespace);
    }
    element.setAttributeNS(name.namespace, `${prefix}:${name.localName}`, value);
  }
  const after = evaluateSelector(doc, selector);
  // RFC 4825 §8.2.4: if the request URI no longer selects the attribute just put, 409 <cannot-insert>.
  if (after.kind !== 'attribute' || after.attribute.value !== value) return new CannotInsert('after the PUT the node selector would not select the attribute in the body');
  return { created: !existing };
}

/**
 * DELETE of an element or attribute (RFC 4825 §8.4): removes the selected node (surrounding whitespace
 * stays). The root element cannot go (delete the document instead). Afterwards the selector must select
 * nothing, else `CannotDelete` (RFC 4825 §7.5, §8.4: idempotency).
 */
export function deleteNode(doc: Document, selector: NodeSelector, selection: Selection): XcapConflict | undefined {
  if (selection.kind === 'element') {
    const parent = selection.element.parentNode!;
    if (parent.nodeType === DOCUMENT) return new CannotDelete('the root element cannot be deleted; delete the document instead');
    parent.removeChild(selection.element);
  } else if (selection.kind === 'attribute') {
    selection.element.removeAttributeNode(selection.attribute);
  } else {
    throw new Error(`XCAP: deleteNode on a ${selection.kind} selection`);
  }
  // RFC 4825 §8.4: if the request URI selects another node after the deletion, 409 <cannot-delete>.
  if (evaluateSelector(doc, selector).kind !== 'none') return new CannotDelete('after the DELETE the node selector would select another node');
  return undefined;
}
