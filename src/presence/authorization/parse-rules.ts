import type { Element } from '@xmldom/xmldom';
import type { ParseResult } from '../../sip/message/headers.js';
import type { ScreenLimits } from '../../util/xml-guard.js';
import { childElements, isElement, plainAttribute } from '../../util/xml-dom.js';
import type { AttributePermission, Condition, GeoprivLevel, ManyCondition, PresRules, Rule, SubHandling, UserInputLevel } from './model.js';
import { OMA_ATTRIBUTES, POLICY_NS, RFC5025_ATTRIBUTES, SUB_HANDLING_VALUE, USER_INPUT_VALUE } from './model.js';
import { domainKey, identityKey } from './uri-match.js';
import { DEFAULT_RULES_LIMITS, parseXml } from './xml.js';

/**
 * Reading a pres-rules document (RFC 5025, RFC 4745, OMA pres-rules) into {@link PresRules}.
 *
 * The document is a privacy policy, so reading it is privacy-safe rather than strict (RFC 5025 §10):
 * a condition it does not understand makes its rule never apply (RFC 4745 §7), an identity child it does
 * not understand never matches (§7.1.1), an action or transformation it does not understand or whose
 * value is invalid grants nothing. Schema validity is enforced where documents are written (XCAP).
 */

const { cp, pr, ocp, opr } = POLICY_NS;

const BOOLEAN_PERMISSIONS = new Map<string, AttributePermission>([
  ...RFC5025_ATTRIBUTES.map((a) => [`{${pr}}provide-${a}`, a] as const),
  ...OMA_ATTRIBUTES.map((a) => [`{${opr}}provide-${a}`, a] as const),
]);

const qname = (el: Element): string => `{${el.namespaceURI ?? ''}}${el.localName ?? ''}`;
const text = (el: Element): string => (el.textContent ?? '').trim();

/** xs:boolean (XML Schema 2 §3.2.2): true, false, 1, 0. */
function xsBoolean(el: Element): boolean | undefined {
  const v = text(el);
  return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : undefined;
}

// xs:dateTime (XML Schema 2 §3.2.7); a value without a time zone is taken as UTC.
const DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function dateTime(el: Element): number {
  const v = text(el);
  const m = DATE_TIME.exec(v);
  return m ? Date.parse(m[1] === undefined ? `${v}Z` : v) : Number.NaN;
}

function readIdentity(el: Element): Condition {
  const one: string[] = [];
  const many: ManyCondition[] = [];
  const children = childElements(el);
  for (const c of children) {
    if (isElement(c, cp, 'one')) {
      const id = plainAttribute(c, 'id');
      if (id) one.push(identityKey(id));
    } else if (isElement(c, cp, 'many')) {
      const domain = plainAttribute(c, 'domain');
      const exceptIds: string[] = [];
      const exceptDomains: string[] = [];
      for (const e of childElements(c)) {
        // RFC 4745 §7.1.3: <except> excludes users by id or by domain; other children are ignored.
        if (!isElement(e, cp, 'except')) continue;
        const id = plainAttribute(e, 'id');
        const d = plainAttribute(e, 'domain');
        if (id) exceptIds.push(identityKey(id));
        if (d) exceptDomains.push(domainKey(d));
      }
      many.push(domain === undefined ? { exceptIds, exceptDomains } : { domain: domainKey(domain), exceptIds, exceptDomains });
    }
    // RFC 4745 §7.1.1: a child in a namespace not known or not supported evaluates to FALSE.
  }
  return { kind: 'identity', one, many, empty: children.length === 0 };
}

function readValidity(el: Element): Condition {
  const periods: { from: number; until: number }[] = [];
  let from: number | undefined;
  // RFC 4745 §7.4: <from> and <until> come in pairs; each pair is one period, combined by OR.
  for (const c of childElements(el)) {
    if (isElement(c, cp, 'from')) from = dateTime(c);
    else if (isElement(c, cp, 'until') && from !== undefined) {
      const until = dateTime(c);
      if (!Number.isNaN(from) && !Number.isNaN(until)) periods.push({ from, until });
      from = undefined;
    }
  }
  return { kind: 'validity', periods };
}

function readCondition(el: Element): Condition {
  if (isElement(el, cp, 'identity')) return readIdentity(el);
  if (isElement(el, cp, 'sphere')) {
    // RFC 4745 §7.3: the value may hold several blank-separated tokens, compared case-insensitively.
    const tokens = (plainAttribute(el, 'value') ?? '').split(/\s+/).filter(Boolean).map((t) => t.toLowerCase());
    return { kind: 'sphere', tokens };
  }
  if (isElement(el, cp, 'validity')) return readValidity(el);
  if (isElement(el, ocp, 'other-identity')) return { kind: 'other-identity' };
  if (isElement(el, ocp, 'anonymous-request')) return { kind: 'anonymous-request' };
  if (isElement(el, ocp, 'external-list')) {
    const anchors = childElements(el)
      .filter((e) => isElement(e, ocp, 'entry'))
      .map((e) => plainAttribute(e, 'anc')?.trim() ?? '')
      .filter(Boolean);
    return { kind: 'external-list', anchors };
  }
  // RFC 4745 §7: a condition in a namespace not known or not supported evaluates to FALSE.
  return { kind: 'unsupported', name: qname(el) };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Builder {
  services: { all: boolean; classes: Set<string>; occurrenceIds: Set<string>; serviceUris: Set<string>; serviceUriSchemes: Set<string>; serviceIds: Set<string> };
  persons: { all: boolean; classes: Set<string>; occurrenceIds: Set<string> };
  devices: { all: boolean; classes: Set<string>; occurrenceIds: Set<string>; deviceIds: Set<string> };
  allAttributes: boolean;
  attributes: Set<AttributePermission>;
  userInput: UserInputLevel;
  geopriv: GeoprivLevel;
  unknownAttributes: Set<string>;
}

function builder(): Builder {
  return {
    services: { all: false, classes: new Set(), occurrenceIds: new Set(), serviceUris: new Set(), serviceUriSchemes: new Set(), serviceIds: new Set() },
    persons: { all: false, classes: new Set(), occurrenceIds: new Set() },
    devices: { all: false, classes: new Set(), occurrenceIds: new Set(), deviceIds: new Set() },
    allAttributes: false,
    attributes: new Set(),
    userInput: 'false',
    geopriv: 'false',
    unknownAttributes: new Set(),
  };
}

/** The members of a provide-services / persons / devices set (RFC 5025 §3.3.1); unknown ones grant nothing. */
function readSelector(el: Element, target: Builder['services'] | Builder['persons'] | Builder['devices'], all: string): void {
  for (const c of childElements(el)) {
    const v = text(c);
    if (isElement(c, pr, all)) target.all = true;
    else if (isElement(c, pr, 'class')) target.classes.add(v);
    else if (isElement(c, pr, 'occurrence-id')) target.occurrenceIds.add(v);
    else if ('deviceIds' in target && isElement(c, pr, 'deviceID')) target.deviceIds.add(v);
    else if ('serviceUris' in target && isElement(c, pr, 'service-uri')) target.serviceUris.add(v);
    else if ('serviceUris' in target && isElement(c, pr, 'service-uri-scheme')) target.serviceUriSchemes.add(v);
    else if ('serviceIds' in target && isElement(c, opr, 'service-id')) target.serviceIds.add(v);
  }
}

function readTransformation(el: Element, b: Builder): void {
  const name = qname(el);
  const permission = BOOLEAN_PERMISSIONS.get(name);
  if (permission !== undefined) {
    if (xsBoolean(el) === true) b.attributes.add(permission);
    return;
  }
  if (isElement(el, pr, 'provide-services')) readSelector(el, b.services, 'all-services');
  else if (isElement(el, pr, 'provide-persons')) readSelector(el, b.persons, 'all-persons');
  else if (isElement(el, pr, 'provide-devices')) readSelector(el, b.devices, 'all-devices');
  else if (isElement(el, pr, 'provide-all-attributes')) b.allAttributes = true;
  else if (isElement(el, pr, 'provide-user-input')) {
    const v = text(el);
    if (v in USER_INPUT_VALUE && USER_INPUT_VALUE[v as UserInputLevel] > USER_INPUT_VALUE[b.userInput]) b.userInput = v as UserInputLevel;
  } else if (isElement(el, opr, 'provide-geopriv')) {
    if (text(el) === 'full') b.geopriv = 'full';
  } else if (isElement(el, pr, 'provide-unknown-attribute')) {
    // RFC 5025 §3.3.2.14: `name` is an unqualified element name and `ns` a namespace URI, both required.
    const local = plainAttribute(el, 'name')?.trim();
    const ns = plainAttribute(el, 'ns')?.trim();
    if (local && !local.includes(':') && ns !== undefined && xsBoolean(el) === true) b.unknownAttributes.add(`{${ns}}${local}`);
  }
}

function readRule(el: Element): Rule {
  const conditions: Condition[] = [];
  let subHandling: SubHandling | undefined;
  const b = builder();
  for (const part of childElements(el)) {
    if (isElement(part, cp, 'conditions')) {
      for (const c of childElements(part)) conditions.push(readCondition(c));
    } else if (isElement(part, cp, 'actions')) {
      for (const a of childElements(part)) {
        if (!isElement(a, pr, 'sub-handling')) continue;
        const v = text(a);
        if (v in SUB_HANDLING_VALUE && (subHandling === undefined || SUB_HANDLING_VALUE[v as SubHandling] > SUB_HANDLING_VALUE[subHandling])) {
          subHandling = v as SubHandling;
        }
      }
    } else if (isElement(part, cp, 'transformations')) {
      for (const t of childElements(part)) readTransformation(t, b);
    }
  }
  const rule: Mutable<Rule> = { id: plainAttribute(el, 'id') ?? '', conditions, permissions: b };
  if (subHandling !== undefined) rule.subHandling = subHandling;
  return rule;
}

/**
 * Parses a pres-rules document (`application/auth-policy+xml`). Fails, with a `pres-rules: …` defect,
 * only when the body is refused by the XML screening (size, encoding, DTDs, entities; see `screenXml`),
 * is not well-formed, or its root is not a common-policy <ruleset> (RFC 4745 §13). Never throws.
 */
export function parsePresRules(body: Buffer, limits: ScreenLimits = DEFAULT_RULES_LIMITS): ParseResult<PresRules> {
  const dom = parseXml(body, 'pres-rules', limits);
  if (!dom.ok) return dom;
  const root = dom.doc.documentElement;
  if (!root || !isElement(root, cp, 'ruleset')) return { ok: false, defect: `pres-rules: root element is not <ruleset> in ${cp}` };
  const rules = childElements(root)
    .filter((r) => isElement(r, cp, 'rule'))
    .map(readRule);
  const anchors = new Set<string>();
  let usesSphere = false;
  for (const r of rules) {
    for (const c of r.conditions) {
      if (c.kind === 'external-list') for (const a of c.anchors) anchors.add(a);
      else if (c.kind === 'sphere') usesSphere = true;
    }
  }
  return { ok: true, value: { rules, anchors: [...anchors], usesSphere } };
}
