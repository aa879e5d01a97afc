import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Element } from '@xmldom/xmldom';
import type { Permissions } from '../../../../src/presence/authorization/model.js';
import { FULL_PERMISSIONS, NO_PERMISSIONS } from '../../../../src/presence/authorization/permissions.js';
import { politeBlockView, presenceView } from '../../../../src/presence/authorization/view.js';
import { compose } from '../../../../src/presence/composition/compose.js';
import type { PresenceComponent, PresenceDocument } from '../../../../src/presence/pidf/model.js';
import { childElements } from '../../../../src/util/xml-dom.js';
import { serializePidf } from '../../../../src/presence/pidf/serialize.js';
import { parseOk, pidf, qname } from '../pidf/helpers.js';
import { decide, fixture, rule, ruleset } from './helpers.js';

const RPID = 'urn:ietf:params:xml:ns:pidf:rpid';
const DM = 'urn:ietf:params:xml:ns:pidf:data-model';
const PIDF = 'urn:ietf:params:xml:ns:pidf';
const OMA = 'urn:oma:xml:prs:pidf:oma-pres';
const GP = 'urn:ietf:params:xml:ns:pidf:geopriv10';
const VENDOR = 'urn:vendor-specific:foo-namespace';
const CAPS = 'urn:ietf:params:xml:ns:pidf:caps';

/** The permissions a rule with these transformations grants (through the real parser). */
function grant(transformations: string): Permissions {
  return decide(ruleset(rule('r', '', 'allow', transformations)), 'sip:w@example.com').permissions;
}

const ALL_COMPONENTS = '<pr:provide-services><pr:all-services/></pr:provide-services><pr:provide-persons><pr:all-persons/></pr:provide-persons><pr:provide-devices><pr:all-devices/></pr:provide-devices>';

function rich(): PresenceDocument {
  return parseOk(fixture('composed-rich.xml'));
}

/** The view as the watcher receives it: serialised and parsed again. */
function delivered(doc: PresenceDocument, p: Permissions): PresenceDocument {
  return parseOk(serializePidf(presenceView(doc, p)));
}

const ids = (cs: readonly PresenceComponent[]): string[] => cs.map((c) => c.id);

/** `{ns}local` of the child elements of a component (and of the tuple's status, prefixed `status/`). */
function children(c: PresenceComponent): string[] {
  const out: string[] = [];
  for (const el of childElements(c.element)) {
    out.push(qname(el));
    if (qname(el) === `{${PIDF}}status`) for (const s of childElements(el)) out.push(`status/${qname(s)}`);
  }
  return out.sort();
}

const component = (doc: PresenceDocument, id: string): PresenceComponent => {
  const c = [...doc.tuples, ...doc.persons, ...doc.devices].find((x) => x.id === id);
  assert.ok(c, `no component ${id}`);
  return c;
};

// RFC 5025 §3.3.2: what is always provided in each kind of component.
const BARE_TUPLE = [`{${PIDF}}contact`, `{${PIDF}}status`, `status/{${PIDF}}basic`, `{${PIDF}}timestamp`, `{${RPID}}service-class`, `{${OMA}}service-description`].sort();
const BARE_PERSON = [`{${DM}}timestamp`];
const BARE_DEVICE = [`{${DM}}deviceID`, `{${DM}}timestamp`].sort();

test('everything granted: the composed document itself; nothing granted: no component, note or extension', () => {
  const doc = rich();
  assert.equal(presenceView(doc, FULL_PERMISSIONS), doc);
  const none = delivered(doc, NO_PERMISSIONS);
  assert.deepEqual([none.tuples, none.persons, none.devices, none.notes, none.extensions].map((x) => x.length), [0, 0, 0, 0, 0]);
  assert.equal(none.entity, 'sip:alice@example.com');
  assert.deepEqual(none.attributes, [{ namespaceURI: 'http://www.w3.org/XML/1998/namespace', localName: 'lang', value: 'en' }]);
  assert.doesNotMatch(serializePidf(presenceView(doc, NO_PERMISSIONS)).toString(), /vendor-specific|oma|geopriv/, 'no namespace of removed content is declared');
});

test('RFC 5025 §3.3.1.3 provide-services: all, class, occurrence-id, service-uri (URI equivalence), service-uri-scheme, OMA service-id', () => {
  const doc = rich();
  const services = (inner: string): string[] => ids(delivered(doc, grant(`<pr:provide-services>${inner}</pr:provide-services>`)).tuples);
  assert.deepEqual(services('<pr:all-services/>'), ['t-sip', 't-home', 't-im'], 't-geo has no status value left without provide-geopriv');
  assert.deepEqual(services('<pr:class>home</pr:class>'), ['t-home']);
  // RFC 5025 §4: the class a tuple was selected by stays, so that filtering the view again keeps it.
  const byClass = delivered(doc, grant('<pr:provide-services><pr:class>home</pr:class></pr:provide-services>'));
  assert.equal(component(byClass, 't-home').class, 'home');
  const byId = delivered(doc, grant('<pr:provide-services><pr:occurrence-id>t-home</pr:occurrence-id></pr:provide-services>'));
  assert.equal(component(byId, 't-home').class, undefined, 'without provide-class, a class not selected by is removed');
  assert.deepEqual(services('<pr:class>Home</pr:class>'), [], 'class is compared case-sensitively');
  assert.deepEqual(services('<pr:occurrence-id>t-im</pr:occurrence-id><pr:occurrence-id>t-none</pr:occurrence-id>'), ['t-im']);
  assert.deepEqual(services('<pr:service-uri>sip:alice@PC.EXAMPLE.COM</pr:service-uri>'), ['t-sip']);
  assert.deepEqual(services('<pr:service-uri>sip:alice@pc.example.com;transport=tcp</pr:service-uri>'), [], 'RFC 3261 §19.1.4: transport in one URI only');
  assert.deepEqual(services('<pr:service-uri-scheme>mailto</pr:service-uri-scheme><pr:service-uri-scheme>im</pr:service-uri-scheme>'), ['t-home', 't-im']);
  assert.deepEqual(services('<op:service-id>org.openmobilealliance:PoC-session</op:service-id>'), ['t-sip']);
  assert.deepEqual(ids(delivered(doc, grant('')).tuples), []);
});

test('RFC 5025 §3.3.1.2 provide-persons and §3.3.1.1 provide-devices: all, class, occurrence-id, deviceID', () => {
  const doc = rich();
  const persons = (inner: string): string[] => ids(delivered(doc, grant(`<pr:provide-persons>${inner}</pr:provide-persons>`)).persons);
  const devices = (inner: string): string[] => ids(delivered(doc, grant(`<pr:provide-devices>${inner}</pr:provide-devices>`)).devices);
  assert.deepEqual(persons('<pr:all-persons/>'), ['p-work', 'p-home']);
  assert.deepEqual(persons('<pr:class>work</pr:class>'), ['p-work']);
  assert.deepEqual(persons('<pr:occurrence-id>p-home</pr:occurrence-id>'), ['p-home']);
  assert.deepEqual(devices('<pr:all-devices/>'), ['d-work', 'd-home']);
  assert.deepEqual(devices('<pr:class>home</pr:class>'), ['d-home']);
  assert.deepEqual(devices('<pr:occurrence-id>d-work</pr:occurrence-id>'), ['d-work']);
  assert.deepEqual(devices('<pr:deviceID>URN:UUID:d2</pr:deviceID>'), ['d-home'], 'URN: scheme and NID case-insensitive');
  assert.deepEqual(devices('<pr:deviceID>urn:uuid:D2</pr:deviceID>'), [], 'URN: NSS case-sensitive');
  assert.deepEqual(ids(delivered(doc, grant('<pr:provide-persons><pr:all-persons/></pr:provide-persons>')).devices), []);
});

test('RFC 5025 §3.3.2: with no attribute permission, only contact, service-class, basic, timestamp (tuple), timestamp (person), deviceID and timestamp (device)', () => {
  const view = delivered(rich(), grant(ALL_COMPONENTS));
  assert.deepEqual(children(component(view, 't-sip')), BARE_TUPLE);
  assert.deepEqual(children(component(view, 'p-work')), BARE_PERSON);
  assert.deepEqual(children(component(view, 'd-work')), BARE_DEVICE);
  assert.equal(view.notes.length, 0);
  assert.equal(view.extensions.length, 0);
  const raw = serializePidf(presenceView(rich(), grant(ALL_COMPONENTS))).toString();
  assert.doesNotMatch(raw, /internal|desk phone next|tuple-foo|person-foo|deep-work/, 'no vendor attribute, comment or element text');
});

// Each Boolean permission and the elements it adds to t-sip, p-work and d-work (RFC 5025 §3.3.2, OMA).
const BOOLEANS: Array<[string, string, Record<string, string[]>]> = [
  ['pr', 'activities', { 'p-work': [`{${RPID}}activities`] }],
  ['pr', 'class', { 't-sip': [`{${RPID}}class`], 'p-work': [`{${RPID}}class`], 'd-work': [`{${RPID}}class`] }],
  ['pr', 'deviceID', { 't-sip': [`{${DM}}deviceID`] }],
  ['pr', 'mood', { 'p-work': [`{${RPID}}mood`] }],
  ['pr', 'place-is', { 'p-work': [`{${RPID}}place-is`] }],
  ['pr', 'place-type', { 'p-work': [`{${RPID}}place-type`] }],
  ['pr', 'privacy', { 't-sip': [`{${RPID}}privacy`], 'p-work': [`{${RPID}}privacy`] }],
  ['pr', 'relationship', { 't-sip': [`{${RPID}}relationship`] }],
  ['pr', 'sphere', { 'p-work': [`{${RPID}}sphere`] }],
  ['pr', 'status-icon', { 't-sip': [`{${RPID}}status-icon`], 'p-work': [`{${RPID}}status-icon`] }],
  ['pr', 'time-offset', { 'p-work': [`{${RPID}}time-offset`] }],
  ['pr', 'note', { 't-sip': [`{${PIDF}}note`], 'p-work': [`{${DM}}note`], 'd-work': [`{${DM}}note`] }],
  ['op', 'willingness', { 't-sip': [`{${OMA}}willingness`], 'p-work': [`{${OMA}}overriding-willingness`] }],
  ['op', 'network-availability', { 'd-work': [`{${OMA}}network-availability`] }],
  ['op', 'session-participation', { 't-sip': [`{${OMA}}session-participation`] }],
  ['op', 'registration-state', { 't-sip': [`{${OMA}}registration-state`] }],
  ['op', 'barring-state', { 't-sip': [`{${OMA}}barring-state`] }],
];

test('each Boolean permission adds exactly its element, where it occurs (RFC 5025 §3.3.2.1-§3.3.2.13, OMA provide-*)', () => {
  for (const [prefix, name, adds] of BOOLEANS) {
    const view = delivered(rich(), grant(`${ALL_COMPONENTS}<${prefix}:provide-${name}>true</${prefix}:provide-${name}>`));
    const bare: Record<string, string[]> = { 't-sip': BARE_TUPLE, 'p-work': BARE_PERSON, 'd-work': BARE_DEVICE };
    for (const id of Object.keys(bare)) {
      assert.deepEqual(children(component(view, id)), [...bare[id]!, ...(adds[id] ?? [])].sort(), `provide-${name} in ${id}`);
    }
    const off = delivered(rich(), grant(`${ALL_COMPONENTS}<${prefix}:provide-${name}>false</${prefix}:provide-${name}>`));
    assert.deepEqual(children(component(off, 't-sip')), BARE_TUPLE, `provide-${name} false`);
  }
});

test('provide-note keeps notes, including rpid:note inside activities only with provide-activities (§3.3.2.13); top-level notes need all persons', () => {
  const doc = rich();
  const notes = delivered(doc, grant(`${ALL_COMPONENTS}<pr:provide-note>true</pr:provide-note>`));
  assert.deepEqual(component(notes, 't-home').notes.map((n) => [n.text, n.lang]), [['Pas là', 'fr']]);
  assert.deepEqual(component(notes, 't-sip').notes.map((n) => [n.text, n.lang]), [['At my desk', 'en']], 'the inherited language is kept');
  assert.deepEqual(notes.notes.map((n) => n.text), ['Top-level note']);
  const activities = delivered(doc, grant(`${ALL_COMPONENTS}<pr:provide-activities>true</pr:provide-activities>`));
  assert.match(childElements(component(activities, 'p-work').element).map((e) => e.textContent).join(), /Board meeting/);
  const classOnly = delivered(doc, grant('<pr:provide-persons><pr:class>work</pr:class></pr:provide-persons><pr:provide-note>true</pr:provide-note>'));
  assert.equal(classOnly.notes.length, 0);
});

test('RFC 5025 §3.3.2.12 provide-user-input: false removes it, bare drops its attributes, thresholds keeps idle-threshold, full keeps all', () => {
  const userInput = (level: string, id: string): Element | undefined => {
    const v = delivered(rich(), grant(`${ALL_COMPONENTS}<pr:provide-user-input>${level}</pr:provide-user-input>`));
    return childElements(component(v, id).element).find((e) => qname(e) === `{${RPID}}user-input`);
  };
  const attrs = (el: Element | undefined): string[] => {
    const out: string[] = [];
    for (let i = 0; i < (el?.attributes.length ?? 0); i++) out.push(el!.attributes.item(i)!.name);
    return out.sort();
  };
  assert.equal(userInput('false', 't-sip'), undefined);
  assert.deepEqual(attrs(userInput('bare', 't-sip')), []);
  assert.equal(userInput('bare', 't-sip')?.textContent, 'idle');
  assert.deepEqual(attrs(userInput('thresholds', 't-sip')), ['idle-threshold']);
  assert.deepEqual(attrs(userInput('full', 't-sip')), ['idle-threshold', 'last-input']);
  assert.deepEqual(attrs(userInput('bare', 'd-work')), []);
  assert.ok(userInput('bare', 'p-work'));
});

test('OMA provide-geopriv: full keeps gp:geopriv (and a tuple whose status is only a location), false removes it', () => {
  const full = delivered(rich(), grant(`${ALL_COMPONENTS}<op:provide-geopriv>full</op:provide-geopriv>`));
  assert.deepEqual(ids(full.tuples), ['t-sip', 't-home', 't-im', 't-geo']);
  assert.deepEqual(children(component(full, 't-sip')), [...BARE_TUPLE, `status/{${GP}}geopriv`].sort());
  const off = delivered(rich(), grant(`${ALL_COMPONENTS}<op:provide-geopriv>false</op:provide-geopriv>`));
  assert.doesNotMatch(serializePidf(off).toString(), /Office 12/);
});

test('RFC 5025 §3.3.2.14 provide-unknown-attribute: only unknown elements, by namespace and name, also in the status', () => {
  const view = delivered(
    rich(),
    grant(
      `${ALL_COMPONENTS}<pr:provide-unknown-attribute ns="${VENDOR}" name="foo">true</pr:provide-unknown-attribute>` +
        `<pr:provide-unknown-attribute ns="${VENDOR}" name="mode">true</pr:provide-unknown-attribute>` +
        `<pr:provide-unknown-attribute ns="${RPID}" name="mood">true</pr:provide-unknown-attribute>` +
        `<pr:provide-unknown-attribute ns="${PIDF}" name="contact">false</pr:provide-unknown-attribute>`,
    ),
  );
  assert.deepEqual(children(component(view, 't-sip')), [...BARE_TUPLE, `{${VENDOR}}foo`, `status/{${VENDOR}}mode`].sort());
  assert.deepEqual(children(component(view, 'p-work')), [...BARE_PERSON, `{${VENDOR}}foo`].sort(), 'rpid:mood has its own permission');
  const caps = delivered(rich(), grant(`${ALL_COMPONENTS}<pr:provide-unknown-attribute ns="${CAPS}" name="devcaps">true</pr:provide-unknown-attribute>`));
  assert.deepEqual(children(component(caps, 'd-work')), [...BARE_DEVICE, `{${CAPS}}devcaps`].sort());
});

test('RFC 5025 §3.3.2.15 provide-all-attributes: selected components whole, with their attributes and comments', () => {
  const doc = rich();
  const view = presenceView(doc, grant('<pr:provide-services><pr:class>work</pr:class></pr:provide-services><pr:provide-all-attributes/>'));
  assert.deepEqual(ids(view.tuples), ['t-sip']);
  assert.equal(view.tuples[0], doc.tuples[0], 'the component is shared, not copied');
  assert.equal(view.persons.length + view.devices.length + view.notes.length + view.extensions.length, 0);
  assert.match(serializePidf(view).toString(), /v:tag="internal"[\s\S]*desk phone next to the window/);
});

test('RFC 5025 §6 example on the rich document: sip and mailto services, all persons, activities, bare user-input, foo', () => {
  const view = delivered(rich(), decide(fixture('rfc5025-6.xml'), 'sip:user@example.com').permissions);
  assert.deepEqual(ids(view.tuples), ['t-sip', 't-home']);
  assert.deepEqual(ids(view.persons), ['p-work', 'p-home']);
  assert.deepEqual(view.devices, []);
  assert.deepEqual(children(component(view, 't-sip')), [...BARE_TUPLE, `{${RPID}}user-input`, `{${VENDOR}}foo`].sort());
  assert.deepEqual(children(component(view, 'p-work')), [...BARE_PERSON, `{${RPID}}activities`, `{${RPID}}user-input`, `{${VENDOR}}foo`].sort());
});

test('RFC 5025 §4: the view is a fixed point (F(D) = D), and the composed document and its publications are untouched', () => {
  const a = parseOk(pidf('<tuple id="t1"><status><basic>open</basic></status><rpid:class>work</rpid:class><note>one</note></tuple><dm:person id="p1"><rpid:mood><rpid:sad/></rpid:mood></dm:person>'));
  const b = rich();
  const before = [serializePidf(a), serializePidf(b)];
  const composed = compose('sip:alice@example.com', [
    { doc: a, source: 'user', modifiedAt: 2, createdAt: 2, etag: 'a' },
    { doc: b, source: 'network', modifiedAt: 1, createdAt: 1, etag: 'b' },
  ]);
  const composedBody = serializePidf(composed);
  const grants = [
    grant(ALL_COMPONENTS),
    grant('<pr:provide-services><pr:class>work</pr:class></pr:provide-services><pr:provide-persons><pr:all-persons/></pr:provide-persons><pr:provide-note>true</pr:provide-note><pr:provide-user-input>thresholds</pr:provide-user-input>'),
    decide(fixture('rfc5025-6.xml'), 'sip:user@example.com').permissions,
  ];
  for (const p of grants) {
    const once = serializePidf(presenceView(composed, p));
    const twice = serializePidf(presenceView(parseOk(once), p));
    assert.equal(twice.toString(), once.toString());
  }
  assert.deepEqual([serializePidf(a), serializePidf(b)], before);
  assert.deepEqual(serializePidf(composed), composedBody);
});

test('TS 23.141 §6.1.2: different watchers see different values of the same attribute through tuples chosen by their rules', () => {
  const doc = parseOk(
    pidf(
      '<tuple id="for-colleagues"><status><basic>open</basic></status><rpid:class>colleagues</rpid:class><note>In the office</note></tuple>' +
        '<tuple id="for-family"><status><basic>closed</basic></status><rpid:class>family</rpid:class><note>Working, call later</note></tuple>',
    ),
  );
  const rules = ruleset(
    rule('colleagues', '<cr:identity><cr:many domain="work.example"/></cr:identity>', 'allow', '<pr:provide-services><pr:class>colleagues</pr:class></pr:provide-services><pr:provide-note>true</pr:provide-note>') +
      rule('family', '<cr:identity><cr:one id="sip:mum@home.example"/></cr:identity>', 'allow', '<pr:provide-services><pr:class>family</pr:class></pr:provide-services><pr:provide-note>true</pr:provide-note>'),
  );
  const seen = (w: string): Array<[string | undefined, string | undefined]> =>
    delivered(doc, decide(rules, w).permissions).tuples.map((t) => [t.basic, t.notes[0]?.text]);
  assert.deepEqual(seen('sip:bob@work.example'), [['open', 'In the office']]);
  assert.deepEqual(seen('sip:mum@home.example'), [['closed', 'Working, call later']]);
  assert.deepEqual(seen('sip:stranger@example.com'), []);
});

test('the polite-block document: one closed tuple and nothing else (RFC 5025 §3.2.1)', () => {
  const doc = parseOk(serializePidf(politeBlockView('sip:alice@example.com')));
  assert.equal(doc.entity, 'sip:alice@example.com');
  assert.deepEqual(doc.tuples.map((t) => [t.basic, t.contact, t.notes.length, t.extensions.length]), [['closed', undefined, 0, 0]]);
  assert.deepEqual([doc.persons.length, doc.devices.length, doc.notes.length, doc.extensions.length], [0, 0, 0, 0]);
});
