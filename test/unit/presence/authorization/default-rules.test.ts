import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BLOCKED_CONTACTS, GRANTED_CONTACTS, defaultRuleSet, listAnchor } from '../../../../src/presence/authorization/default-rules.js';
import { ANONYMOUS_WATCHER } from '../../../../src/presence/authorization/model.js';
import { isFull } from '../../../../src/presence/authorization/permissions.js';
import { assertSchemaValid, decide, parseRules } from './helpers.js';

const ROOT = 'https://xcap.example.com/xcap';
const JOE = 'sip:joe@example.com';
const granted = listAnchor(ROOT, JOE, GRANTED_CONTACTS);
const blocked = listAnchor(ROOT, JOE, BLOCKED_CONTACTS);

test('the OMA default rule set: the wp_prs_* rules, external lists in the user resource-lists document', () => {
  const doc = defaultRuleSet(JOE, `${ROOT}/`);
  assertSchemaValid(doc);
  const rules = parseRules(doc);
  assert.deepEqual(
    rules.rules.map((r) => [r.id, r.subHandling, r.conditions.map((c) => c.kind).join()]),
    [
      ['wp_prs_allow_own', 'allow', 'identity'],
      ['wp_prs_grantedcontacts', 'allow', 'external-list'],
      ['wp_prs_blockedcontacts', 'block', 'external-list'],
      ['wp_prs_unlisted', 'confirm', 'other-identity'],
      ['wp_prs_block_anonymous', 'block', 'anonymous-request'],
    ],
  );
  assert.equal(granted, 'https://xcap.example.com/xcap/resource-lists/users/sip:joe@example.com/index/~~/resource-lists/list%5B@name=%22oma_grantedcontacts%22%5D');
  assert.deepEqual(rules.anchors, [granted, blocked]);
  assert.equal(listAnchor(ROOT, 'sip:a b/c?d@example.com', 'x'), `${ROOT}/resource-lists/users/sip:a%20b%2Fc%3Fd@example.com/index/~~/resource-lists/list%5B@name=%22x%22%5D`);
});

test('the default rules for each kind of watcher: own, granted, blocked, unlisted, anonymous (TS 23.141 §7)', () => {
  const rules = parseRules(defaultRuleSet(JOE, ROOT));
  const lists = { [granted]: ['sip:ann@example.com', 'sip:both@example.com'], [blocked]: ['sip:spam@example.net', 'sip:both@example.com'] };
  for (const order of ['rfc4745', 'ts23141'] as const) {
    const own = decide(rules, JOE, { lists, order });
    assert.equal(own.subHandling, 'allow');
    assert.ok(isFull(own.permissions), 'the presentity sees everything');
    const ann = decide(rules, 'sip:ann@example.com', { lists, order });
    assert.deepEqual([ann.subHandling, ann.rules], ['allow', ['wp_prs_grantedcontacts']]);
    assert.ok(isFull(ann.permissions));
    const spam = decide(rules, 'sip:spam@example.net', { lists, order });
    assert.deepEqual([spam.subHandling, spam.rules], ['block', ['wp_prs_blockedcontacts']]);
    const stranger = decide(rules, 'sip:stranger@example.org', { lists, order });
    assert.deepEqual([stranger.subHandling, stranger.rules], ['confirm', ['wp_prs_unlisted']]);
    const anon = decide(rules, ANONYMOUS_WATCHER, { lists, order });
    assert.deepEqual([anon.subHandling, anon.rules], ['block', ['wp_prs_block_anonymous']]);
  }
  // A watcher on both lists: RFC 4745 combining grants (allow is the maximum); TS 23.141 blocks first.
  assert.equal(decide(rules, 'sip:both@example.com', { lists, order: 'rfc4745' }).subHandling, 'allow');
  assert.equal(decide(rules, 'sip:both@example.com', { lists, order: 'ts23141' }).subHandling, 'block');
});
