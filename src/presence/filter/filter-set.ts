import { domainKey, domainOfIdentity, identityKey } from '../authorization/uri-match.js';
import type { Filter, FilterSource } from './model.js';
import { SIMPLE_FILTER_NAMESPACE } from './model.js';
import type { ParsedFilterSet } from './parse-filter-set.js';

/**
 * The filters of one subscription across its SUBSCRIBEs (RFC 4660 §3.3.3, §5.2.2): a refresh's filter
 * set adds filters, replaces those with the same id, and removes those it marks remove="true"; one
 * without a body keeps them. The result is stored as the subscription's body, one filter-set document.
 */

/** The filters a subscription holds: the set of its SUBSCRIBEs merged, by id. */
export interface HeldFilters {
  readonly bindings: ReadonlyMap<string, string>;
  readonly filters: readonly FilterSource[];
}

/** A merge result, or why the refresh is refused (RFC 4660 §5.2: 488). */
export type MergeResult = { readonly ok: true; readonly value: HeldFilters } | { readonly ok: false; readonly defect: string };

/** What a filter is addressed to: the resource (its identity key) or a domain (RFC 4660 §3.3.1). */
function targetOf(f: FilterSource, resource: string): string {
  if (f.domain !== undefined) return `domain:${domainKey(f.domain)}`;
  return `uri:${identityKey(f.uri ?? resource)}`;
}

/**
 * Merges the filter set of a SUBSCRIBE into those held (`previous`, undefined for a new subscription),
 * for a subscription to `resource`. Pure.
 */
export function mergeFilters(previous: HeldFilters | undefined, incoming: ParsedFilterSet, resource: string): MergeResult {
  const byId = new Map<string, FilterSource>((previous?.filters ?? []).map((f) => [f.id, f]));
  const touched = new Set<string>();
  for (const e of incoming.entries) {
    touched.add(e.id);
    // RFC 4660 §5.2.2: remove="true" removes the filter identified by the filter ID.
    if (e.remove) {
      byId.delete(e.id);
      continue;
    }
    const { remove: _remove, ...source } = e;
    const old = byId.get(e.id);
    if (source.what === undefined && source.triggers === undefined) {
      // RFC 4661 §3.4: re-enabling or disabling may omit <what> and <trigger>; a filter enabled for the
      // first time MUST contain one of them.
      if (old) byId.set(e.id, { ...source, ...pick(old) });
      else if (source.enabled === false) byId.set(e.id, source);
      else return { ok: false, defect: `filter: filter ${e.id} has neither <what> nor <trigger>` };
    } else byId.set(e.id, source);
  }
  const bindings = new Map(previous?.bindings ?? []);
  const keptOld = (previous?.filters ?? []).some((f) => !touched.has(f.id));
  for (const [prefix, urn] of incoming.bindings) {
    const was = bindings.get(prefix);
    if (was !== undefined && was !== urn && keptOld) return { ok: false, defect: `filter: prefix ${prefix} bound again to another namespace` };
    bindings.set(prefix, urn);
  }
  // RFC 4660 §5.2: a server MUST check that no two filters are addressed to the same resource or
  // domain and MUST reject the SUBSCRIBE with 488 if they are (§5.2.2: this is also what replacing a
  // filter under a new id is).
  const targets = new Map<string, string>();
  for (const f of byId.values()) {
    const t = targetOf(f, resource);
    const other = targets.get(t);
    if (other !== undefined) return { ok: false, defect: `filter: filters ${other} and ${f.id} are addressed to the same ${f.domain !== undefined ? 'domain' : 'resource'}` };
    targets.set(t, f.id);
  }
  return { ok: true, value: { bindings, filters: [...byId.values()] } };
}

function pick(old: FilterSource): Pick<FilterSource, 'what' | 'triggers' | 'inner'> {
  return { ...(old.what ? { what: old.what } : {}), ...(old.triggers ? { triggers: old.triggers } : {}), inner: old.inner };
}

function escapeAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** The held filters as one filter-set document (what the subscription stores; read back with `parseFilterSet`). */
export function serializeFilters(held: HeldFilters, pkg: string): Buffer {
  const bindings = [...held.bindings].map(([p, u]) => `<ns-binding prefix="${escapeAttr(p)}" urn="${escapeAttr(u)}"/>`).join('');
  const filters = held.filters.map((f) => {
    const attrs = [`id="${escapeAttr(f.id)}"`];
    if (f.uri !== undefined) attrs.push(`uri="${escapeAttr(f.uri)}"`);
    if (f.domain !== undefined) attrs.push(`domain="${escapeAttr(f.domain)}"`);
    if (f.enabled !== undefined) attrs.push(`enabled="${String(f.enabled)}"`);
    return `<filter ${attrs.join(' ')}>${f.inner}</filter>`;
  });
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<filter-set xmlns="${SIMPLE_FILTER_NAMESPACE}" package="${escapeAttr(pkg)}">` +
      `${bindings ? `<ns-bindings>${bindings}</ns-bindings>` : ''}${filters.join('')}</filter-set>\n`,
    'utf8',
  );
}

/**
 * The filter that applies to notifications about `resource` (RFC 4660 §5.2.1): the enabled one
 * addressed to it (no uri, or a uri matching it); else an enabled one addressed to its domain. Filters
 * for other resources or other domains are ignored (§5.2.1: "may be ignored"; a notifier MUST NOT apply
 * a filter for a domain it is not responsible for). Undefined: no filter, the whole authorised state.
 */
export function applicableFilter(held: HeldFilters, resource: string): Filter | undefined {
  const key = identityKey(resource);
  const domain = domainOfIdentity(key);
  let byDomain: FilterSource | undefined;
  for (const f of held.filters) {
    // RFC 4660 §5.3: a disabled filter means the same thing as its absence.
    if (f.enabled === false) continue;
    if (f.domain !== undefined) {
      if (domain !== undefined && domainKey(f.domain) === domain) byDomain = f;
    } else if (f.uri === undefined || identityKey(f.uri) === key) return toFilter(f);
  }
  // RFC 4660 §3.3.2: a resource-specific filter overrides a domain filter.
  return byDomain && toFilter(byDomain);
}

function toFilter(f: FilterSource): Filter {
  const what = f.what && (f.what.include.length || f.what.exclude.length || f.what.excludeOwnPublications) ? f.what : undefined;
  return { id: f.id, enabled: true, triggers: f.triggers ?? [], ...(what ? { what } : {}), ...(f.uri !== undefined ? { uri: f.uri } : {}), ...(f.domain !== undefined ? { domain: f.domain } : {}) };
}
