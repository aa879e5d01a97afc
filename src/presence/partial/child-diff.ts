import type { Element } from '@xmldom/xmldom';

/**
 * Finer <pidf-diff> operations for one component (tuple, person, device) that keeps its place: RFC 5261
 * patch operations on its changed child elements instead of a <replace> of the whole component
 * (RFC 5263 §4.4 leaves the granularity to the notifier). Children are matched by expanded name
 * (heaviest common subsequence, equal children first); matched children whose text differs are replaced (or, when smaller,
 * patched one level deeper), unmatched old ones removed, unmatched new ones added before the next
 * matched sibling or appended. Selectors address children by qualified name and, when the name repeats,
 * by position among the siblings of that name at the time the operation runs (RFC 5261 §4.1).
 */

/** Writes a node as it appears in its document (qualified names, no added namespace declarations). */
export type Writer = (el: Element) => string;

interface Child {
  readonly el: Element;
  readonly key: string;
  readonly name: string;
}

/** The element children of `el`, or undefined when it has text other than whitespace (mixed content). */
function children(el: Element, scope: Element): Child[] | undefined {
  const out: Child[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 3 || n.nodeType === 4) {
      if (/\S/.test(n.nodeValue ?? '')) return undefined;
      continue;
    }
    if (n.nodeType !== 1) continue;
    const c = n as Element;
    const ns = c.namespaceURI ?? null;
    // The selector names the child by the prefix it is written with, resolved in the diff root's scope
    // (the declarations of <presence>): when that does not give its namespace, it is not addressable.
    if (scope.lookupNamespaceURI(c.prefix ?? '') !== ns) return undefined;
    out.push({ el: c, key: `{${ns ?? ''}}${c.localName}`, name: c.tagName });
  }
  return out;
}

/**
 * Pairs of indexes (old, new) of a heaviest common subsequence of the two child lists: children with the
 * same expanded name match, those also equal in text weigh twice as much (they cost no operation).
 */
function matched(a: readonly Child[], b: readonly Child[], write: Writer): Array<[number, number]> {
  const m = a.length;
  const n = b.length;
  const ta = a.map((c) => write(c.el));
  const tb = b.map((c) => write(c.el));
  const weight = (i: number, j: number): number => (a[i]!.key !== b[j]!.key ? 0 : ta[i] === tb[j] ? 2 : 1);
  const best: number[][] = Array.from({ length: m + 1 }, () => new Array<number>(n + 1).fill(0));
  for (let i = m - 1; i >= 0; i--) {
    for (let j = n - 1; j >= 0; j--) {
      const w = weight(i, j);
      best[i]![j] = Math.max(best[i + 1]![j]!, best[i]![j + 1]!, w > 0 ? best[i + 1]![j + 1]! + w : 0);
    }
  }
  const out: Array<[number, number]> = [];
  for (let i = 0, j = 0; i < m && j < n; ) {
    const w = weight(i, j);
    if (w > 0 && best[i]![j] === best[i + 1]![j + 1]! + w) out.push([i++, j++]);
    else if (best[i]![j] === best[i + 1]![j]) i++;
    else j++;
  }
  return out;
}

function sameAttributes(a: Element, b: Element, write: Writer): boolean {
  const tag = (el: Element): string => /^<[^>]*?\/?>/.exec(write(el.cloneNode(false) as Element))![0];
  return tag(a) === tag(b);
}

/** The selector step for `live[at]`: its name, with a position when the name repeats among `live`. */
function stepOf(live: readonly Child[], at: number): string {
  const c = live[at]!;
  const same = live.filter((x) => x.key === c.key);
  if (same.length === 1) return c.name;
  return `${c.name}[${live.slice(0, at + 1).filter((x) => x.key === c.key).length}]`;
}

/**
 * The operations turning the children of `before` into those of `after` (same expanded name and
 * attributes), `sel` selecting the element, `p` the pidf-diff prefix; undefined when not expressible
 * (mixed content, a child's prefix not bound as in `scope`).
 */
export function childOps(before: Element, after: Element, sel: string, p: string, scope: Element, write: Writer): string[] | undefined {
  const old = children(before, scope);
  const now = children(after, scope);
  if (!old || !now) return undefined;
  const pairs = matched(old, now, write);
  const keptOld = new Set(pairs.map(([i]) => i));
  const newOf = new Map(pairs.map(([i, j]) => [j, i]));
  const ops: string[] = [];
  // Removals first, last to first, so the positions of the others are those of `old`.
  const live = [...old];
  for (let i = old.length - 1; i >= 0; i--) {
    if (keptOld.has(i)) continue;
    ops.push(`<${p}:remove sel='${sel}/${stepOf(live, i)}'/>`);
    live.splice(i, 1);
  }
  // Replacements: `live` is now the matched old children in order, one per pair.
  pairs.forEach(([i, j], k) => {
    const o = old[i]!.el;
    const n = now[j]!.el;
    const text = write(n);
    if (write(o) === text) return;
    const at = `${sel}/${stepOf(live, k)}`;
    const whole = `<${p}:replace sel='${at}'>${text}</${p}:replace>`;
    const deeper = sameAttributes(o, n, write) ? childOps(o, n, at, p, scope, write) : undefined;
    if (deeper && deeper.join('').length < whole.length) ops.push(...deeper);
    else ops.push(whole);
  });
  // Additions in document order, each before the next matched sibling, or appended as the last child.
  for (let j = 0; j < now.length; j++) {
    if (newOf.has(j)) continue;
    let anchor = -1;
    for (let x = j + 1; x < now.length && anchor < 0; x++) if (newOf.has(x)) anchor = live.findIndex((c) => c.el === old[newOf.get(x)!]!.el);
    const where = anchor < 0 ? `sel='${sel}'` : `sel='${sel}/${stepOf(live, anchor)}' pos="before"`;
    ops.push(`<${p}:add ${where}>${write(now[j]!.el)}</${p}:add>`);
    live.splice(anchor < 0 ? live.length : anchor, 0, now[j]!);
  }
  return ops;
}
