import { XMLSerializer } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import { KNOWN_PREFIXES } from '../pidf/namespaces.js';
import { parseXml } from '../authorization/xml.js';
import { childElements, isElement, plainAttribute } from '../../util/xml-dom.js';
import type { Changed, ContentRule, FilterEntry, Selector, Trigger, What } from './model.js';
import { PRESENCE_FILTER_EXT_NAMESPACE, SIMPLE_FILTER_NAMESPACE } from './model.js';
import { parseSelector } from './selector-parse.js';

/**
 * Reading an `application/simple-filter+xml` document (RFC 4661 §3, §7) into filter entries. Anything
 * the schema forbids, or that presenced cannot apply (docs/event-filters.md), is a defect: the SUBSCRIBE
 * is then answered 488 (RFC 4660 §5.4).
 */

/** A parsed filter set: its prefix bindings and its filters, in document order. */
export interface ParsedFilterSet {
  readonly bindings: ReadonlyMap<string, string>;
  readonly entries: readonly FilterEntry[];
}

/** The filter set, or why it is refused. */
export type FilterSetResult = { readonly ok: true; readonly value: ParsedFilterSet } | { readonly ok: false; readonly defect: string };

/** Bounds of a filter document. */
const LIMITS = Object.freeze({ maxBytes: 64 * 1024, maxDepth: 8, maxElements: 1000 });
/** Conventional prefixes usable without an ns-binding (RFC 4661 §6.5 uses `pidf:` unbound). */
const DEFAULT_PREFIXES: ReadonlyMap<string, string> = new Map([...KNOWN_PREFIXES].map(([uri, prefix]) => [prefix, uri]));

class Defect extends Error {}

function isOurs(el: Element, local: string): boolean {
  return isElement(el, SIMPLE_FILTER_NAMESPACE, local);
}

function bool(el: Element, name: string): boolean | undefined {
  const v = plainAttribute(el, name)?.trim();
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Defect(`${name}="${v.slice(0, 20)}" is not a boolean`);
}

/**
 * Parses a filter document for the event package `pkg`. `stored`: a document this server wrote (the
 * filters a subscription holds), which may have no filter left. Never throws.
 */
export function parseFilterSet(body: Buffer, pkg: string, stored = false): FilterSetResult {
  const parsed = parseXml(body, 'filter', LIMITS);
  if (!parsed.ok) return { ok: false, defect: parsed.defect };
  const root = parsed.doc.documentElement;
  try {
    if (!root || !isOurs(root, 'filter-set')) throw new Defect('the root is not a simple-filter <filter-set>');
    const forPackage = plainAttribute(root, 'package');
    if (forPackage !== undefined && forPackage.trim() !== pkg) throw new Defect(`the filter set is for package ${forPackage.slice(0, 40)}`);
    const bindings = new Map<string, string>();
    const filters: Element[] = [];
    for (const el of childElements(root)) {
      if (isOurs(el, 'ns-bindings')) {
        if (bindings.size || filters.length) throw new Defect('one <ns-bindings>, before the filters');
        for (const b of childElements(el)) {
          const prefix = plainAttribute(b, 'prefix');
          const urn = plainAttribute(b, 'urn');
          if (!isOurs(b, 'ns-binding') || !prefix || !urn) throw new Defect('<ns-binding> needs prefix and urn');
          bindings.set(prefix, urn.trim());
        }
      } else if (isOurs(el, 'filter')) filters.push(el);
      else if (el.namespaceURI === SIMPLE_FILTER_NAMESPACE) throw new Defect(`unknown element <${el.localName}>`);
    }
    // RFC 4661 §3.2: one or more <filter> elements.
    if (!filters.length && !stored) throw new Defect('no <filter>');
    const resolve = (prefix: string): string | undefined => bindings.get(prefix) ?? DEFAULT_PREFIXES.get(prefix);
    const ids = new Set<string>();
    const entries = filters.map((f) => {
      const e = readFilter(f, resolve);
      // RFC 4661 §3.4: the id MUST be unique within the <filter-set>.
      if (ids.has(e.id)) throw new Defect(`filter id ${e.id} used twice`);
      ids.add(e.id);
      return e;
    });
    return { ok: true, value: { bindings, entries } };
  } catch (e) {
    if (e instanceof Defect) return { ok: false, defect: `filter: ${e.message}` };
    throw e;
  }
}

function readFilter(f: Element, resolve: (prefix: string) => string | undefined): FilterEntry {
  const id = plainAttribute(f, 'id')?.trim();
  if (!id) throw new Defect('<filter> without id');
  const uri = plainAttribute(f, 'uri')?.trim();
  const domain = plainAttribute(f, 'domain')?.trim();
  // RFC 4661 §3.4: 'uri' and 'domain' MUST NOT appear together.
  if (uri !== undefined && domain !== undefined) throw new Defect(`filter ${id} has both uri and domain`);
  if (bool(f, 'remove')) return { remove: true, id };
  const enabled = bool(f, 'enabled');
  let what: What | undefined;
  let sawWhat = false;
  const triggers: Trigger[] = [];
  let sawTrigger = false;
  const kept: Element[] = [];
  for (const el of childElements(f)) {
    if (isOurs(el, 'what')) {
      if (sawWhat || sawTrigger) throw new Defect(`filter ${id}: one <what>, before the triggers`);
      sawWhat = true;
      what = readWhat(el, resolve);
      kept.push(el);
    } else if (isOurs(el, 'trigger')) {
      sawTrigger = true;
      const t = readTrigger(el, resolve);
      // RFC 4660 §5.4: an empty <trigger> is as if it did not exist.
      if (t) triggers.push(t);
      kept.push(el);
    } else if (el.namespaceURI === SIMPLE_FILTER_NAMESPACE) throw new Defect(`unknown element <${el.localName}> in filter ${id}`);
    // RFC 4661 §4: extensions elsewhere are ignored safely.
  }
  const inner = kept.map((el) => new XMLSerializer().serializeToString(el)).join('');
  return {
    remove: false,
    id,
    ...(uri !== undefined ? { uri } : {}),
    ...(domain !== undefined ? { domain: domain.toLowerCase() } : {}),
    ...(enabled !== undefined ? { enabled } : {}),
    ...(sawWhat ? { what: what ?? EMPTY_WHAT } : {}),
    ...(sawWhat || sawTrigger ? { triggers } : {}),
    inner,
  };
}

const EMPTY_WHAT: What = Object.freeze({ include: [], exclude: [], excludeOwnPublications: false });

function selectorOf(el: Element, resolve: (prefix: string) => string | undefined): Selector {
  const r = parseSelector(el.textContent ?? '', resolve);
  if (!r.ok) throw new Defect(`<${el.localName}>: ${r.defect}`);
  return r.selector;
}

function readRule(el: Element, resolve: (prefix: string) => string | undefined): ContentRule {
  const type = plainAttribute(el, 'type')?.trim() ?? 'xpath';
  if (type === 'namespace') {
    const namespace = (el.textContent ?? '').trim();
    if (!namespace) throw new Defect(`empty <${el.localName} type="namespace">`);
    return { type, namespace };
  }
  // RFC 4661 §3.5.3: "xpath" and "namespace" are the only types.
  if (type !== 'xpath') throw new Defect(`<${el.localName}> type ${type.slice(0, 20)} is not xpath or namespace`);
  return { type, selector: selectorOf(el, resolve) };
}

function readWhat(w: Element, resolve: (prefix: string) => string | undefined): What {
  const include: ContentRule[] = [];
  const exclude: ContentRule[] = [];
  let excludeOwnPublications = false;
  for (const el of childElements(w)) {
    if (isOurs(el, 'include')) include.push(readRule(el, resolve));
    else if (isOurs(el, 'exclude')) exclude.push(readRule(el, resolve));
    else if (isElement(el, PRESENCE_FILTER_EXT_NAMESPACE, 'exclude-own-publications')) excludeOwnPublications = true;
    else if (el.namespaceURI === SIMPLE_FILTER_NAMESPACE || el.namespaceURI === PRESENCE_FILTER_EXT_NAMESPACE) {
      throw new Defect(`unknown element <${el.localName}> in <what>`);
    }
  }
  return { include, exclude, excludeOwnPublications };
}

function readTrigger(t: Element, resolve: (prefix: string) => string | undefined): Trigger | undefined {
  const changed: Changed[] = [];
  const added: Selector[] = [];
  const removed: Selector[] = [];
  for (const el of childElements(t)) {
    if (isOurs(el, 'changed')) {
      const from = plainAttribute(el, 'from');
      const to = plainAttribute(el, 'to');
      const byText = plainAttribute(el, 'by');
      const by = byText === undefined ? undefined : Number(byText.trim());
      // RFC 4661 §7: 'by' is an xs:decimal.
      if (by !== undefined && (byText!.trim() === '' || !Number.isFinite(by))) throw new Defect(`<changed by="${byText!.slice(0, 20)}"> is not a decimal`);
      changed.push({ selector: selectorOf(el, resolve), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(by !== undefined ? { by } : {}) });
    } else if (isOurs(el, 'added')) added.push(selectorOf(el, resolve));
    else if (isOurs(el, 'removed')) removed.push(selectorOf(el, resolve));
    else if (el.namespaceURI === SIMPLE_FILTER_NAMESPACE) throw new Defect(`unknown element <${el.localName}> in <trigger>`);
  }
  return changed.length || added.length || removed.length ? { changed, added, removed } : undefined;
}
