import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConstraintFailure, SchemaValidationError } from '../../../../src/xcap/errors.js';
import { OMA_PRES_RULES_AUID, PRES_RULES_AUID, PresRulesUsage } from '../../../../src/xcap/usages/pres-rules.js';
import { candidate, fixture } from './helpers.js';

const ietf = new PresRulesUsage('ietf');
const oma = new PresRulesUsage('oma');
after(() => {
  ietf.dispose();
  oma.dispose();
});

const RFC_EXAMPLES = [
  'rfc4745-7.1.2.xml',
  'rfc4745-7.1.3.1.xml',
  'rfc4745-7.1.3.2.xml',
  'rfc4745-7.1.3.3.xml',
  'rfc4745-7.3.xml',
  'rfc4745-7.4.xml',
  'rfc4745-12.xml',
  'rfc5025-6.xml',
];

const CP = 'urn:ietf:params:xml:ns:common-policy';
const PR = 'urn:ietf:params:xml:ns:pres-rules';

/** A one-rule pres-rules document with `actions` and `transformations` as given. */
function rules(body: string, extraNs = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns:cr="${CP}" xmlns:pr="${PR}"${extraNs}>
${body}
</cr:ruleset>
`;
}

function check(usage: PresRulesUsage, text: string) {
  const { doc, ctx } = candidate(text, { auid: usage.auid });
  return usage.validate(doc, ctx);
}

test('RFC 5025 §9 and the OMA usage: AUIDs, MIME type, default namespaces, schemas listed, document names', () => {
  assert.equal(ietf.auid, PRES_RULES_AUID);
  assert.equal(ietf.auid, 'pres-rules');
  assert.equal(ietf.mimeType, 'application/auth-policy+xml');
  assert.equal(ietf.defaultNamespace, PR);
  assert.deepEqual(ietf.namespaces, [CP]);
  assert.equal(ietf.defaultDocument, 'index');
  assert.equal(oma.auid, OMA_PRES_RULES_AUID);
  assert.equal(oma.auid, 'org.openmobilealliance.pres-rules');
  assert.equal(oma.mimeType, 'application/auth-policy+xml');
  assert.equal(oma.defaultNamespace, CP);
  assert.deepEqual(oma.namespaces, [PR, 'urn:oma:xml:xdm:common-policy', 'urn:oma:xml:prs:pres-rules']);
  assert.equal(oma.defaultDocument, 'pres-rules');
});

test('every example rule set of RFC 4745 and RFC 5025 §6 is valid under both AUIDs', () => {
  for (const name of RFC_EXAMPLES) {
    assert.equal(check(ietf, fixture(name)), undefined, `${name} (pres-rules)`);
    assert.equal(check(oma, fixture(name)), undefined, `${name} (OMA)`);
  }
});

test('the OMA default rule set is valid under the OMA AUID, and under pres-rules, whose schema skips OMA elements', () => {
  assert.equal(check(oma, fixture('oma-pres-rules-default.xml')), undefined);
  assert.equal(check(ietf, fixture('oma-pres-rules-default.xml')), undefined);
});

test('schema violations are schema-validation-error with libxml2\'s message', () => {
  const cases: [string, RegExp][] = [
    // RFC 5025 §5.1: sub-handling is one of block, confirm, polite-block, allow.
    [rules('<cr:rule id="a"><cr:actions><pr:sub-handling>maybe</pr:sub-handling></cr:actions></cr:rule>'), /sub-handling.*'maybe'/],
    // RFC 4745 §6.1: rule identifiers are unique (xs:ID; libxml2 reports the second as not a valid ID).
    [rules('<cr:rule id="a"/><cr:rule id="a"/>'), /attribute 'id': 'a' is not a valid value of the atomic type 'xs:ID'/],
    // RFC 5025 §7: provide-user-input is false, bare, thresholds or full.
    [rules('<cr:rule id="a"><cr:transformations><pr:provide-user-input>some</pr:provide-user-input></cr:transformations></cr:rule>'), /provide-user-input/],
    // RFC 4745 §7.2: a single-user entity has no domain attribute.
    [rules('<cr:rule id="a"><cr:conditions><cr:identity><cr:one id="sip:a@example.com" domain="example.com"/></cr:identity></cr:conditions></cr:rule>'), /domain/],
    // RFC 4745 §7.4: from and until in pairs.
    [rules('<cr:rule id="a"><cr:conditions><cr:validity><cr:from>2003-12-24T17:00:00+01:00</cr:from></cr:validity></cr:conditions></cr:rule>'), /validity|until/],
    [rules('<cr:rule id="a"><cr:conditions/><cr:sub-handling/></cr:rule>'), /sub-handling/],
    [`<pr:provide-all-attributes xmlns:pr="${PR}"/>`, /root element must be <ruleset>/],
  ];
  for (const [text, phrase] of cases) {
    const result = check(ietf, text);
    assert.ok(result instanceof SchemaValidationError, text);
    assert.match(result.phrase ?? '', phrase);
  }
});

test('OMA transformations are validated by the OMA usage only', () => {
  const geopriv = rules('<cr:rule id="a"><cr:transformations><op:provide-geopriv>partial</op:provide-geopriv></cr:transformations></cr:rule>', ' xmlns:op="urn:oma:xml:prs:pres-rules"');
  const result = check(oma, geopriv);
  assert.ok(result instanceof SchemaValidationError);
  assert.match(result.phrase ?? '', /provide-geopriv/);
  assert.equal(check(ietf, geopriv), undefined);
});

test('OMA: an <external-list> entry must name a resource-lists document by an absolute HTTP URI', () => {
  const list = (anc: string): string =>
    rules(
      `<cr:rule id="a"><cr:conditions><ocp:external-list><ocp:entry anc="${anc}"/></ocp:external-list></cr:conditions></cr:rule>`,
      ' xmlns:ocp="urn:oma:xml:xdm:common-policy"',
    );
  assert.equal(check(oma, list('https://xcap.example.com/xcap-root/resource-lists/users/sip:alice@example.com/index/~~/resource-lists/list%5B@name=%22friends%22%5D')), undefined);
  for (const anc of [
    'resource-lists/users/sip:alice@example.com/index',
    'http://xcap.example.com/pres-rules/users/sip:alice@example.com/index',
    'sip:friends@example.com',
  ]) {
    const result = check(oma, list(anc));
    assert.ok(result instanceof ConstraintFailure, anc);
    assert.match(result.phrase ?? '', /external-list.*anc must be an absolute HTTP URI of a resource-lists document/);
    assert.equal(check(ietf, list(anc)), undefined, 'the IETF usage does not know <external-list>');
  }
});
