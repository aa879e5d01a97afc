import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Element, Node } from '@xmldom/xmldom';
import { PresRulesAuthorizer } from '../../../../src/presence/authorization/authorizer.js';
import type { EvaluationOrder, SubHandling } from '../../../../src/presence/authorization/model.js';
import { ANONYMOUS_WATCHER, SUB_HANDLING_VALUE } from '../../../../src/presence/authorization/model.js';
import type { PresenceComponent, PresenceDocument } from '../../../../src/presence/pidf/model.js';
import { childElements } from '../../../../src/util/xml-dom.js';
import { PIDF, PresencePackage } from '../../../../src/presence/presence-package.js';
import { MemoryStores } from '../../../../src/store/memory/memory-stores.js';
import type { SubscriptionRecord } from '../../../../src/store/ports.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { parseOk } from '../pidf/helpers.js';
import { MemorySource, ruleset } from './helpers.js';

/**
 * Issue 4 property: for random composed documents, random rule sets and random watchers, the document a
 * watcher receives never holds a tuple, person, device, element or attribute the rules do not grant,
 * and a watcher the rules do not allow never receives real presence. The grants are computed here from
 * the generated rules by a reference reading of RFC 4745 and RFC 5025 written for this test (the union
 * over every matching rule, which bounds the TS 23.141 order too).
 */

const CASES = 400;
const SEED = 0x5025;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NS = {
  pidf: 'urn:ietf:params:xml:ns:pidf',
  dm: 'urn:ietf:params:xml:ns:pidf:data-model',
  rpid: 'urn:ietf:params:xml:ns:pidf:rpid',
  op: 'urn:oma:xml:prs:pidf:oma-pres',
  gp: 'urn:ietf:params:xml:ns:pidf:geopriv10',
  caps: 'urn:ietf:params:xml:ns:pidf:caps',
  c: 'urn:ietf:params:xml:ns:pidf:cipid',
  v: 'urn:vendor-specific:foo-namespace',
  lt: 'urn:ietf:params:xml:ns:location-type',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

const CLASSES = ['work', 'home', 'family'];
const SERVICE_IDS = ['org.openmobilealliance:PoC-session', 'org.3gpp.urn:urn-7:3gpp-service.ims.icsi.mmtel'];
const CONTACTS = ['sip:alice@pc.example.com', 'mailto:alice@example.com', 'im:alice@example.com', 'tel:+15550100'];
const DEVICE_IDS = ['urn:uuid:d1', 'urn:uuid:d2'];
const WATCHERS = ['sip:bob@example.com', 'sip:carol@example.com', 'sip:dan@other.example', 'tel:+15550199', ANONYMOUS_WATCHER];
const LISTS: Record<string, string[]> = { 'http://xcap/a': ['sip:bob@example.com'], 'http://xcap/b': ['sip:carol@example.com', 'sip:dan@other.example'] };
const NOW = Date.parse('2024-06-01T12:00:00Z');

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rng, p: number): boolean => r() < p;
const some = <T>(r: Rng, xs: readonly T[], p = 0.4): T[] => xs.filter(() => chance(r, p));

// ---- documents ----

let secret = 0;
const s = (): string => `S${++secret}`;

/** Candidate children of each kind of component: [qualified name, markup]. */
function tupleChildren(r: Rng): string[] {
  const status = [
    ...(chance(r, 0.85) ? [`<basic>${pick(r, ['open', 'closed'])}</basic>`] : []),
    ...(chance(r, 0.3) ? [`<gp:geopriv><gp:location-info><gp:text>${s()}</gp:text></gp:location-info><gp:usage-rules/></gp:geopriv>`] : []),
    ...(chance(r, 0.2) ? [`<v:mode>${s()}</v:mode>`] : []),
  ];
  if (status.length === 0) status.push('<basic>open</basic>');
  const optional = [
    `<rpid:class>${pick(r, CLASSES)}</rpid:class>`,
    `<dm:deviceID>${pick(r, DEVICE_IDS)}</dm:deviceID>`,
    '<rpid:privacy><rpid:text/></rpid:privacy>',
    '<rpid:relationship><rpid:family/></rpid:relationship>',
    '<rpid:service-class><rpid:electronic/></rpid:service-class>',
    `<rpid:status-icon>http://example.com/${s()}.png</rpid:status-icon>`,
    `<rpid:user-input idle-threshold="600" last-input="2024-06-01T11:00:00Z" v:extra="${s()}">idle</rpid:user-input>`,
    '<op:willingness><op:basic>open</op:basic></op:willingness>',
    '<op:session-participation><op:basic>closed</op:basic></op:session-participation>',
    '<op:registration-state>active</op:registration-state>',
    '<op:barring-state>terminated</op:barring-state>',
    `<op:service-description><op:service-id>${pick(r, SERVICE_IDS)}</op:service-id><op:version>1.0</op:version></op:service-description>`,
    '<caps:servcaps><caps:audio>true</caps:audio></caps:servcaps>',
    `<v:foo>${s()}</v:foo>`,
    `<v:bar>${s()}</v:bar>`,
    `<c:display-name>${s()}</c:display-name>`,
    `<!-- ${s()} -->`,
  ];
  return [
    `<status${chance(r, 0.1) ? ` v:since="${s()}"` : ''}>${status.join('')}</status>`,
    ...some(r, optional),
    ...(chance(r, 0.8) ? [`<contact>${pick(r, CONTACTS)}</contact>`] : []),
    ...(chance(r, 0.5) ? [`<note>${s()}</note>`] : []),
    ...(chance(r, 0.5) ? ['<timestamp>2024-06-01T11:59:00Z</timestamp>'] : []),
  ];
}

function personChildren(r: Rng, sphere: string | undefined): string[] {
  return [
    ...some(r, [
      `<rpid:activities><rpid:meeting/><rpid:note>${s()}</rpid:note></rpid:activities>`,
      `<rpid:class>${pick(r, CLASSES)}</rpid:class>`,
      '<rpid:mood><rpid:happy/></rpid:mood>',
      '<rpid:place-is><rpid:audio><rpid:noisy/></rpid:audio></rpid:place-is>',
      '<rpid:place-type><lt:office/></rpid:place-type>',
      '<rpid:privacy><rpid:audio/></rpid:privacy>',
      `<rpid:status-icon>http://example.com/${s()}.png</rpid:status-icon>`,
      '<rpid:time-offset>120</rpid:time-offset>',
      `<rpid:user-input idle-threshold="300" last-input="2024-06-01T11:30:00Z">idle</rpid:user-input>`,
      '<op:overriding-willingness><op:basic>closed</op:basic></op:overriding-willingness>',
      `<c:display-name>${s()}</c:display-name>`,
      `<v:foo>${s()}</v:foo>`,
      `<dm:note>${s()}</dm:note>`,
      '<dm:timestamp>2024-06-01T11:58:00Z</dm:timestamp>',
    ]),
    ...(sphere ? [`<rpid:sphere><rpid:${sphere}/></rpid:sphere>`] : []),
  ];
}

function deviceChildren(r: Rng): string[] {
  return [
    ...some(r, [
      `<rpid:class>${pick(r, CLASSES)}</rpid:class>`,
      `<rpid:user-input idle-threshold="60">active</rpid:user-input>`,
      '<op:network-availability><op:network id="IMS"><op:active/></op:network></op:network-availability>',
      '<caps:devcaps><caps:mobility><caps:supported><caps:fixed/></caps:supported></caps:mobility></caps:devcaps>',
      `<v:foo>${s()}</v:foo>`,
      `<dm:note>${s()}</dm:note>`,
      '<dm:timestamp>2024-06-01T11:57:00Z</dm:timestamp>',
    ]),
    ...(chance(r, 0.8) ? [`<dm:deviceID>${pick(r, DEVICE_IDS)}</dm:deviceID>`] : []),
  ];
}

/** One publication of the presentity; component ids carry the publication index so all are composed. */
function publication(r: Rng, entity: string, index: number, spheres: string[]): Buffer {
  const parts: string[] = [];
  const n = (k: string, i: number): string => `${k}${index}-${i}`;
  for (let i = 0; i < 1 + Math.floor(r() * 3); i++) {
    const attrs = chance(r, 0.2) ? ` v:tag="${s()}"` : '';
    parts.push(`<tuple id="${n('t', i)}"${attrs}>${tupleChildren(r).join('')}</tuple>`);
  }
  if (chance(r, 0.3)) parts.push(`<note>${s()}</note>`);
  for (let i = 0; i < Math.floor(r() * 3); i++) {
    const sphere = chance(r, 0.4) ? pick(r, ['work', 'home']) : undefined;
    if (sphere) spheres.push(sphere);
    parts.push(`<dm:person id="${n('p', i)}">${personChildren(r, sphere).join('')}</dm:person>`);
  }
  for (let i = 0; i < Math.floor(r() * 3); i++) parts.push(`<dm:device id="${n('d', i)}">${deviceChildren(r).join('')}</dm:device>`);
  if (chance(r, 0.2)) parts.push(`<v:top>${s()}</v:top>`);
  const decl = Object.entries(NS)
    .filter(([p]) => p !== 'pidf' && p !== 'xml')
    .map(([p, uri]) => ` xmlns:${p}="${uri}"`)
    .join('');
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="${NS.pidf}"${decl} entity="${entity}">${parts.join('')}</presence>`);
}

// ---- rules ----

type Cond =
  | { k: 'one'; ids: string[] }
  | { k: 'many'; domain?: string; exceptIds: string[]; exceptDomains: string[] }
  | { k: 'list'; anchor: string }
  | { k: 'other' }
  | { k: 'anon' }
  | { k: 'sphere'; tokens: string[] }
  | { k: 'validity'; inside: boolean };

interface Selector {
  all: boolean;
  classes: string[];
  ids: string[];
  schemes: string[];
  uris: string[];
  serviceIds: string[];
  deviceIds: string[];
}

interface Grant {
  services: Selector;
  persons: Selector;
  devices: Selector;
  bools: string[];
  userInput: 'false' | 'bare' | 'thresholds' | 'full';
  geopriv: 'false' | 'full';
  unknown: string[];
  all: boolean;
}

interface GenRule {
  id: string;
  conds: Cond[];
  sub?: SubHandling;
  grant: Grant;
}

const BOOLS = ['activities', 'class', 'deviceID', 'mood', 'place-is', 'place-type', 'privacy', 'relationship', 'sphere', 'status-icon', 'time-offset', 'note'];
const OMA_BOOLS = ['willingness', 'network-availability', 'session-participation', 'registration-state', 'barring-state'];
const UNKNOWN_CANDIDATES = [`{${NS.v}}foo`, `{${NS.v}}mode`, `{${NS.c}}display-name`, `{${NS.rpid}}mood`, `{${NS.pidf}}note`, `{${NS.caps}}servcaps`];

function selector(r: Rng, kind: 'services' | 'persons' | 'devices'): Selector {
  const all = chance(r, 0.3);
  return {
    all,
    classes: all ? [] : some(r, CLASSES, 0.3),
    ids: all ? [] : some(r, ['t0-0', 't1-0', 'p0-0', 'd0-0', 'd1-1'], 0.2),
    schemes: kind === 'services' && !all ? some(r, ['sip', 'mailto', 'im'], 0.2) : [],
    uris: kind === 'services' && !all ? some(r, ['sip:alice@PC.example.com', 'tel:+1-555-0100'], 0.2) : [],
    serviceIds: kind === 'services' && !all ? some(r, SERVICE_IDS, 0.2) : [],
    deviceIds: kind === 'devices' && !all ? some(r, DEVICE_IDS, 0.2) : [],
  };
}

function genRule(r: Rng, i: number): GenRule {
  const conds: Cond[] = [];
  const kinds = some(r, ['identity', 'list', 'other', 'anon', 'sphere', 'validity'] as const, 0.3);
  for (const k of kinds) {
    if (k === 'identity') {
      conds.push(
        chance(r, 0.5)
          ? { k: 'one', ids: some(r, WATCHERS.slice(0, 4), 0.4) }
          : { k: 'many', ...(chance(r, 0.5) && { domain: pick(r, ['example.com', 'other.example']) }), exceptIds: some(r, WATCHERS.slice(0, 3), 0.2), exceptDomains: some(r, ['other.example'], 0.2) },
      );
    } else if (k === 'list') conds.push({ k: 'list', anchor: pick(r, Object.keys(LISTS)) });
    else if (k === 'other') conds.push({ k: 'other' });
    else if (k === 'anon') conds.push({ k: 'anon' });
    else if (k === 'sphere') conds.push({ k: 'sphere', tokens: some(r, ['work', 'home', 'travel'], 0.5) });
    else conds.push({ k: 'validity', inside: chance(r, 0.6) });
  }
  const levels = ['false', 'bare', 'thresholds', 'full'] as const;
  const grant: Grant = {
    services: selector(r, 'services'),
    persons: selector(r, 'persons'),
    devices: selector(r, 'devices'),
    bools: some(r, [...BOOLS, ...OMA_BOOLS], 0.3),
    userInput: pick(r, levels),
    geopriv: chance(r, 0.4) ? 'full' : 'false',
    unknown: some(r, UNKNOWN_CANDIDATES, 0.3),
    all: chance(r, 0.1),
  };
  const subs: Array<SubHandling | undefined> = ['block', 'confirm', 'polite-block', 'allow', 'allow', undefined];
  const sub = pick(r, subs);
  return { id: `r${i}`, conds, ...(sub !== undefined && { sub }), grant };
}

function condXml(c: Cond): string {
  switch (c.k) {
    case 'one':
      return c.ids.length ? `<cr:identity>${c.ids.map((id) => `<cr:one id="${id}"/>`).join('')}</cr:identity>` : '<cr:identity><cr:one id="sip:nobody@example.com"/></cr:identity>';
    case 'many': {
      const ex = [...c.exceptIds.map((id) => `<cr:except id="${id}"/>`), ...c.exceptDomains.map((d) => `<cr:except domain="${d}"/>`)].join('');
      return `<cr:identity><cr:many${c.domain ? ` domain="${c.domain}"` : ''}>${ex}</cr:many></cr:identity>`;
    }
    case 'list':
      return `<ocp:external-list><ocp:entry anc="${c.anchor}"/></ocp:external-list>`;
    case 'other':
      return '<ocp:other-identity/>';
    case 'anon':
      return '<ocp:anonymous-request/>';
    case 'sphere':
      return `<cr:sphere value="${c.tokens.join(' ')}"/>`;
    case 'validity':
      return c.inside
        ? '<cr:validity><cr:from>2024-06-01T00:00:00Z</cr:from><cr:until>2024-06-02T00:00:00Z</cr:until></cr:validity>'
        : '<cr:validity><cr:from>2024-05-01T00:00:00Z</cr:from><cr:until>2024-05-02T00:00:00Z</cr:until></cr:validity>';
  }
}

function selectorXml(name: string, all: string, sel: Selector): string {
  if (sel.all) return `<pr:${name}><pr:${all}/></pr:${name}>`;
  const members = [
    ...sel.classes.map((x) => `<pr:class>${x}</pr:class>`),
    ...sel.ids.map((x) => `<pr:occurrence-id>${x}</pr:occurrence-id>`),
    ...sel.schemes.map((x) => `<pr:service-uri-scheme>${x}</pr:service-uri-scheme>`),
    ...sel.uris.map((x) => `<pr:service-uri>${x}</pr:service-uri>`),
    ...sel.serviceIds.map((x) => `<op:service-id>${x}</op:service-id>`),
    ...sel.deviceIds.map((x) => `<pr:deviceID>${x}</pr:deviceID>`),
  ];
  return members.length ? `<pr:${name}>${members.join('')}</pr:${name}>` : '';
}

function ruleXml(g: GenRule): string {
  const t = g.grant;
  const transformations = [
    selectorXml('provide-services', 'all-services', t.services),
    selectorXml('provide-persons', 'all-persons', t.persons),
    selectorXml('provide-devices', 'all-devices', t.devices),
    ...t.bools.map((b) => (BOOLS.includes(b) ? `<pr:provide-${b}>true</pr:provide-${b}>` : `<op:provide-${b}>true</op:provide-${b}>`)),
    `<pr:provide-user-input>${t.userInput}</pr:provide-user-input>`,
    `<op:provide-geopriv>${t.geopriv}</op:provide-geopriv>`,
    ...t.unknown.map((q) => {
      const [, ns, name] = /^\{(.*)\}(.*)$/.exec(q)!;
      return `<pr:provide-unknown-attribute ns="${ns}" name="${name}">true</pr:provide-unknown-attribute>`;
    }),
    ...(t.all ? ['<pr:provide-all-attributes/>'] : []),
  ].join('');
  const actions = g.sub ? `<cr:actions><pr:sub-handling>${g.sub}</pr:sub-handling></cr:actions>` : '';
  return `<cr:rule id="${g.id}"><cr:conditions>${g.conds.map(condXml).join('')}</cr:conditions>${actions}<cr:transformations>${transformations}</cr:transformations></cr:rule>`;
}

// ---- the reference reading of the rules ----

interface Subject {
  identified: boolean;
  anonymous: boolean;
  id: string;
  domain?: string;
}

function identifies(c: Cond, w: Subject): boolean {
  if (!w.identified) return false;
  if (c.k === 'one') return c.ids.includes(w.id);
  if (c.k === 'many') return (c.domain === undefined || c.domain === w.domain) && !c.exceptIds.includes(w.id) && !(w.domain !== undefined && c.exceptDomains.includes(w.domain));
  if (c.k === 'list') return LISTS[c.anchor]!.includes(w.id);
  return false;
}

function matches(rules: GenRule[], i: number, w: Subject, sphere: string | undefined): boolean {
  return rules[i]!.conds.every((c) => {
    switch (c.k) {
      case 'one':
      case 'many':
      case 'list':
        return identifies(c, w);
      case 'other':
        return w.identified && !rules.some((r, j) => j !== i && r.conds.some((x) => identifies(x, w)));
      case 'anon':
        return w.anonymous;
      case 'sphere':
        return sphere !== undefined && c.tokens.includes(sphere);
      case 'validity':
        return c.inside;
    }
  });
}

/** What the union of every matching rule grants: an upper bound of the view in either order. */
interface Bound {
  sub: SubHandling;
  matched: GenRule[];
}

function bound(rules: GenRule[], watcher: string, sphere: string | undefined): Bound {
  const anonymous = watcher === ANONYMOUS_WATCHER;
  const w: Subject = { identified: !anonymous, anonymous, id: watcher, ...(watcher.startsWith('sip:') && { domain: watcher.split('@')[1]! }) };
  const matched = rules.filter((_r, i) => matches(rules, i, w, sphere));
  let sub: SubHandling = 'block';
  for (const r of matched) if (SUB_HANDLING_VALUE[r.sub ?? 'block'] > SUB_HANDLING_VALUE[sub]) sub = r.sub ?? 'block';
  return { sub, matched };
}

const any = (b: Bound, f: (g: Grant) => boolean): boolean => b.matched.some((r) => f(r.grant));

function selects(b: Bound, kind: PresenceComponent['kind'], c: PresenceComponent): boolean {
  const key = kind === 'tuple' ? 'services' : kind === 'person' ? 'persons' : 'devices';
  return any(b, (g) => {
    const sel = g[key];
    if (sel.all || sel.ids.includes(c.id) || (c.class !== undefined && sel.classes.includes(c.class))) return true;
    if (c.kind === 'tuple') {
      const uri = c.contact?.uri;
      if (c.serviceDescription && sel.serviceIds.includes(c.serviceDescription.serviceId)) return true;
      if (uri && sel.schemes.includes(uri.split(':')[0]!)) return true;
      if (uri === 'sip:alice@pc.example.com' && sel.uris.includes('sip:alice@PC.example.com')) return true;
      if (uri === 'tel:+15550100' && sel.uris.includes('tel:+1-555-0100')) return true;
    }
    if (c.kind === 'device' && c.deviceId !== undefined && sel.deviceIds.includes(c.deviceId)) return true;
    return false;
  });
}

const q = (el: Element): string => `{${el.namespaceURI ?? ''}}${el.localName ?? ''}`;

// RFC 5025 §3.3.2 and the OMA pres-rules: the element each permission covers, and what is always there.
const ALWAYS: Record<PresenceComponent['kind'], string[]> = {
  tuple: [`{${NS.pidf}}status`, `{${NS.pidf}}contact`, `{${NS.pidf}}timestamp`, `{${NS.rpid}}service-class`, `{${NS.op}}service-description`],
  person: [`{${NS.dm}}timestamp`],
  device: [`{${NS.dm}}timestamp`, `{${NS.dm}}deviceID`],
};
const PERMISSION_OF: Record<string, string> = {
  [`{${NS.pidf}}note`]: 'note',
  [`{${NS.dm}}note`]: 'note',
  [`{${NS.dm}}deviceID`]: 'deviceID',
  [`{${NS.op}}willingness`]: 'willingness',
  [`{${NS.op}}overriding-willingness`]: 'willingness',
  [`{${NS.op}}session-participation`]: 'session-participation',
  [`{${NS.op}}registration-state`]: 'registration-state',
  [`{${NS.op}}barring-state`]: 'barring-state',
  [`{${NS.op}}network-availability`]: 'network-availability',
  ...Object.fromEntries(['activities', 'class', 'mood', 'place-is', 'place-type', 'privacy', 'relationship', 'sphere', 'status-icon', 'time-offset'].map((a) => [`{${NS.rpid}}${a}`, a])),
};
const USER_INPUT = `{${NS.rpid}}user-input`;
const GEOPRIV = `{${NS.gp}}geopriv`;

function childGranted(b: Bound, kind: PresenceComponent['kind'] | 'status', el: Element): boolean {
  const name = q(el);
  if (any(b, (g) => g.all)) return true;
  if (kind === 'status') {
    if (name === `{${NS.pidf}}basic`) return true;
    if (name === GEOPRIV) return any(b, (g) => g.geopriv === 'full');
    return any(b, (g) => g.unknown.includes(name));
  }
  if (ALWAYS[kind].includes(name)) return true;
  if (name === USER_INPUT) return any(b, (g) => g.userInput !== 'false');
  if (name === GEOPRIV) return any(b, (g) => g.geopriv === 'full');
  const permission = PERMISSION_OF[name];
  if (permission === 'class') {
    // The class a component is selected by stays (RFC 5025 §4).
    const key = kind === 'tuple' ? 'services' : kind === 'person' ? 'persons' : 'devices';
    return any(b, (g) => g.bools.includes('class') || (!g[key].all && g[key].classes.includes((el.textContent ?? '').trim())));
  }
  if (permission !== undefined) return any(b, (g) => g.bools.includes(permission));
  return any(b, (g) => g.unknown.includes(name));
}

function attributes(el: Element): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (a.namespaceURI !== 'http://www.w3.org/2000/xmlns/') out.set(`{${a.namespaceURI ?? ''}}${a.localName ?? ''}`, a.value);
  }
  return out;
}

/** Canonical text of an element: name, attributes, children (text trimmed), ignoring prefixes. */
function canon(el: Element): string {
  const attrs = [...attributes(el)].sort().map(([k, v]) => `${k}=${v}`).join(',');
  const kids: string[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) kids.push(canon(n as Element));
    else if (n.nodeType === 3 && (n.nodeValue ?? '').trim()) kids.push(JSON.stringify((n.nodeValue ?? '').trim()));
  }
  return `${q(el)}[${attrs}](${kids.join(' ')})`;
}

/** Checks one delivered component against the original and the bound. */
function checkComponent(b: Bound, original: PresenceComponent, got: PresenceComponent, where: string): void {
  assert.ok(selects(b, original.kind, original), `${where}: ${original.kind} ${original.id} is not granted`);
  const allAttributes = any(b, (g) => g.all);
  for (const [name] of attributes(got.element)) {
    const ok = name === '{}id' || name === `{${NS.xml}}lang` || (allAttributes && attributes(original.element).has(name));
    assert.ok(ok, `${where}: attribute ${name} on ${got.id}`);
  }
  const originals = childElements(original.element);
  const level = b.matched.reduce((m, r) => Math.max(m, ['false', 'bare', 'thresholds', 'full'].indexOf(r.grant.userInput)), 0);
  const checkChild = (kind: PresenceComponent['kind'] | 'status', el: Element, pool: Element[]): void => {
    assert.ok(childGranted(b, kind, el), `${where}: ${q(el)} in ${kind} ${got.id} is not granted`);
    if (q(el) === `{${NS.pidf}}status`) {
      for (const [name] of attributes(el)) assert.ok(allAttributes || name === `{${NS.xml}}lang`, `${where}: attribute ${name} on the status of ${got.id}`);
      const origStatus = pool.find((o) => q(o) === q(el))!;
      for (const c of childElements(el)) checkChild('status', c, childElements(origStatus));
      return;
    }
    if (q(el) === USER_INPUT && !allAttributes) {
      const names = [...attributes(el).keys()];
      const allowed = level === 3 ? null : level === 2 ? ['{}id', '{}idle-threshold'] : ['{}id'];
      if (allowed) for (const n of names) assert.ok(allowed.includes(n), `${where}: user-input attribute ${n} beyond level ${level}`);
      assert.ok(pool.some((o) => q(o) === USER_INPUT && o.textContent === el.textContent), `${where}: user-input value changed`);
      return;
    }
    assert.ok(pool.some((o) => canon(o) === canon(el)), `${where}: ${canon(el)} is not in the original ${got.id}`);
  };
  for (const el of childElements(got.element)) checkChild(original.kind, el, originals);
  if (!allAttributes) {
    for (let n: Node | null = got.element.firstChild; n; n = n.nextSibling) {
      assert.ok(n.nodeType === 1 || (n.nodeType === 3 && !(n.nodeValue ?? '').trim()), `${where}: text or comment in ${got.id}`);
    }
  }
}

function checkView(b: Bound, composed: PresenceDocument, view: PresenceDocument, where: string): void {
  const byId = new Map([...composed.tuples, ...composed.persons, ...composed.devices].map((c) => [c.id, c]));
  for (const got of [...view.tuples, ...view.persons, ...view.devices]) {
    const original = byId.get(got.id);
    assert.ok(original && original.kind === got.kind, `${where}: ${got.kind} ${got.id} not in the composed document`);
    checkComponent(b, original, got, where);
  }
  const full = any(b, (g) => g.all && g.services.all && g.persons.all && g.devices.all);
  if (!full) {
    assert.equal(view.extensions.length, 0, `${where}: top-level extension`);
    if (view.notes.length) assert.ok(any(b, (g) => g.persons.all) && any(b, (g) => g.all || g.bools.includes('note')), `${where}: top-level notes`);
  }
}

/** The texts of the composed document a view of nothing real must not contain. */
function secretsOf(body: Buffer): string[] {
  return [...body.toString().matchAll(/S\d+/g)].map((m) => m[0]);
}

// ---- the property ----

const stores = new MemoryStores();
after(() => stores.close());

test(`property: ${CASES} random documents, rule sets and watchers — nothing beyond the grants; refused watchers see nothing real`, async () => {
  const r = prng(SEED);
  const source = new MemorySource();
  const orders: EvaluationOrder[] = ['rfc4745', 'ts23141'];
  const packages = orders.map((order) => {
    const authorizer = new PresRulesAuthorizer({ source, clock: new FakeClock(NOW), order });
    return new PresencePackage({
      policy: { defaultSubHandling: 'allow', subscriptionExpires: { default: 3600, min: 60, max: 86400 }, publicationExpires: { default: 3600, min: 60, max: 86400 }, maxDocumentBytes: 65536, precedence: ['user', 'network', 'external'] },
      publications: { list: (res, e) => stores.publications.listByResource(res, e) },
      authorizer,
    });
  });
  for (const [anchor, members] of Object.entries(LISTS)) source.lists.set(anchor, members);
  const outcomes = new Map<string, number>();
  for (let n = 0; n < CASES; n++) {
    const presentity = `sip:p${n}@example.com`;
    const spheres: string[] = [];
    const pubs = Array.from({ length: 1 + Math.floor(r() * 2) }, (_x, i) => publication(r, presentity, i, spheres));
    for (const [i, body] of pubs.entries()) {
      await stores.publications.put({
        etag: `e${n}-${i}`, resource: presentity, event: 'presence', expiresAt: NOW + 3_600_000, contentType: PIDF, body,
        source: i === 0 ? 'user' : 'network', publisher: presentity, createdAt: NOW + i, modifiedAt: NOW + i,
      });
    }
    const sphere = spheres.length > 0 && spheres.every((x) => x === spheres[0]) ? spheres[0] : undefined;
    const rules = Array.from({ length: 1 + Math.floor(r() * 5) }, (_x, i) => genRule(r, i));
    source.docs.set(presentity, ruleset(rules.map(ruleXml).join('')));
    const watcher = pick(r, WATCHERS);
    const which = Math.floor(r() * orders.length);
    const pkg = packages[which]!;
    const where = `case ${n} (${orders[which]}, ${watcher})`;
    const b = bound(rules, watcher, sphere);
    const composedBody = await pkg.document(presentity);
    const composed = parseOk(composedBody);
    const record: SubscriptionRecord = {
      id: `s${n}`, resource: presentity, event: 'presence', state: 'active', watcher, callId: 'c', localTag: 'l', remoteTag: 'r',
      localUri: presentity, remoteUri: watcher, remoteTarget: 'sip:w@192.0.2.1', routeSet: [], localCSeq: 1, remoteCSeq: 1,
      secure: false, accept: [PIDF], expiresAt: NOW + 3_600_000, createdAt: NOW,
    };
    const decision = await pkg.authorize({ record });
    outcomes.set(decision, (outcomes.get(decision) ?? 0) + 1);
    if (b.sub !== 'allow') assert.notEqual(decision, 'active', `${where}: allowed though no matching rule allows`);
    if (decision === 'rejected') continue;
    const state = decision === 'pending' ? 'pending' : 'active';
    const delivered = (await pkg.render({ record: { ...record, state } })).body;
    const view = parseOk(delivered);
    if (b.sub !== 'allow' || decision !== 'active') {
      // Polite blocking and pending: one closed tuple, nothing of the composed document.
      assert.deepEqual([view.tuples.length, view.tuples[0]?.basic, view.persons.length, view.devices.length], [1, 'closed', 0, 0], where);
      const leaked = secretsOf(delivered).filter((x) => composedBody.toString().includes(x));
      assert.deepEqual(leaked, [], `${where}: real presence in a refused view`);
      continue;
    }
    checkView(b, composed, view, where);
  }
  // The generator reaches every outcome.
  for (const d of ['active', 'pending', 'polite-block', 'rejected']) assert.ok((outcomes.get(d) ?? 0) >= 10, `only ${outcomes.get(d) ?? 0} ${d} cases`);
});
