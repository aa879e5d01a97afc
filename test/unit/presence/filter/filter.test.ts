import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applicableFilter, mergeFilters } from '../../../../src/presence/filter/filter-set.js';
import type { HeldFilters } from '../../../../src/presence/filter/filter-set.js';
import { parseFilterSet } from '../../../../src/presence/filter/parse-filter-set.js';
import { fires } from '../../../../src/presence/filter/trigger.js';
import { applyWhat } from '../../../../src/presence/filter/what.js';
import { WatcherFilters } from '../../../../src/presence/filter/watcher-filters.js';
import type { PresenceDocument } from '../../../../src/presence/pidf/model.js';
import { parsePidf } from '../../../../src/presence/pidf/parse.js';
import { SipError } from '../../../../src/sip/message/sip-error.js';

/** RFC 4661 §6 examples (parse and semantics), merging by id (RFC 4660 §5.2.2), and refusals (§5.4). */

const ALICE = 'sip:presentity@example.com';

function pidf(xml: string): PresenceDocument {
  const r = parsePidf(Buffer.from(xml));
  assert.ok(r.ok, r.ok ? '' : r.defect);
  return r.value;
}

function doc(basicIm: 'open' | 'closed', basicVoice: 'open' | 'closed' = 'open'): PresenceDocument {
  return pidf(`<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="${ALICE}">
  <tuple id="im"><status><basic>${basicIm}</basic></status><rpid:class>IM</rpid:class><contact>im:presentity@example.com</contact><note>chat</note></tuple>
  <tuple id="voice"><status><basic>${basicVoice}</basic></status><rpid:class>service</rpid:class><contact>tel:+16305551212</contact><note>call me</note></tuple>
  <dm:person id="p1"><rpid:activities><rpid:busy/></rpid:activities></dm:person>
</presence>`);
}

function held(xml: string, resource = ALICE): HeldFilters {
  const p = parseFilterSet(Buffer.from(xml), 'presence');
  assert.ok(p.ok, p.ok ? '' : p.defect);
  const m = mergeFilters(undefined, p.value, resource);
  assert.ok(m.ok, m.ok ? '' : m.defect);
  return m.value;
}

const SET = (body: string, bindings = '<ns-binding prefix="pidf" urn="urn:ietf:params:xml:ns:pidf"/><ns-binding prefix="rpid" urn="urn:ietf:params:xml:ns:pidf:rpid"/>'): string =>
  `<?xml version="1.0" encoding="UTF-8"?><filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><ns-bindings>${bindings}</ns-bindings>${body}</filter-set>`;

test('RFC 4661 §6.1: <what> selects the basic status of the IM/SMS/MMS tuples, with their ancestors only', () => {
  const f = applicableFilter(held(SET(`<filter id="123" uri="${ALICE}"><what><include type="xpath">
      /pidf:presence/pidf:tuple[rpid:class="IM" or rpid:class="SMS"
      or rpid:class="MMS"]/pidf:status/pidf:basic
    </include></what></filter>`)), ALICE);
  assert.ok(f?.what);
  const out = applyWhat(doc('open'), f.what, 'sip:bob@example.com', new Map());
  assert.deepEqual(out.tuples.map((t) => t.id), ['im']);
  assert.equal(out.tuples[0]!.basic, 'open');
  assert.equal(out.tuples[0]!.contact, undefined);
  assert.equal(out.tuples[0]!.notes.length, 0);
  assert.equal(out.persons.length, 0);
});

test('RFC 4661 §6.2: <changed from="CLOSED" to="OPEN"> fires only on closed to open', () => {
  const f = applicableFilter(held(SET(`<filter id="123" uri="${ALICE}"><trigger><changed from="CLOSED" to="OPEN">
      /pidf:presence/pidf:tuple/pidf:status/pidf:basic</changed></trigger></filter>`)), ALICE);
  assert.ok(f);
  assert.equal(f.triggers.length, 1);
  assert.equal(fires(f.triggers, doc('closed'), doc('open')), true);
  assert.equal(fires(f.triggers, doc('open'), doc('closed')), false);
  assert.equal(fires(f.triggers, doc('closed'), doc('closed', 'closed')), false);
});

test('RFC 4661 §6.4 and §6.6: include the PIDF namespace, exclude tuple notes; persons (data-model namespace) go', () => {
  const f = applicableFilter(held(SET(`<filter id="999" uri="${ALICE}"><what>
      <include type="namespace">urn:ietf:params:xml:ns:pidf</include>
      <exclude>/pidf:presence/pidf:tuple/pidf:note</exclude></what></filter>`)), ALICE);
  const out = applyWhat(doc('open'), f!.what!, 'sip:bob@example.com', new Map());
  assert.deepEqual(out.tuples.map((t) => [t.id, t.basic, t.contact?.uri, t.notes.length, t.class]), [
    ['im', 'open', 'im:presentity@example.com', 0, undefined],
    ['voice', 'open', 'tel:+16305551212', 0, undefined],
  ]);
  assert.equal(out.persons.length, 0);
});

test('RFC 4661 §6.5: an unbound conventional prefix (pidf:) and a predicate on a middle step', () => {
  const p = parseFilterSet(Buffer.from(`<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"><filter id="123"><what><include>
      /pidf:presence/pidf:tuple/
      pidf:status[pidf:basic="open"]</include></what></filter></filter-set>`), 'presence');
  assert.ok(p.ok, p.ok ? '' : p.defect);
});

test('RFC 4661 §3.5.1: unprefixed names select PIDF elements; a filter for another resource or domain is ignored', () => {
  const h = held(SET(`<filter id="a"><what><include>/presence/tuple[contact="tel:+16305551212"]</include></what></filter>
    <filter id="b" uri="sip:carol@example.com"><what><include>//nothing</include></what></filter>
    <filter id="c" domain="other.example"><what><include>//nothing</include></what></filter>`));
  const f = applicableFilter(h, ALICE);
  assert.equal(f?.id, 'a');
  const out = applyWhat(doc('open'), f.what!, 'sip:bob@example.com', new Map());
  // The whole tuple is selected, with everything in it.
  assert.deepEqual(out.tuples.map((t) => [t.id, t.notes.length, t.class]), [['voice', 1, 'service']]);
  assert.equal(applicableFilter(held(SET('<filter id="c" domain="EXAMPLE.com"><trigger><added>//pidf:tuple</added></trigger></filter>')), ALICE)?.id, 'c');
});

test('<added> and <removed> compare tuples by occurrence id', () => {
  const t = applicableFilter(held(SET('<filter id="t"><trigger><added>//pidf:tuple</added></trigger><trigger><removed>//pidf:tuple</removed></trigger></filter>')), ALICE)!.triggers;
  const one = pidf(`<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="a"><status><basic>open</basic></status></tuple></presence>`);
  const two = pidf(`<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="a"><status><basic>closed</basic></status></tuple><tuple id="b"><status><basic>open</basic></status></tuple></presence>`);
  assert.equal(fires(t, one, two), true);
  assert.equal(fires(t, two, one), true);
  assert.equal(fires(t, one, one), false);
});

test('<what> never adds: what the view does not hold cannot be selected', () => {
  const view = pidf(`<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"><tuple id="voice"><status><basic>open</basic></status></tuple></presence>`);
  const f = applicableFilter(held(SET('<filter id="all"><what><include>//*</include><include type="namespace">urn:ietf:params:xml:ns:pidf:rpid</include></what></filter>')), ALICE);
  const out = applyWhat(view, f!.what!, 'sip:bob@example.com', new Map());
  assert.deepEqual(out.tuples.map((t) => t.id), ['voice']);
  assert.equal(out.persons.length, 0);
});

test('RFC 4660 §5.2.2: same id replaces, remove="true" removes, another id for the same resource is 488, no what nor trigger on first enabling is 488', () => {
  const filters = new WatcherFilters('presence');
  const first = filters.accept(Buffer.from(SET('<filter id="f1"><what><include>//pidf:tuple</include></what></filter>')), undefined, ALICE);
  const replaced = filters.accept(Buffer.from(SET('<filter id="f1"><trigger><added>//pidf:tuple</added></trigger></filter>')), first, ALICE);
  const r = parseFilterSet(replaced, 'presence', true);
  assert.ok(r.ok);
  assert.equal(r.value.entries.length, 1);
  assert.match(replaced.toString(), /<trigger[ >]/);
  assert.doesNotMatch(replaced.toString(), /<what[ >]/);
  // Disabled, then re-enabled without contents: the contents stay.
  const disabled = filters.accept(Buffer.from(SET('<filter id="f1" enabled="false"/>')), replaced, ALICE);
  assert.match(disabled.toString(), /enabled="false"[^>]*>.*<trigger[ >]/);
  const removed = filters.accept(Buffer.from(SET('<filter id="f1" remove="true"/>')), disabled, ALICE);
  const after = parseFilterSet(removed, 'presence', true);
  assert.ok(after.ok);
  assert.equal(after.value.entries.length, 0);
  const refuse = (body: string, previous?: Buffer): void => {
    assert.throws(() => filters.accept(Buffer.from(body), previous, ALICE), (e: unknown) => e instanceof SipError && e.status === 488 && e.headers.some(([n]) => n === 'Warning'));
  };
  refuse(SET(`<filter id="f2" uri="${ALICE}"><what><include>//pidf:tuple</include></what></filter>`), first);
  refuse(SET('<filter id="new"/>'));
  refuse(SET('<filter id="x"><what><include type="regex">.*</include></what></filter>'));
  refuse(SET('<filter id="x"><what><include>//unbound:tuple</include></what></filter>'));
  refuse(SET('<filter id="x"><what><include>pidf:tuple</include></what></filter>'));
  refuse(SET('<filter id="x" uri="sip:a@example.com" domain="example.com"><what><include>//pidf:tuple</include></what></filter>'));
  refuse('<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter" package="dialog"><filter id="x"><what><include>//a</include></what></filter></filter-set>');
  refuse('<not-xml');
});
