import type { PresenceDocument } from '../pidf/model.js';
import { NS } from '../pidf/namespaces.js';
import { childElements, isElement } from '../../util/xml-dom.js';
import type { Condition, EvaluationOrder, PolicyDecision, PresRules, Rule, SubHandling, Watcher } from './model.js';
import { SUB_HANDLING_VALUE } from './model.js';
import { combinePermissions } from './permissions.js';
import { domainOfIdentity, identityKey } from './uri-match.js';

/**
 * Rule evaluation (RFC 4745 §10): the conditions of every rule are evaluated for the watcher, the
 * matching rules form the matching rule set, and their permissions are combined (§10.2).
 */

/** What the conditions are evaluated against besides the watcher. */
export interface EvaluationContext {
  /** Now, in ms since the epoch (validity, RFC 4745 §7.4). */
  readonly now: number;
  /** The presentity's sphere (RFC 5025 §3.1.2); undefined when it is undefined. */
  readonly sphere?: string;
  /** The members (identity keys, see `identityKey`) of each external list, by anchor URI (OMA external-list). */
  readonly lists: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * The presentity's sphere for policy processing (RFC 5025 §3.1.2): the value of the rpid:sphere of the
 * persons of its composed document when at least one has one and all that have one agree; otherwise
 * undefined. The value is the name of the sphere's child element (`work`, `home`, `unknown`, or an
 * extension), or its text when it has none, lower-cased for the case-insensitive comparison of RFC 4745
 * §7.3.
 */
export function presentitySphere(doc: PresenceDocument): string | undefined {
  let value: string | undefined;
  for (const p of doc.persons) {
    for (const el of p.extensions) {
      if (!isElement(el, NS.rpid, 'sphere')) continue;
      const child = childElements(el)[0];
      const v = (child ? (child.localName ?? '') : (el.textContent ?? '').trim()).toLowerCase();
      if (value !== undefined && value !== v) return undefined;
      value = v;
    }
  }
  return value === '' ? undefined : value;
}

/** The watcher as the conditions see it. */
interface Subject {
  /** Has an authenticated, non-anonymous identity: identity conditions can match (RFC 4745 §7.1). */
  readonly identified: boolean;
  readonly anonymous: boolean;
  readonly key: string;
  readonly domain?: string;
}

/** Does one identity condition match? `named` is set when a <one> matched (the watcher is listed by name). */
function identityMatches(c: Extract<Condition, { kind: 'identity' }>, s: Subject): { match: boolean; named: boolean } {
  // RFC 5025 §3.1.1.2: a request without an authenticated identity matches only an empty <identity>.
  if (c.empty) return { match: !s.identified, named: false };
  if (!s.identified) return { match: false, named: false };
  // RFC 4745 §7.1.2: <one> matches exactly the identity in its id.
  if (c.one.includes(s.key)) return { match: true, named: true };
  const many = c.many.some(
    (m) =>
      // RFC 4745 §7.1.3: the domain of the identity, except the enumerated identities and domains.
      (m.domain === undefined || m.domain === s.domain) &&
      !m.exceptIds.includes(s.key) &&
      !(s.domain !== undefined && m.exceptDomains.includes(s.domain)),
  );
  return { match: many, named: false };
}

function onList(c: Extract<Condition, { kind: 'external-list' }>, s: Subject, ctx: EvaluationContext): boolean {
  return s.identified && c.anchors.some((a) => ctx.lists.get(a)?.has(s.key) === true);
}

/** True when an identity or external-list condition of `rule` (each taken alone) matches the watcher. */
function identifies(rule: Rule, s: Subject, ctx: EvaluationContext): boolean {
  return rule.conditions.some(
    (c) => (c.kind === 'identity' && !c.empty && identityMatches(c, s).match) || (c.kind === 'external-list' && onList(c, s, ctx)),
  );
}

interface RuleMatch {
  readonly rule: Rule;
  /** The watcher is named by a <one> or an external list of the rule (a personal or blocking list). */
  readonly named: boolean;
}

function match(rule: Rule, index: number, s: Subject, ctx: EvaluationContext, identifiedBy: readonly boolean[]): RuleMatch | undefined {
  let named = false;
  // RFC 4745 §10.1: a rule matches when all of its conditions evaluate to TRUE.
  for (const c of rule.conditions) {
    switch (c.kind) {
      case 'identity': {
        const r = identityMatches(c, s);
        if (!r.match) return undefined;
        named ||= r.named;
        break;
      }
      case 'sphere':
        // RFC 4745 §7.3: one of the tokens equals the presentity's sphere (case-insensitive).
        if (ctx.sphere === undefined || !c.tokens.includes(ctx.sphere.toLowerCase())) return undefined;
        break;
      case 'validity':
        // RFC 4745 §7.4: now >= some <from> and < the <until> after it.
        if (!c.periods.some((p) => ctx.now >= p.from && ctx.now < p.until)) return undefined;
        break;
      case 'external-list':
        if (!onList(c, s, ctx)) return undefined;
        named = true;
        break;
      case 'other-identity':
        // OMA: an identity that no identity or external-list condition of any other rule matches.
        if (!s.identified || identifiedBy.some((by, i) => by && i !== index)) return undefined;
        break;
      case 'anonymous-request':
        if (!s.anonymous) return undefined;
        break;
      case 'unsupported':
        return undefined;
    }
  }
  return { rule, named };
}

function blocking(m: RuleMatch): boolean {
  return m.named && (m.rule.subHandling === 'block' || m.rule.subHandling === 'polite-block');
}

/**
 * Evaluates `rules` for `watcher` and combines the permissions of the applicable rules (RFC 4745 §10,
 * in the `order` described by {@link EvaluationOrder}). The sub-handling is the maximum over those rules,
 * a rule without one counting as block (RFC 5025 §3.2.1); with no applicable rule it is `block`
 * (`rfc4745`) or `confirm` (`ts23141`) and nothing is granted.
 */
export function evaluateRules(rules: PresRules, watcher: Watcher, ctx: EvaluationContext, order: EvaluationOrder): PolicyDecision {
  const key = identityKey(watcher.identity);
  const domain = domainOfIdentity(key);
  const s: Subject = {
    identified: watcher.authenticated && !watcher.anonymous,
    anonymous: watcher.anonymous,
    key,
    ...(domain !== undefined && { domain }),
  };
  const identifiedBy = rules.rules.map((r) => identifies(r, s, ctx));
  const matched: RuleMatch[] = [];
  rules.rules.forEach((r, i) => {
    const m = match(r, i, s, ctx, identifiedBy);
    if (m) matched.push(m);
  });
  let applicable = matched;
  if (order === 'ts23141') {
    // TS 23.141 §7: blocking lists, then personal lists, then general lists.
    const tiers = [matched.filter(blocking), matched.filter((m) => m.named && !blocking(m)), matched.filter((m) => !m.named)];
    applicable = tiers.find((t) => t.length > 0) ?? [];
  }
  if (applicable.length === 0) {
    return { subHandling: order === 'ts23141' ? 'confirm' : 'block', permissions: combinePermissions([]), rules: [] };
  }
  let subHandling: SubHandling = 'block';
  for (const m of applicable) {
    const v = m.rule.subHandling ?? 'block';
    // RFC 4745 §10.2, RFC 5025 §3.2.1: integer permissions combine as the maximum.
    if (SUB_HANDLING_VALUE[v] > SUB_HANDLING_VALUE[subHandling]) subHandling = v;
  }
  return {
    subHandling,
    permissions: combinePermissions(applicable.map((m) => m.rule.permissions)),
    rules: applicable.map((m) => m.rule.id),
  };
}
