import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import type { Condition, PresRules, Rule, SubHandling } from '../presence/authorization/model.js';
import { namedWatchers } from '../presence/authorization/rule-edits.js';
import type { NamedWatcher } from '../presence/authorization/rule-edits.js';
import { identityKey } from '../presence/authorization/uri-match.js';
import { OMA_PRES_RULES_AUID, PRES_RULES_AUID } from '../xcap/usages/pres-rules.js';
import { XCAP_ERROR_NAMESPACE } from '../xcap/errors.js';

/**
 * The pure parts of `presenced rules`: where a user's pres-rules document lives, how its rules read as
 * text or JSON, what an edit changed, and what an XCAP refusal means for the user.
 */

/** Which pres-rules application usage: the IETF one (RFC 5025 §9) or the OMA one. */
export type RulesVariant = 'ietf' | 'oma';

/** The MIME type of pres-rules documents (RFC 5025 §9.3). */
export const PRES_RULES_TYPE = 'application/auth-policy+xml';

/**
 * The request path of `aor`'s pres-rules document under `xcapRoot` (e.g. `/xcap`):
 * `pres-rules/users/<aor>/index` (RFC 5025 §9.7) or `org.openmobilealliance.pres-rules/users/<aor>/pres-rules`.
 * The XUI is percent-encoded as one path segment (RFC 4825 §6.3).
 */
export function rulesDocumentPath(xcapRoot: string, aor: string, variant: RulesVariant): string {
  const xui = encodeURIComponent(aor);
  return variant === 'oma' ? `${xcapRoot}/${OMA_PRES_RULES_AUID}/users/${xui}/pres-rules` : `${xcapRoot}/${PRES_RULES_AUID}/users/${xui}/index`;
}

/** One condition in a few words. */
function describeCondition(c: Condition): string {
  switch (c.kind) {
    case 'identity': {
      const parts = [...c.one];
      for (const m of c.many) {
        const except = [...m.exceptIds, ...m.exceptDomains.map((d) => `@${d}`)];
        parts.push(`anyone${m.domain !== undefined ? ` in ${m.domain}` : ''}${except.length ? ` except ${except.join(', ')}` : ''}`);
      }
      return c.empty ? 'unauthenticated watchers' : parts.join(', ');
    }
    case 'sphere':
      return `sphere ${c.tokens.join(' or ')}`;
    case 'validity':
      return `valid ${c.periods.map((p) => `${new Date(p.from).toISOString()} to ${new Date(p.until).toISOString()}`).join(' or ')}`;
    case 'other-identity':
      return 'any watcher no other rule names';
    case 'external-list':
      return `watchers on the list ${c.anchors.join(' or ')}`;
    case 'anonymous-request':
      return 'anonymous watchers';
    case 'unsupported':
      return `unsupported condition ${c.name}`;
  }
}

/** The conditions of a rule joined with "and"; "everyone" for none (RFC 4745 §10.1: an empty condition is TRUE). */
function describeConditions(rule: Rule): string {
  return rule.conditions.length ? rule.conditions.map(describeCondition).join(' and ') : 'everyone';
}

/** A rule that only names watchers by <one>: its watchers are listed instead. */
function onlyNames(rule: Rule): boolean {
  return rule.conditions.length > 0 && rule.conditions.every((c) => c.kind === 'identity' && c.many.length === 0 && !c.empty);
}

/** What `rules list --json` prints: one object. */
export interface RulesListing {
  /** The document read, or null when the user has none (the server then applies its default). */
  readonly document: RulesVariant | null;
  readonly watchers: ReadonlyArray<{ watcher: string; handling: SubHandling | null; rule: string }>;
  readonly rules: ReadonlyArray<{ id: string; handling: SubHandling | null; conditions: string }>;
}

/** The listing of a parsed document (see {@link RulesListing}); a rule without sub-handling has handling null. */
export function rulesListing(rules: PresRules, document: RulesVariant | null): RulesListing {
  return {
    document,
    watchers: namedWatchers(rules).map((w) => ({ watcher: w.watcher, handling: w.subHandling ?? null, rule: w.rule })),
    rules: rules.rules.filter((r) => !onlyNames(r)).map((r) => ({ id: r.id, handling: r.subHandling ?? null, conditions: describeConditions(r) })),
  };
}

/** The listing as lines of text: the named watchers, then the other rules. */
export function formatListing(l: RulesListing): string[] {
  const out: string[] = [];
  const width = Math.max(0, ...l.watchers.map((w) => w.watcher.length));
  out.push(l.watchers.length ? 'watchers:' : 'watchers: none named');
  for (const w of l.watchers) out.push(`  ${w.watcher.padEnd(width)}  ${w.handling ?? 'transformations only'}  (rule ${w.rule})`);
  if (l.rules.length) out.push('other rules:');
  for (const r of l.rules) out.push(`  ${r.id}: ${r.handling ?? 'transformations only'} for ${r.conditions}`);
  return out;
}

/** How a watcher was named before an edit and after it: one line for the user. */
export function describeChange(watcher: string, before: readonly NamedWatcher[], after: readonly NamedWatcher[], handling: SubHandling): string {
  const key = identityKey(watcher);
  const show = (list: readonly NamedWatcher[]): string => {
    const mine = list.filter((w) => w.watcher === key);
    return mine.length ? mine.map((w) => `${w.subHandling ?? 'transformations only'} (rule ${w.rule})`).join(', ') : 'not named in any rule';
  };
  const was = show(before);
  const now = show(after);
  return was === now ? `${key}: already ${handling}, nothing changed` : `${key}: ${was} -> ${now}`;
}

/**
 * The error element and its phrase of an `application/xcap-error+xml` body (RFC 4825 §11), e.g.
 * `schema-validation-error: ...`; undefined when the body is not such a document.
 */
export function xcapErrorText(body: Buffer): string | undefined {
  let root;
  try {
    root = new DOMParser({ onError: () => undefined }).parseFromString(body.toString('utf8'), 'application/xml').documentElement;
  } catch {
    return undefined;
  }
  if (!root || root.namespaceURI !== XCAP_ERROR_NAMESPACE || root.localName !== 'xcap-error') return undefined;
  for (let n = root.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== n.ELEMENT_NODE) continue;
    const e = n as unknown as Element;
    const phrase = e.getAttribute('phrase');
    return phrase ? `${e.localName}: ${phrase}` : (e.localName ?? undefined);
  }
  return undefined;
}

/** Where the request went and with what, for {@link refusalText}. */
export interface RefusalContext {
  readonly aor: string;
  readonly credentials: boolean;
}

/** One line saying why the server refused a request of `presenced rules` and how to fix it. */
export function refusalText(status: number, body: Buffer, contentType: string | null, ctx: RefusalContext): string {
  const text = body.toString('utf8').trim();
  switch (status) {
    case 401:
      return ctx.credentials
        ? '401: the server refused the credentials: check --user and --password'
        : '401: the server asks for credentials: give --user and --password (or --password-stdin)';
    case 403:
      return `403: you may only edit your own rules: ${ctx.aor} must be the user of --user`;
    case 404:
      return text === 'no such user' ? `404: ${ctx.aor} is not a user of the server (see presenced users add)` : `404: ${text || 'not found'}`;
    case 409:
      return `409: the server refused the document: ${(contentType?.startsWith('application/xcap-error+xml') && xcapErrorText(body)) || text || 'conflict'}`;
    case 412:
      return '412: the document changed again while it was being edited: retry';
    default:
      return `${status}${text ? `: ${text}` : ''}`;
  }
}
