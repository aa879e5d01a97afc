import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRuleSet } from '../../../src/presence/authorization/default-rules.js';
import { parsePresRules } from '../../../src/presence/authorization/parse-rules.js';
import { namedWatchers, setWatcherHandling } from '../../../src/presence/authorization/rule-edits.js';
import { describeChange, formatListing, refusalText, rulesDocumentPath, rulesListing, xcapErrorText } from '../../../src/cli/rules-format.js';
import { SchemaValidationError } from '../../../src/xcap/errors.js';

const ALICE = 'sip:alice@localhost';
const ROOT_URI = 'http://127.0.0.1:8080/xcap';

function rulesOf(body: Buffer) {
  const r = parsePresRules(body);
  assert.ok(r.ok);
  return r.value;
}

describe('presenced rules: pure parts', () => {
  test('document paths of both usages, the XUI as one encoded segment', () => {
    assert.equal(rulesDocumentPath('/xcap', ALICE, 'ietf'), '/xcap/pres-rules/users/sip%3Aalice%40localhost/index');
    assert.equal(rulesDocumentPath('/x/y', ALICE, 'oma'), '/x/y/org.openmobilealliance.pres-rules/users/sip%3Aalice%40localhost/pres-rules');
  });

  test('listing of the default rule set with bob blocked: named watchers, then the other rules', () => {
    const edit = setWatcherHandling(defaultRuleSet(ALICE, ROOT_URI), 'sip:bob@localhost', 'block');
    assert.ok(edit.ok);
    const listing = rulesListing(rulesOf(edit.value.document), 'ietf');
    assert.deepEqual(listing.watchers, [
      { watcher: ALICE, handling: 'allow', rule: 'wp_prs_allow_own' },
      { watcher: 'sip:bob@localhost', handling: 'block', rule: 'presenced_block' },
    ]);
    assert.deepEqual(listing.rules.map((r) => [r.id, r.handling]), [
      ['wp_prs_grantedcontacts', 'allow'],
      ['wp_prs_blockedcontacts', 'block'],
      ['wp_prs_unlisted', 'confirm'],
      ['wp_prs_block_anonymous', 'block'],
    ]);
    assert.match(listing.rules[2]!.conditions, /no other rule names/);
    assert.match(listing.rules[3]!.conditions, /anonymous/);
    const text = formatListing(listing);
    assert.equal(text[0], 'watchers:');
    assert.equal(text[2], '  sip:bob@localhost    block  (rule presenced_block)');
    assert.equal(text[3], 'other rules:');
    assert.match(text[6]!, /^ {2}wp_prs_unlisted: confirm for /);
  });

  test('listing describes <many>, excepts, empty identity, no conditions and rules without sub-handling', () => {
    const doc = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<ruleset xmlns="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">
  <rule id="a"><conditions><identity><many domain="example.com"><except id="sip:eve@example.com"/></many></identity></conditions><actions><pr:sub-handling>allow</pr:sub-handling></actions></rule>
  <rule id="b"><conditions><identity/></conditions><actions><pr:sub-handling>polite-block</pr:sub-handling></actions></rule>
  <rule id="c"><actions><pr:sub-handling>confirm</pr:sub-handling></actions></rule>
  <rule id="d"><conditions><identity><one id="sip:carol@example.com"/></identity></conditions><transformations><pr:provide-services><pr:all-services/></pr:provide-services></transformations></rule>
</ruleset>`);
    const listing = rulesListing(rulesOf(doc), 'oma');
    assert.deepEqual(listing.rules, [
      { id: 'a', handling: 'allow', conditions: 'anyone in example.com except sip:eve@example.com' },
      { id: 'b', handling: 'polite-block', conditions: 'unauthenticated watchers' },
      { id: 'c', handling: 'confirm', conditions: 'everyone' },
    ]);
    assert.deepEqual(listing.watchers, [{ watcher: 'sip:carol@example.com', handling: null, rule: 'd' }]);
    assert.match(formatListing(listing)[1]!, /transformations only/);
    assert.deepEqual(formatListing(rulesListing({ rules: [], anchors: [], usesSphere: false }, null)), ['watchers: none named']);
  });

  test('describeChange: before and after, or nothing changed', () => {
    const base = defaultRuleSet(ALICE, ROOT_URI);
    const allowed = setWatcherHandling(base, 'sip:bob@LOCALHOST', 'allow');
    assert.ok(allowed.ok);
    const blocked = setWatcherHandling(allowed.value.document, 'sip:bob@localhost', 'block');
    assert.ok(blocked.ok);
    const [n0, n1, n2] = [base, allowed.value.document, blocked.value.document].map((d) => namedWatchers(rulesOf(d)));
    assert.equal(describeChange('sip:bob@localhost', n0!, n1!, 'allow'), 'sip:bob@localhost: not named in any rule -> allow (rule presenced_allow)');
    assert.equal(describeChange('sip:bob@localhost', n1!, n2!, 'block'), 'sip:bob@localhost: allow (rule presenced_allow) -> block (rule presenced_block)');
    assert.equal(describeChange('sip:bob@localhost', n2!, n2!, 'block'), 'sip:bob@localhost: already block, nothing changed');
  });

  test('xcapErrorText reads the error element and phrase of an xcap-error document', () => {
    assert.equal(xcapErrorText(Buffer.from(new SchemaValidationError('bad sub-handling').toXml())), 'schema-validation-error: bad sub-handling');
    assert.equal(xcapErrorText(Buffer.from('<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error"><not-utf-8/></xcap-error>')), 'not-utf-8');
    assert.equal(xcapErrorText(Buffer.from('<other/>')), undefined);
    assert.equal(xcapErrorText(Buffer.from('no xml <')), undefined);
  });

  test('refusalText says how to fix each refusal', () => {
    const ctx = { aor: ALICE, credentials: true };
    const none = Buffer.alloc(0);
    assert.match(refusalText(401, none, null, ctx), /check --user and --password/);
    assert.match(refusalText(401, none, null, { ...ctx, credentials: false }), /give --user and --password/);
    assert.match(refusalText(403, Buffer.from('forbidden'), 'text/plain', ctx), /you may only edit your own rules/);
    assert.match(refusalText(404, Buffer.from('no such user'), 'text/plain', ctx), /sip:alice@localhost is not a user of the server/);
    const conflict = Buffer.from(new SchemaValidationError('no').toXml());
    assert.equal(refusalText(409, conflict, 'application/xcap-error+xml', ctx), '409: the server refused the document: schema-validation-error: no');
    assert.equal(refusalText(500, Buffer.from('internal server error'), 'text/plain', ctx), '500: internal server error');
  });
});
