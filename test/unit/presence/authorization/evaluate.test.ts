import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presentitySphere } from '../../../../src/presence/authorization/evaluate.js';
import { ANONYMOUS_WATCHER } from '../../../../src/presence/authorization/model.js';
import { parseOk, pidf } from '../pidf/helpers.js';
import { decide, fixture, ones, rule, ruleset } from './helpers.js';

const at = (iso: string): number => Date.parse(iso);

test('RFC 5025 §6 example for several watchers: only sip:user@example.com is allowed; nobody else matches (block)', () => {
  const doc = fixture('rfc5025-6.xml');
  const user = decide(doc, 'sip:user@example.com');
  assert.equal(user.subHandling, 'allow');
  assert.deepEqual(user.rules, ['a']);
  assert.equal(user.permissions.persons.all, true);
  for (const other of ['sip:other@example.com', 'sip:user@example.org', 'tel:+15550100', ANONYMOUS_WATCHER]) {
    const d = decide(doc, other);
    // RFC 5025 §3.2.1: block is the default value, with no permission.
    assert.equal(d.subHandling, 'block', other);
    assert.deepEqual(d.rules, []);
    assert.equal(d.permissions.persons.all, false);
  }
  assert.equal(decide(doc, 'sip:other@example.com', { order: 'ts23141' }).subHandling, 'confirm', 'TS 23.141 §7: unlisted watchers are held');
});

test('RFC 4745 §10.3 combining example: rules 3 and 5 fire for bob at 17:15 in sphere work; X TRUE, Y max, Z max', () => {
  // X (Boolean) is provide-mood, Y (integer) is sub-handling, Z (+ o -) is provide-user-input full / thresholds / bare.
  const Y: Record<number, string> = { 10: 'polite-block', 5: 'confirm', 3: 'block', 12: 'allow' };
  const Z: Record<string, string> = { '+': 'full', o: 'thresholds', '-': 'bare' };
  const A1 = '2003-12-24T17:00:00+01:00';
  const A2 = '2003-12-24T21:00:00+01:00';
  const A3 = '2003-12-24T23:30:00+01:00';
  const B1 = '2003-12-22T17:00:00+01:00';
  const B2 = '2003-12-23T17:00:00+01:00';
  const table: Array<[number, string, string, string, string, boolean | null, number, string]> = [
    [1, 'bob', 'home', A1, A2, true, 10, 'o'],
    [2, 'alice', 'work', A1, A2, false, 5, '+'],
    [3, 'bob', 'work', A1, A2, true, 3, '-'],
    [4, 'tom', 'work', A1, A2, true, 5, '+'],
    [5, 'bob', 'work', A1, A3, null, 12, 'o'],
    [6, 'bob', 'work', B1, B2, false, 10, '-'],
  ];
  const doc = ruleset(
    table
      .map(([id, who, sphere, from, until, x, y, z]) =>
        rule(
          `r${id}`,
          `${ones(`sip:${who}@example.com`)}<cr:sphere value="${sphere}"/><cr:validity><cr:from>${from}</cr:from><cr:until>${until}</cr:until></cr:validity>`,
          Y[y],
          `${x === null ? '' : `<pr:provide-mood>${x}</pr:provide-mood>`}<pr:provide-user-input>${Z[z]}</pr:provide-user-input>`,
        ),
      )
      .join(''),
  );
  const d = decide(doc, 'sip:bob@example.com', { now: at('2003-12-24T17:15:00+01:00'), sphere: 'work' });
  assert.deepEqual(d.rules, ['r3', 'r5']);
  assert.equal(d.permissions.attributes.has('mood'), true, 'X: TRUE or NULL (FALSE) is TRUE');
  assert.equal(d.subHandling, 'allow', 'Y: max(3, 12)');
  assert.equal(d.permissions.userInput, 'thresholds', "Z: max('-', 'o') is 'o'");
});

test('RFC 4745 §7.1.2 <one>: each listed identity matches; URI comparison by AOR, schemes never cross (RFC 5025 §3.1.1.2)', () => {
  const doc = fixture('rfc4745-7.1.2.xml');
  for (const w of ['sip:alice@example.com', 'sip:alice@EXAMPLE.COM', 'sips:alice@example.com', 'tel:+1-212-555-1234', 'tel:+12125551234', 'mailto:bob@example.net']) {
    assert.deepEqual(decide(doc, w).rules, ['f3g44r1'], w);
  }
  for (const w of ['sip:Alice@example.com', 'sip:+12125551234@example.com', 'sip:bob@example.net', 'sip:alice@example.org']) {
    assert.deepEqual(decide(doc, w).rules, [], w);
  }
  assert.deepEqual(decide(doc, 'sip:alice@example.com', { watcher: { authenticated: false } }).rules, [], 'RFC 4745 §7.1: only authenticated identities');
});

test('RFC 4745 §7.1.3 <many>: any authenticated user; except domains and ids; a domain with excepts', () => {
  assert.deepEqual(decide(fixture('rfc4745-7.1.3.1.xml'), 'tel:+15550100').rules, ['f3g44r5']);
  assert.deepEqual(decide(fixture('rfc4745-7.1.3.1.xml'), ANONYMOUS_WATCHER).rules, [], 'anonymous has no authenticated identity');
  const except = fixture('rfc4745-7.1.3.2.xml');
  const inPeriod = { now: at('2003-12-24T18:00:00+01:00'), sphere: 'work' };
  assert.deepEqual(decide(except, 'sip:carol@example.net', inPeriod).rules, ['f3g44r1']);
  assert.deepEqual(decide(except, 'sip:alice@good.example.net', inPeriod).rules, ['f3g44r1']);
  for (const w of ['sip:carol@example.com', 'sip:carol@EXAMPLE.org', 'sip:alice@bad.example.net', 'sip:bob@good.example.net', 'tel:+1-212-555-1234']) {
    assert.deepEqual(decide(except, w, inPeriod).rules, [], w);
  }
  assert.deepEqual(decide(except, 'sip:carol@example.net', { ...inPeriod, sphere: 'home' }).rules, [], 'sphere is ANDed');
  assert.deepEqual(decide(except, 'sip:carol@example.net', { ...inPeriod, now: at('2003-12-24T19:00:00+01:00') }).rules, [], 'until is exclusive');
  const domain = fixture('rfc4745-7.1.3.3.xml');
  assert.deepEqual(decide(domain, 'sip:carol@example.com').rules, ['f3g44r1']);
  for (const w of ['sip:alice@example.com', 'sip:bob@example.com', 'sip:carol@example.org', 'sip:carol@sub.example.com', 'tel:+15550100']) {
    assert.deepEqual(decide(domain, w).rules, [], w);
  }
});

test('RFC 4745 §7.1.3 domain comparison: percent-encoding and IDNA ToASCII before comparing', () => {
  const doc = ruleset(rule('d', '<cr:identity><cr:many domain="b%C3%BCcher.example"/></cr:identity>', 'allow') + rule('e', '<cr:identity><cr:many domain="EXAMPLE.org"/></cr:identity>', 'allow'));
  assert.deepEqual(decide(doc, 'sip:anna@xn--bcher-kva.example').rules, ['d']);
  assert.deepEqual(decide(doc, 'sip:anna@example.org').rules, ['e']);
});

test('RFC 4745 §7.3 sphere: andrew at work, allison at home, john in either; undefined sphere matches nothing', () => {
  const doc = fixture('rfc4745-7.3.xml');
  assert.deepEqual(decide(doc, 'sip:andrew@example.com', { sphere: 'work' }).rules, ['f3g44r2']);
  assert.deepEqual(decide(doc, 'sip:andrew@example.com', { sphere: 'Home' }).rules, []);
  assert.deepEqual(decide(doc, 'sip:allison@example.com', { sphere: 'HOME' }).rules, ['y6y55r2'], 'case-insensitive');
  assert.deepEqual(decide(doc, 'sip:john@doe.example.com', { sphere: 'home' }).rules, ['z6y55r2']);
  assert.deepEqual(decide(doc, 'sip:john@doe.example.com', { sphere: 'work' }).rules, ['z6y55r2']);
  assert.deepEqual(decide(doc, 'sip:john@doe.example.com').rules, []);
});

test('RFC 4745 §7.4 validity and §12: [from, until) in any time zone', () => {
  const doc = fixture('rfc4745-7.4.xml');
  assert.deepEqual(decide(doc, 'sip:x@example.com', { now: at('2003-08-15T15:20:00Z') }).rules, ['f3g44r3'], 'from is inclusive');
  assert.deepEqual(decide(doc, 'sip:x@example.com', { now: at('2003-08-15T15:19:59Z') }).rules, []);
  assert.deepEqual(decide(doc, 'sip:x@example.com', { now: at('2003-09-15T15:20:00Z') }).rules, []);
  const twelve = fixture('rfc4745-12.xml');
  const ok = { now: at('2003-12-24T16:30:00Z'), sphere: 'work' };
  assert.deepEqual(decide(twelve, 'sip:bob@example.com', ok).rules, ['f3g44r1']);
  assert.deepEqual(decide(twelve, 'sip:bob@example.com', { ...ok, now: at('2003-12-24T18:00:00Z') }).rules, []);
  assert.deepEqual(decide(twelve, 'sip:alice@example.com', ok).rules, []);
});

test('OMA other-identity matches only identities no other rule names; external-list by anchor membership; anonymous-request', () => {
  const doc = ruleset(
    rule('friends', '<ocp:external-list><ocp:entry anc="http://xcap/friends"/></ocp:external-list>', 'allow') +
      rule('colleagues', '<cr:identity><cr:many domain="work.example"/></cr:identity>', 'polite-block') +
      rule('mum', ones('sip:mum@home.example'), 'allow') +
      rule('unlisted', '<ocp:other-identity/>', 'confirm') +
      rule('anon', '<ocp:anonymous-request/>', 'block'),
  );
  const lists = { 'http://xcap/friends': ['sip:ann@example.com', 'sip:Ben@Example.com'] };
  assert.deepEqual(decide(doc, 'sip:ann@example.com', { lists }).rules, ['friends']);
  assert.deepEqual(decide(doc, 'sip:Ben@example.com', { lists }).rules, ['friends'], 'list members compare by AOR');
  assert.deepEqual(decide(doc, 'sip:carl@work.example', { lists }).rules, ['colleagues']);
  assert.deepEqual(decide(doc, 'sip:mum@home.example', { lists }).rules, ['mum']);
  const stranger = decide(doc, 'sip:dan@example.com', { lists });
  assert.deepEqual(stranger.rules, ['unlisted']);
  assert.equal(stranger.subHandling, 'confirm');
  assert.deepEqual(decide(doc, 'sip:ann@example.com').rules, ['unlisted'], 'an unresolved list has no member');
  const anon = decide(doc, ANONYMOUS_WATCHER, { lists });
  assert.deepEqual(anon.rules, ['anon'], 'anonymous matches anonymous-request only, not other-identity');
  assert.deepEqual(decide(doc, 'sip:ann@example.com', { lists, watcher: { anonymous: true } }).rules, ['anon'], 'an anonymous request with a list member identity is still anonymous');
});

test('an empty <identity/> matches only requests without an authenticated identity (RFC 5025 §3.1.1.2); unknown conditions never match', () => {
  const doc = ruleset(rule('e', '<cr:identity/>', 'polite-block') + rule('u', '<x:mood xmlns:x="urn:example" value="happy"/>', 'allow') + rule('n', '', 'confirm'));
  assert.deepEqual(decide(doc, ANONYMOUS_WATCHER).rules, ['e', 'n']);
  assert.deepEqual(decide(doc, 'sip:a@example.com', { watcher: { authenticated: false } }).rules, ['e', 'n']);
  const known = decide(doc, 'sip:a@example.com');
  assert.deepEqual(known.rules, ['n'], 'a rule without conditions applies to everyone');
  assert.equal(known.subHandling, 'confirm');
});

test('RFC 4745 §10.2: a matching rule without sub-handling counts as block; Booleans OR, sets union, levels max', () => {
  const doc = ruleset(
    rule('t', ones('sip:a@example.com'), undefined, '<pr:provide-services><pr:class>work</pr:class></pr:provide-services><pr:provide-note>true</pr:provide-note><op:provide-geopriv>full</op:provide-geopriv>') +
      rule('s', ones('sip:a@example.com'), 'confirm', '<pr:provide-services><pr:class>home</pr:class><pr:occurrence-id>t1</pr:occurrence-id></pr:provide-services><pr:provide-note>false</pr:provide-note><pr:provide-user-input>full</pr:provide-user-input>') +
      rule('v', ones('sip:a@example.com'), 'block', '<pr:provide-devices><pr:deviceID>urn:uuid:1</pr:deviceID></pr:provide-devices><pr:provide-user-input>bare</pr:provide-user-input>'),
  );
  const d = decide(doc, 'sip:a@example.com');
  assert.equal(d.subHandling, 'confirm');
  assert.deepEqual([...d.permissions.services.classes].sort(), ['home', 'work']);
  assert.deepEqual([...d.permissions.services.occurrenceIds], ['t1']);
  assert.deepEqual([...d.permissions.devices.deviceIds], ['urn:uuid:1']);
  assert.deepEqual([...d.permissions.attributes], ['note']);
  assert.equal(d.permissions.userInput, 'full');
  assert.equal(d.permissions.geopriv, 'full');
  assert.equal(decide(ruleset(rule('only', ones('sip:a@example.com'), undefined)), 'sip:a@example.com').subHandling, 'block');
});

test('TS 23.141 §7 order: blocking lists, then personal lists, then general lists; the first with a matching rule decides', () => {
  const doc = ruleset(
    rule('everyone', '<cr:identity><cr:many/></cr:identity>', 'allow', '<pr:provide-services><pr:all-services/></pr:provide-services>') +
      rule('blocked', '<ocp:external-list><ocp:entry anc="http://xcap/blocked"/></ocp:external-list>', 'block') +
      rule('polite', ones('sip:ex@example.com'), 'polite-block') +
      rule('friend', ones('sip:friend@example.com', 'sip:ex@example.com'), 'allow', '<pr:provide-persons><pr:all-persons/></pr:provide-persons>') +
      rule('friend-notes', ones('sip:friend@example.com'), undefined, '<pr:provide-note>true</pr:provide-note>'),
  );
  const lists = { 'http://xcap/blocked': ['sip:spam@example.com', 'sip:friend@example.com'] };
  // RFC 4745: every matching rule combines; allow wins.
  assert.equal(decide(doc, 'sip:spam@example.com', { lists }).subHandling, 'allow');
  // TS 23.141: the blocking list wins over the general list and over a personal allow.
  const spam = decide(doc, 'sip:spam@example.com', { lists, order: 'ts23141' });
  assert.deepEqual([spam.subHandling, spam.rules], ['block', ['blocked']]);
  assert.equal(decide(doc, 'sip:friend@example.com', { lists, order: 'ts23141' }).subHandling, 'block');
  const ex = decide(doc, 'sip:ex@example.com', { order: 'ts23141' });
  assert.deepEqual([ex.subHandling, ex.rules], ['polite-block', ['polite']]);
  const friend = decide(doc, 'sip:friend@example.com', { order: 'ts23141' });
  assert.deepEqual([friend.subHandling, friend.rules], ['allow', ['friend', 'friend-notes']]);
  assert.equal(friend.permissions.services.all, false, 'the general list does not add to a personal one');
  assert.equal(friend.permissions.attributes.has('note'), true);
  const other = decide(doc, 'sip:someone@example.com', { order: 'ts23141' });
  assert.deepEqual([other.subHandling, other.rules], ['allow', ['everyone']]);
});

test('the presentity sphere (RFC 5025 §3.1.2): the persons agree, or it is undefined', () => {
  const person = (id: string, sphere: string): string => `<dm:person id="${id}"><rpid:sphere>${sphere}</rpid:sphere></dm:person>`;
  assert.equal(presentitySphere(parseOk(pidf(person('p1', '<rpid:work/>')))), 'work');
  assert.equal(presentitySphere(parseOk(pidf(person('p1', '<rpid:work/>') + person('p2', '<rpid:work/>')))), 'work');
  assert.equal(presentitySphere(parseOk(pidf(person('p1', '<rpid:work/>') + person('p2', '<rpid:home/>')))), undefined);
  assert.equal(presentitySphere(parseOk(pidf(person('p1', 'Meeting')))), 'meeting');
  assert.equal(presentitySphere(parseOk(pidf('<dm:person id="p1"/><tuple id="t"><status><basic>open</basic></status></tuple>'))), undefined);
});
