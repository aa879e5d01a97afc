import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePresRules } from '../../../../src/presence/authorization/parse-rules.js';
import { fixture, ones, parseRules, rule, ruleset } from './helpers.js';

test('RFC 5025 §6 example: one rule, identity, allow, services by scheme, all persons, activities, bare user-input, foo', () => {
  const r = parseRules(fixture('rfc5025-6.xml'));
  assert.equal(r.rules.length, 1);
  const a = r.rules[0]!;
  assert.equal(a.id, 'a');
  assert.equal(a.subHandling, 'allow');
  assert.deepEqual(a.conditions, [{ kind: 'identity', one: ['sip:user@example.com'], many: [], empty: false }]);
  const p = a.permissions;
  assert.deepEqual([...p.services.serviceUriSchemes], ['sip', 'mailto']);
  assert.equal(p.services.all, false);
  assert.equal(p.persons.all, true);
  assert.equal(p.devices.all, false);
  assert.deepEqual([...p.attributes], ['activities']);
  assert.equal(p.userInput, 'bare');
  assert.deepEqual([...p.unknownAttributes], ['{urn:vendor-specific:foo-namespace}foo']);
  assert.equal(p.allAttributes, false);
  assert.equal(r.usesSphere, false);
  assert.deepEqual(r.anchors, []);
});

test('RFC 4745 examples parse: identity one/many/except, sphere tokens, validity periods', () => {
  const one = parseRules(fixture('rfc4745-7.1.2.xml')).rules[0]!;
  assert.deepEqual(one.conditions, [
    { kind: 'identity', one: ['sip:alice@example.com', 'tel:+12125551234', 'mailto:bob@example.net'], many: [], empty: false },
  ]);
  assert.equal(one.subHandling, undefined, 'no sub-handling: <actions/> is empty');
  const except = parseRules(fixture('rfc4745-7.1.3.2.xml')).rules[0]!;
  assert.deepEqual(except.conditions[0], { kind: 'sphere', tokens: ['work'] });
  assert.deepEqual(except.conditions[1], {
    kind: 'identity',
    one: [],
    many: [
      {
        exceptIds: ['sip:alice@bad.example.net', 'sip:bob@good.example.net', 'tel:+12125551234', 'sip:alice@example.com'],
        exceptDomains: ['example.com', 'example.org'],
      },
    ],
    empty: false,
  });
  assert.deepEqual(except.conditions[2], {
    kind: 'validity',
    periods: [{ from: Date.parse('2003-12-24T17:00:00+01:00'), until: Date.parse('2003-12-24T19:00:00+01:00') }],
  });
  const domain = parseRules(fixture('rfc4745-7.1.3.3.xml')).rules[0]!;
  assert.deepEqual(domain.conditions, [
    { kind: 'identity', one: [], many: [{ domain: 'example.com', exceptIds: ['sip:alice@example.com', 'sip:bob@example.com'], exceptDomains: [] }], empty: false },
  ]);
  const sphere = parseRules(fixture('rfc4745-7.3.xml'));
  assert.equal(sphere.usesSphere, true);
  assert.deepEqual(sphere.rules[2]!.conditions[1], { kind: 'sphere', tokens: ['home', 'work'] });
});

test('OMA conditions and transformations: other-identity, external-list anchors, anonymous-request, provide-* and geopriv', () => {
  const doc = ruleset(
    rule('o', '<ocp:other-identity/>', 'confirm') +
      rule('e', '<ocp:external-list><ocp:entry anc="http://x/a"/><ocp:entry anc="http://x/b"/></ocp:external-list>', 'allow',
        '<op:provide-willingness>true</op:provide-willingness><op:provide-network-availability>1</op:provide-network-availability>' +
        '<op:provide-session-participation>true</op:provide-session-participation><op:provide-registration-state>true</op:provide-registration-state>' +
        '<op:provide-barring-state>false</op:provide-barring-state><op:provide-geopriv>full</op:provide-geopriv>' +
        '<pr:provide-services><op:service-id>org.openmobilealliance:PoC-session</op:service-id></pr:provide-services>') +
      rule('n', '<ocp:anonymous-request/>', 'block'),
  );
  const r = parseRules(doc);
  assert.deepEqual(r.rules.map((x) => x.conditions[0]!.kind), ['other-identity', 'external-list', 'anonymous-request']);
  assert.deepEqual(r.anchors, ['http://x/a', 'http://x/b']);
  const p = r.rules[1]!.permissions;
  assert.deepEqual([...p.attributes].sort(), ['network-availability', 'registration-state', 'session-participation', 'willingness']);
  assert.equal(p.geopriv, 'full');
  assert.deepEqual([...p.services.serviceIds], ['org.openmobilealliance:PoC-session']);
});

test('privacy-safe reading: unknown conditions never match, unknown or invalid permissions grant nothing, max of repeated values', () => {
  const doc = ruleset(
    rule('u', '<x:weather xmlns:x="urn:example:weather" value="sunny"/>', 'allow') +
      rule('i', `${ones('sip:a@example.com')}`, 'maybe',
        '<pr:provide-mood>yes</pr:provide-mood><pr:provide-user-input>some</pr:provide-user-input><op:provide-geopriv>partial</op:provide-geopriv>' +
        '<x:provide-everything xmlns:x="urn:example:x"/><pr:provide-unknown-attribute name="p:foo" ns="urn:x">true</pr:provide-unknown-attribute>' +
        '<pr:provide-unknown-attribute name="bar">true</pr:provide-unknown-attribute>') +
      '<cr:rule id="m"><cr:actions><pr:sub-handling>confirm</pr:sub-handling><pr:sub-handling>polite-block</pr:sub-handling></cr:actions>' +
      '<cr:transformations><pr:provide-user-input>thresholds</pr:provide-user-input><pr:provide-user-input>bare</pr:provide-user-input></cr:transformations></cr:rule>',
  );
  const [u, i, m] = parseRules(doc).rules;
  assert.deepEqual(u!.conditions, [{ kind: 'unsupported', name: '{urn:example:weather}weather' }]);
  assert.equal(i!.subHandling, undefined, 'an invalid sub-handling is no sub-handling');
  assert.equal(i!.permissions.attributes.size, 0);
  assert.equal(i!.permissions.userInput, 'false');
  assert.equal(i!.permissions.geopriv, 'false');
  assert.equal(i!.permissions.unknownAttributes.size, 0, 'a prefixed name or a missing ns grants nothing');
  assert.equal(m!.subHandling, 'polite-block');
  assert.deepEqual(m!.conditions, [], 'a rule without conditions applies to every request');
  assert.equal(m!.permissions.userInput, 'thresholds');
});

test('identity keys: SIP URIs compare by AOR (host case, parameters), tel by digits; an empty <identity/> is kept as such', () => {
  const r = parseRules(ruleset(rule('x', '<cr:identity><cr:one id="sip:Bob@EXAMPLE.com;transport=tcp"/><cr:one id="tel:+1-555-0100"/><cr:one/></cr:identity><cr:identity/>', 'allow')));
  assert.deepEqual(r.rules[0]!.conditions, [
    { kind: 'identity', one: ['sip:Bob@example.com', 'tel:+15550100'], many: [], empty: false },
    { kind: 'identity', one: [], many: [], empty: true },
  ]);
});

test('validity: a time without zone is UTC; malformed times and unpaired elements make no period', () => {
  const r = parseRules(
    ruleset(rule('v', '<cr:validity><cr:from>2024-01-01T00:00:00</cr:from><cr:until>2024-01-02T00:00:00Z</cr:until><cr:from>yesterday</cr:from><cr:until>2024-01-03T00:00:00Z</cr:until><cr:until>2024-01-04T00:00:00Z</cr:until></cr:validity>', 'allow')),
  );
  assert.deepEqual(r.rules[0]!.conditions, [{ kind: 'validity', periods: [{ from: Date.parse('2024-01-01T00:00:00Z'), until: Date.parse('2024-01-02T00:00:00Z') }] }]);
});

test('documents refused: not XML, not a ruleset, DOCTYPE and entities (screened before parsing), over the size limit', () => {
  const bad = (body: string, re: RegExp, limits?: Parameters<typeof parsePresRules>[1]): void => {
    const r = parsePresRules(Buffer.from(body), limits);
    assert.equal(r.ok, false, body);
    if (!r.ok) assert.match(r.defect, re);
  };
  bad('<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"><rule>', /^pres-rules: not well-formed XML/);
  bad('<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"/>', /root element is not <ruleset>/);
  bad('<ruleset xmlns="urn:example:other"/>', /root element is not <ruleset>/);
  bad('<!DOCTYPE r [<!ENTITY a "aaaa">]><ruleset xmlns="urn:ietf:params:xml:ns:common-policy">&a;</ruleset>', /^pres-rules: DOCTYPE/);
  bad(`<ruleset xmlns="urn:ietf:params:xml:ns:common-policy">${'<rule id="r"/>'.repeat(100)}</ruleset>`, /larger than 512 bytes/, { maxBytes: 512, maxDepth: 32, maxElements: 1000 });
  assert.ok(parsePresRules(Buffer.from('<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"/>')).ok, 'an empty ruleset is a valid document');
});
