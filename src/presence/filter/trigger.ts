import type { Element } from '@xmldom/xmldom';
import type { PresenceDocument } from '../pidf/model.js';
import type { Changed, Selector, Trigger } from './model.js';
import type { DocTree, Selected } from './selector-eval.js';
import { select, treeOf, valueOf } from './selector-eval.js';

/**
 * Notification triggers (RFC 4660 §5.3.2, RFC 4661 §3.6): whether the change from the previous document
 * (the raw, authorised but unfiltered, document last sent to the watcher, RFC 4661 §3.6.1) to the new one
 * warrants a NOTIFY. Items are matched across the two documents by their place: the component's
 * occurrence id, then the path of element names with positions below it, then the attribute.
 */

/** Instance key of an element in its tree, e.g. `tuple#t1/{pidf}status[0]/{pidf}basic[0]`. */
function keyOf(tree: DocTree, el: Element): string {
  const parts: string[] = [];
  for (let n: Element | undefined = el; n && n !== tree.root; n = tree.parent(n)) {
    const parent = tree.parent(n);
    if (parent === tree.root) {
      const id = n.getAttribute('id');
      parts.push(id ? `${n.localName}#${id}` : `{${n.namespaceURI ?? ''}}${n.localName}[${tree.top.indexOf(n)}]`);
      break;
    }
    const siblings = parent ? tree.children(parent).filter((s) => s.localName === n!.localName && s.namespaceURI === n!.namespaceURI) : [n];
    parts.push(`{${n.namespaceURI ?? ''}}${n.localName}[${siblings.indexOf(n)}]`);
  }
  return parts.reverse().join('/');
}

function items(tree: DocTree, selector: Selector): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of select(tree, selector) as Selected[]) {
    const key = keyOf(tree, s.el) + (s.attr ? `/@{${s.attr.namespaceURI ?? ''}}${s.attr.localName}` : '');
    out.set(key, s.attr ? s.attr.value : valueOf(s.el));
  }
  return out;
}

/** Values compare as written; `from` and `to` ignore letter case (RFC 4661 §6.2 writes `to="OPEN"` for PIDF's `open`). */
function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function changed(c: Changed, before: DocTree, after: DocTree): boolean {
  const old = items(before, c.selector);
  for (const [key, now] of items(after, c.selector)) {
    const was = old.get(key);
    // RFC 4661 §3.6.1: an update with an identical value is not a change.
    if (was === undefined || was === now) continue;
    if (c.from !== undefined && !same(was, c.from)) continue;
    if (c.to !== undefined && !same(now, c.to)) continue;
    if (c.by !== undefined) {
      // RFC 4661 §3.6.1.3: a numerical change of at least `by`, either way.
      const delta = Math.abs(Number(now) - Number(was));
      if (!(delta >= c.by)) continue;
    }
    return true;
  }
  return false;
}

function appeared(s: Selector, before: DocTree, after: DocTree): boolean {
  const old = items(before, s);
  for (const key of items(after, s).keys()) if (!old.has(key)) return true;
  return false;
}

/**
 * Does the change from `previous` to `current` fire one of `triggers` (RFC 4661 §3.6: any trigger, OR;
 * within one, every <changed>, <added> and <removed> condition, AND)?
 */
export function fires(triggers: readonly Trigger[], previous: PresenceDocument, current: PresenceDocument): boolean {
  const before = treeOf(previous);
  const after = treeOf(current);
  return triggers.some(
    (t) =>
      t.changed.every((c) => changed(c, before, after)) &&
      t.added.every((s) => appeared(s, before, after)) &&
      t.removed.every((s) => appeared(s, after, before)),
  );
}
