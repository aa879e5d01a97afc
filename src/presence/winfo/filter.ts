import type { Element } from '@xmldom/xmldom';
import { childElements, isElement, plainAttribute } from '../../util/xml-dom.js';
import { parseXml } from '../authorization/xml.js';

/** The content type of event filters (RFC 4661 §5). */
export const SIMPLE_FILTER_TYPE = 'application/simple-filter+xml';
/** RFC 4661 §5. */
export const SIMPLE_FILTER_NS = 'urn:ietf:params:xml:ns:simple-filter';
/** Our extension elements of a winfo filter (docs/winfo-filters.md). */
export const WINFO_FILTER_NS = 'urn:presenced:params:xml:ns:winfo-filter';
/** RFC 3858 §6. */
export const WATCHERINFO_NS = 'urn:ietf:params:xml:ns:watcherinfo';

/**
 * Which watchers a winfo subscriber asks for (TS 23.141 §5.1): every one, those the presentity's rules
 * name (`defined`), the new unauthorised ones (`new`: pending), or both of the last two.
 */
export type WatcherSelection = 'all' | 'defined' | 'new' | 'defined-new';

/** The optional attributes of a `<watcher>` element a filter may ask for (RFC 3858 §3). */
export type OptionalAttribute = 'display-name' | 'expiration' | 'duration-subscribed';

const OPTIONAL: readonly OptionalAttribute[] = ['display-name', 'expiration', 'duration-subscribed'];

/** An accepted winfo filter; see docs/winfo-filters.md. */
export interface WinfoFilter {
  readonly watchers: WatcherSelection;
  /** The optional attributes shown (the mandatory id, status and event always are, RFC 3858 §3). */
  readonly attributes: ReadonlySet<OptionalAttribute>;
  /** How far back past watchers are shown, seconds; undefined: the whole kept history. */
  readonly historySeconds?: number;
}

/** No filter: all watchers, all information, the whole history. */
export const NO_FILTER: WinfoFilter = Object.freeze({ watchers: 'all', attributes: new Set(OPTIONAL) });

/** A filter, or why it is not accepted (RFC 4660 §5.4: answered 488). */
export type FilterResult = { readonly ok: true; readonly filter: WinfoFilter } | { readonly ok: false; readonly defect: string };

const SELECTIONS: ReadonlySet<string> = new Set(['all', 'defined', 'new', 'defined-new']);

function fail(defect: string): FilterResult {
  return { ok: false, defect };
}

/**
 * Parses a winfo SUBSCRIBE body of type application/simple-filter+xml (RFC 4661) for `resource`: the
 * small subset of docs/winfo-filters.md. Never throws; anything outside the subset is a defect.
 */
export function parseWinfoFilter(body: Buffer, resource: string): FilterResult {
  const parsed = parseXml(body, 'filter', { maxBytes: 64 * 1024, maxDepth: 8, maxElements: 200 });
  if (!parsed.ok) return fail(parsed.defect);
  const root = parsed.doc.documentElement;
  if (!root || !isElement(root, SIMPLE_FILTER_NS, 'filter-set')) return fail('filter: the root is not a simple-filter <filter-set>');
  const prefixes = new Map<string, string>();
  const filters: Element[] = [];
  for (const el of childElements(root)) {
    if (isElement(el, SIMPLE_FILTER_NS, 'ns-bindings')) {
      for (const b of childElements(el)) {
        const prefix = plainAttribute(b, 'prefix');
        const urn = plainAttribute(b, 'urn');
        if (!isElement(b, SIMPLE_FILTER_NS, 'ns-binding') || prefix === undefined || urn === undefined) return fail('filter: a bad <ns-binding>');
        prefixes.set(prefix, urn);
      }
    } else if (isElement(el, SIMPLE_FILTER_NS, 'filter')) filters.push(el);
    else return fail(`filter: <${el.localName}> is not supported`);
  }
  if (filters.length !== 1) return fail('filter: exactly one <filter> is supported');
  const f = filters[0]!;
  // RFC 4660 §3.3.1: a filter may name its resource; ours must be the presentity's watcher list.
  const uri = plainAttribute(f, 'uri');
  if (uri !== undefined && uri !== resource) return fail(`filter: uri ${uri} is not the subscribed resource`);
  if (plainAttribute(f, 'domain') !== undefined) return fail('filter: domain filters are not supported');
  if (plainAttribute(f, 'remove') === 'true' || plainAttribute(f, 'enabled') === 'false') return { ok: true, filter: NO_FILTER };
  let watchers: WatcherSelection = 'all';
  let historySeconds: number | undefined;
  let attributes: Set<OptionalAttribute> | undefined;
  for (const el of childElements(f)) {
    const text = (el.textContent ?? '').trim();
    if (isElement(el, WINFO_FILTER_NS, 'watchers')) {
      if (!SELECTIONS.has(text)) return fail(`filter: <watchers> ${text} is not one of all, defined, new, defined-new`);
      watchers = text as WatcherSelection;
    } else if (isElement(el, WINFO_FILTER_NS, 'history')) {
      if (!/^\d{1,10}$/.test(text)) return fail('filter: <history> is not a number of seconds');
      historySeconds = Number(text);
    } else if (isElement(el, SIMPLE_FILTER_NS, 'what')) {
      const what = parseWhat(el, prefixes);
      if (!(what instanceof Set)) return fail(what);
      // RFC 4660 §5.4: an empty <what> is as if absent.
      if (what.size > 0 || childElements(el).length > 0) attributes = what;
    } else return fail(`filter: <${el.localName}> is not supported`);
  }
  const filter: WinfoFilter = { watchers, attributes: attributes ?? new Set(OPTIONAL), ...(historySeconds !== undefined ? { historySeconds } : {}) };
  return { ok: true, filter };
}

/**
 * `<what>` with `<include type="xpath">` steps only: `/watcherinfo/watcher-list/watcher` (everything) or
 * `/watcherinfo/watcher-list/watcher/@<optional attribute>`, each step optionally prefixed by a prefix
 * bound to the watcherinfo namespace. Returns the attributes asked for, or the defect.
 */
function parseWhat(what: Element, prefixes: ReadonlyMap<string, string>): Set<OptionalAttribute> | string {
  const out = new Set<OptionalAttribute>();
  for (const inc of childElements(what)) {
    if (!isElement(inc, SIMPLE_FILTER_NS, 'include')) return `filter: <${inc.localName}> in <what> is not supported`;
    const type = plainAttribute(inc, 'type') ?? 'xpath';
    if (type !== 'xpath') return `filter: include type ${type} is not supported`;
    const path = (inc.textContent ?? '').trim();
    const steps = path.split('/');
    if (steps[0] !== '' || (steps.length !== 4 && steps.length !== 5)) return `filter: the expression ${path} is not supported`;
    const names = ['watcherinfo', 'watcher-list', 'watcher'];
    for (let i = 0; i < 3; i++) {
      const [prefix, local] = steps[i + 1]!.includes(':') ? steps[i + 1]!.split(':', 2) : [undefined, steps[i + 1]];
      if (local !== names[i] || (prefix !== undefined && prefixes.get(prefix) !== WATCHERINFO_NS)) return `filter: the expression ${path} is not supported`;
    }
    if (steps.length === 4) OPTIONAL.forEach((a) => out.add(a));
    else {
      const attr = steps[4]!.startsWith('@') ? steps[4]!.slice(1) : '';
      if (attr === 'id' || attr === 'status' || attr === 'event') continue; // RFC 3858 §3: always present.
      if (!(OPTIONAL as readonly string[]).includes(attr)) return `filter: the expression ${path} is not supported`;
      out.add(attr as OptionalAttribute);
    }
  }
  return out;
}
