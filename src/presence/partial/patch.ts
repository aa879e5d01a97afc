import type { Document, Element, Node } from '@xmldom/xmldom';
import { childElements } from '../../util/xml-dom.js';
import { locate, SelectorError } from './selector.js';

/**
 * The XML patch operations of RFC 5261 §4.3-§4.5 (<add>, <replace>, <remove>), applied in document
 * order to a DOM document: the operations of a <pidf-diff> (RFC 5262 §3). Element content is imported
 * from the patch document; namespace declarations stay resolvable because imported nodes keep their
 * namespace URIs.
 */

/** The namespace of pidf-diff documents (RFC 5262 §5.1); its patch elements are in it. */
export const PIDF_DIFF_NS = 'urn:ietf:params:xml:ns:pidf-diff';

/** A patch that cannot be applied (RFC 5261 §5.1 error conditions); the target may be partly changed. */
export class PatchError extends Error {}

function isWhitespace(n: Node | null): boolean {
  return !!n && n.nodeType === 3 && /^\s*$/.test(n.nodeValue ?? '');
}

function attr(op: Element, name: string): string | undefined {
  return op.hasAttribute(name) ? op.getAttribute(name)! : undefined;
}

/** The child nodes of an operation, imported into `doc`. */
function content(doc: Document, op: Element): Node[] {
  const out: Node[] = [];
  for (let n = op.firstChild; n; n = n.nextSibling) out.push(doc.importNode(n, true));
  return out;
}

/** RFC 5261 §4.3: <add> appends (or inserts at `pos`) nodes, or adds an attribute (`type="@name"`). */
function add(doc: Document, op: Element, sel: string): void {
  const target = locate(doc, sel, op);
  if (target.kind !== 'element') throw new PatchError(`<add> needs an element: ${sel}`);
  const node = target.node;
  const type = attr(op, 'type');
  if (type !== undefined) {
    if (!type.startsWith('@') || node.nodeType !== 1) throw new PatchError(`unsupported <add> type ${type}`);
    const el = node as Element;
    const name = type.slice(1);
    const prefix = name.includes(':') ? name.split(':')[0]! : undefined;
    const ns = prefix === undefined ? null : op.lookupNamespaceURI(prefix);
    if (prefix !== undefined && ns === null) throw new SelectorError(`undeclared prefix ${prefix}`);
    const existing = ns === null ? el.hasAttribute(name) : el.hasAttributeNS(ns, name.split(':')[1]!);
    // RFC 5261 §4.3.2: adding an attribute that exists is an error.
    if (existing) throw new PatchError(`attribute ${name} exists`);
    if (ns === null) el.setAttribute(name, op.textContent ?? '');
    else el.setAttributeNS(ns, name, op.textContent ?? '');
    return;
  }
  const nodes = content(doc, op);
  const pos = attr(op, 'pos');
  const parent = pos === 'before' || pos === 'after' ? node.parentNode : node;
  if (!parent || (parent.nodeType === 9 && childElements(parent).length + nodes.filter((n) => n.nodeType === 1).length > 1)) {
    throw new PatchError(`<add> would leave the document without one root: ${sel}`);
  }
  const before = pos === 'before' ? node : pos === 'after' ? node.nextSibling : pos === 'prepend' ? node.firstChild : null;
  if (pos !== undefined && !['before', 'after', 'prepend'].includes(pos)) throw new PatchError(`bad pos ${pos}`);
  for (const n of nodes) parent.insertBefore(n, before);
}

/** RFC 5261 §4.4: <replace> puts one element in place of an element, or new text in an attribute or text node. */
function replace(doc: Document, op: Element, sel: string): void {
  const target = locate(doc, sel, op);
  if (target.kind === 'attribute') {
    const { owner, namespace, localName } = target;
    if (namespace === null) owner.setAttribute(localName, op.textContent ?? '');
    else owner.setAttributeNS(namespace, owner.getAttributeNodeNS(namespace, localName)!.name, op.textContent ?? '');
    return;
  }
  if (target.kind === 'text') {
    target.node.nodeValue = op.textContent ?? '';
    return;
  }
  const elements = childElements(op);
  // RFC 5261 §4.4.1: an element is replaced by exactly one element.
  if (elements.length !== 1 || target.node.nodeType !== 1) throw new PatchError(`<replace> of an element needs one element: ${sel}`);
  const el = target.node as Element;
  el.parentNode!.replaceChild(doc.importNode(elements[0]!, true), el);
}

/** RFC 5261 §4.5: <remove> takes out a node (with `ws` whitespace siblings) or an attribute. */
function remove(doc: Document, op: Element, sel: string): void {
  const target = locate(doc, sel, op);
  if (target.kind === 'attribute') {
    if (target.namespace === null) target.owner.removeAttribute(target.localName);
    else target.owner.removeAttributeNS(target.namespace, target.localName);
    return;
  }
  const node = target.node;
  const parent = node.parentNode;
  // RFC 5261 §4.5: the root element cannot be removed.
  if (!parent || parent.nodeType === 9) throw new PatchError(`cannot remove the root: ${sel}`);
  const ws = attr(op, 'ws');
  if (ws !== undefined && !['before', 'after', 'both'].includes(ws)) throw new PatchError(`bad ws ${ws}`);
  const prev = node.previousSibling;
  const next = node.nextSibling;
  // RFC 5261 §4.5.1: ws names whitespace text nodes that MUST be there (<invalid-whitespace-directive>).
  if ((ws === 'before' || ws === 'both') && !isWhitespace(prev)) throw new PatchError(`no whitespace before ${sel}`);
  if ((ws === 'after' || ws === 'both') && !isWhitespace(next)) throw new PatchError(`no whitespace after ${sel}`);
  if (ws === 'before' || ws === 'both') parent.removeChild(prev!);
  if (ws === 'after' || ws === 'both') parent.removeChild(next!);
  parent.removeChild(node);
}

/**
 * Applies the patch operations under `root` (a <pidf-diff>), in order (RFC 5261 §4: sequential), to
 * `doc`. Children of `root` in other namespaces than pidf-diff are not operations and are refused.
 * @throws PatchError or SelectorError on the first operation that cannot be applied.
 */
export function applyPatch(doc: Document, root: Element): void {
  for (const op of childElements(root)) {
    if (op.namespaceURI !== PIDF_DIFF_NS) throw new PatchError(`not a patch operation: ${op.tagName}`);
    const sel = attr(op, 'sel');
    if (sel === undefined) throw new PatchError(`<${op.localName}> without sel`);
    if (op.localName === 'add') add(doc, op, sel);
    else if (op.localName === 'replace') replace(doc, op, sel);
    else if (op.localName === 'remove') remove(doc, op, sel);
    else throw new PatchError(`unknown operation ${op.localName}`);
  }
}
