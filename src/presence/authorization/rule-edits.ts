import { XMLSerializer } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import type { ParseResult } from '../../sip/message/headers.js';
import { parseUri } from '../../sip/parser/uri.js';
import { childElements, isElement, plainAttribute } from '../../util/xml-dom.js';
import type { PresRules, SubHandling } from './model.js';
import { POLICY_NS, SUB_HANDLING_VALUE } from './model.js';
import { appendIndented, appendRule, create, removeWithLine } from './rule-dom.js';
import { domainKey, domainOfIdentity, identityKey } from './uri-match.js';
import { parseXml } from './xml.js';

/**
 * "Allow / confirm / polite-block / block this watcher" as an edit of a pres-rules document, for
 * `presenced rules`: the watcher is named (<one>) in the rule `presenced_<handling>` and taken out of
 * the rules that would combine with it into another handling. Pure: document in, document out.
 */

const { cp, pr, ocp } = POLICY_NS;

const EXTERNAL_LIST = `{${ocp}}external-list`;
/** Conditions that restrict a rule to some watchers (an identity, a list, or being unlisted or anonymous). */
const IDENTIFYING = new Set([`{${cp}}identity`, EXTERNAL_LIST, `{${ocp}}other-identity`, `{${ocp}}anonymous-request`]);

/** The id of the rule that names the watchers given each handling. */
export const WATCHER_RULES: Readonly<Record<SubHandling, string>> = Object.freeze({
  allow: 'presenced_allow',
  confirm: 'presenced_confirm',
  'polite-block': 'presenced_polite_block',
  block: 'presenced_block',
});

/** The outcome of an edit. */
export interface RuleEdit {
  /** The edited document (UTF-8 XML). */
  readonly document: Buffer;
  /**
   * Rules that may still give the watcher a higher sub-handling when all matching rules are combined
   * (RFC 4745 §10.2) and that the edit cannot change: rules with an external list (the watcher may be on
   * it) and rules without any identity condition. Empty when the edit alone decides.
   */
  readonly unaffected: readonly string[];
}

function subHandlingOf(rule: Element): SubHandling | undefined {
  let best: SubHandling | undefined;
  for (const actions of childElements(rule).filter((e) => isElement(e, cp, 'actions'))) {
    for (const a of childElements(actions)) {
      const v = isElement(a, pr, 'sub-handling') ? (a.textContent ?? '').trim() : '';
      if (v in SUB_HANDLING_VALUE && (best === undefined || SUB_HANDLING_VALUE[v as SubHandling] > SUB_HANDLING_VALUE[best])) best = v as SubHandling;
    }
  }
  return best;
}

const conditionsOf = (rule: Element): Element[] => childElements(rule).filter((e) => isElement(e, cp, 'conditions')).flatMap(childElements);

/** The rule's identity conditions. */
const identitiesOf = (rule: Element): Element[] => conditionsOf(rule).filter((c) => isElement(c, cp, 'identity'));

/** Sets the rule's sub-handling to `handling` (the rule is ours by its id). */
function setSubHandling(rule: Element, handling: SubHandling): void {
  const actions = childElements(rule).find((e) => isElement(e, cp, 'actions'));
  const existing = actions && childElements(actions).filter((a) => isElement(a, pr, 'sub-handling'));
  if (actions && existing && existing.length > 0) {
    for (const extra of existing.slice(1)) removeWithLine(extra);
    existing[0]!.textContent = handling;
    return;
  }
  const a = actions ?? create(rule, cp, 'actions');
  if (!actions) {
    // RFC 4745 §13 ruleType: conditions, actions, transformations, in that order.
    const after = childElements(rule).find((e) => isElement(e, cp, 'transformations'));
    if (after) rule.insertBefore(a, after);
    else appendIndented(rule, a);
  }
  appendIndented(a, create(a, pr, 'sub-handling', handling));
}

/** Names the watcher in our rule for `handling`, creating the rule, its conditions or its identity as needed. */
function nameIn(ruleset: Element, id: string, key: string, handling: SubHandling): void {
  const rule = childElements(ruleset).find((r) => isElement(r, cp, 'rule') && plainAttribute(r, 'id') === id);
  if (!rule) {
    appendRule(ruleset, { id, conditions: [{ identity: [key] }], subHandling: handling, fullView: handling === 'allow' });
    return;
  }
  if (subHandlingOf(rule) !== handling) setSubHandling(rule, handling);
  let conditions = childElements(rule).find((e) => isElement(e, cp, 'conditions'));
  if (!conditions) {
    conditions = create(rule, cp, 'conditions');
    rule.insertBefore(conditions, childElements(rule)[0] ?? null);
  }
  let identity = childElements(conditions).find((e) => isElement(e, cp, 'identity'));
  if (!identity) {
    identity = create(conditions, cp, 'identity');
    appendIndented(conditions, identity);
  }
  const named = childElements(identity).some((o) => isElement(o, cp, 'one') && identityKey(plainAttribute(o, 'id') ?? '') === key);
  if (!named) {
    const one = create(identity, cp, 'one');
    one.setAttribute('id', key);
    appendIndented(identity, one);
  }
}

/**
 * Edits a pres-rules document so that `watcher` gets `handling` (RFC 5025 §3.2.1), its view in the
 * `allow` case being everything:
 * - the watcher's <one> is removed from every other rule with a different sub-handling; a rule whose
 *   identity is left empty is removed (it named only this watcher, and an empty identity would match
 *   anyone unauthenticated);
 * - <many> in rules with a higher sub-handling that would take the watcher in get an <except id>, and
 *   such excepts are removed from rules with a sub-handling not above `handling`;
 * - the watcher is named in the rule {@link WATCHER_RULES}[handling], created if absent.
 * Rules without sub-handling (transformations only) are left alone. The result stays valid against the
 * RFC 4745 / RFC 5025 schemas when the input was. Fails on a document that is not a common-policy
 * ruleset or a watcher that is not a URI.
 */
export function setWatcherHandling(document: Buffer, watcher: string, handling: SubHandling): ParseResult<RuleEdit> {
  const parsedWatcher = parseUri(watcher.trim());
  if (!parsedWatcher.ok) return { ok: false, defect: `pres-rules: watcher ${JSON.stringify(watcher)} is not a URI` };
  const key = identityKey(watcher);
  const domain = domainOfIdentity(key);
  const dom = parseXml(document, 'pres-rules');
  if (!dom.ok) return dom;
  const ruleset = dom.doc.documentElement;
  if (!ruleset || !isElement(ruleset, cp, 'ruleset')) return { ok: false, defect: `pres-rules: root element is not <ruleset> in ${cp}` };
  const target = WATCHER_RULES[handling];
  const unaffected: string[] = [];
  for (const rule of childElements(ruleset).filter((r) => isElement(r, cp, 'rule'))) {
    const id = plainAttribute(rule, 'id') ?? '';
    const sub = subHandlingOf(rule);
    if (id === target || sub === undefined) continue;
    const above = SUB_HANDLING_VALUE[sub] > SUB_HANDLING_VALUE[handling];
    let emptied = false;
    for (const identity of identitiesOf(rule)) {
      let removed = false;
      for (const c of childElements(identity)) {
        if (sub !== handling && isElement(c, cp, 'one') && identityKey(plainAttribute(c, 'id') ?? '') === key) {
          removeWithLine(c);
          removed = true;
        } else if (isElement(c, cp, 'many')) editMany(c, key, domain, above);
      }
      emptied ||= removed && childElements(identity).length === 0;
    }
    if (emptied) {
      removeWithLine(rule);
      continue;
    }
    const kinds = conditionsOf(rule).map((c) => `{${c.namespaceURI ?? ''}}${c.localName ?? ''}`);
    if (above && (kinds.includes(EXTERNAL_LIST) || !kinds.some((k) => IDENTIFYING.has(k)))) unaffected.push(id);
  }
  nameIn(ruleset, target, key, handling);
  const text = new XMLSerializer().serializeToString(dom.doc);
  return { ok: true, value: { document: Buffer.from(text.startsWith('<?xml') ? text : `<?xml version="1.0" encoding="UTF-8"?>\n${text}`, 'utf8'), unaffected } };
}

/**
 * Keeps the watcher out of a <many> of a rule granting more than asked (`above`), or lets it back into
 * one that does not: adds or removes <except id> (RFC 4745 §7.1.3).
 */
function editMany(many: Element, key: string, domain: string | undefined, above: boolean): void {
  const excepts = childElements(many).filter((e) => isElement(e, cp, 'except') && identityKey(plainAttribute(e, 'id') ?? '') === key);
  if (!above) {
    // An <except> that also excludes a domain stays: only the watcher's own exclusion goes.
    for (const e of excepts) if (plainAttribute(e, 'domain') === undefined) removeWithLine(e);
    return;
  }
  const d = plainAttribute(many, 'domain');
  const inDomain = d === undefined || (domain !== undefined && domainKey(d) === domain);
  const domainExcepted = childElements(many).some((e) => {
    const x = isElement(e, cp, 'except') ? plainAttribute(e, 'domain') : undefined;
    return x !== undefined && domain !== undefined && domainKey(x) === domain;
  });
  if (!inDomain || domainExcepted || excepts.length > 0) return;
  const except = create(many, cp, 'except');
  except.setAttribute('id', key);
  appendIndented(many, except);
}

/** A watcher a rule names by <one>, with the rule's sub-handling: a line of `presenced rules list`. */
export interface NamedWatcher {
  /** The watcher's identity key (canonical AOR). */
  readonly watcher: string;
  readonly rule: string;
  /** The rule's sub-handling; undefined for a rule with transformations only. */
  readonly subHandling?: SubHandling;
}

/** Every watcher named by a <one> of a rule (RFC 4745 §7.1.2), in document order. */
export function namedWatchers(rules: PresRules): NamedWatcher[] {
  const out: NamedWatcher[] = [];
  for (const r of rules.rules) {
    for (const c of r.conditions) {
      if (c.kind !== 'identity') continue;
      for (const watcher of c.one) out.push(r.subHandling === undefined ? { watcher, rule: r.id } : { watcher, rule: r.id, subHandling: r.subHandling });
    }
  }
  return out;
}
