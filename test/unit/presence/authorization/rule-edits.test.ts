import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultRuleSet } from '../../../../src/presence/authorization/default-rules.js';
import type { SubHandling } from '../../../../src/presence/authorization/model.js';
import { isFull } from '../../../../src/presence/authorization/permissions.js';
import type { RuleEdit } from '../../../../src/presence/authorization/rule-edits.js';
import { WATCHER_RULES, namedWatchers, setWatcherHandling } from '../../../../src/presence/authorization/rule-edits.js';
import { assertSchemaValid, decide, fixture, parseRules, rule, ruleset } from './helpers.js';

const JOE = 'sip:joe@example.com';

/** Edits, and checks the result is valid against the schemas (as the input of every test is). */
function edit(doc: Buffer, watcher: string, handling: SubHandling): RuleEdit {
  const r = setWatcherHandling(doc, watcher, handling);
  assert.ok(r.ok, r.ok ? '' : r.defect);
  assertSchemaValid(r.value.document);
  return r.value;
}

const ruleIds = (doc: Buffer): string[] => parseRules(doc).rules.map((r) => r.id);

test('allow, polite-block, confirm, block a watcher in turn on the default rule set: one rule names it, the decision follows', () => {
  let doc = defaultRuleSet(JOE, 'https://xcap.example.com/xcap');
  const sequence: SubHandling[] = ['allow', 'polite-block', 'confirm', 'block', 'allow'];
  for (const handling of sequence) {
    const e = edit(doc, 'sip:Bob@Example.COM', handling);
    doc = e.document;
    const rules = parseRules(doc);
    const naming = rules.rules.filter((r) => r.conditions.some((c) => c.kind === 'identity' && c.one.includes('sip:Bob@example.com')));
    assert.deepEqual(naming.map((r) => r.id), [WATCHER_RULES[handling]], handling);
    for (const order of ['rfc4745', 'ts23141'] as const) {
      const d = decide(rules, 'sip:Bob@example.com', { order });
      assert.equal(d.subHandling, handling, `${handling} ${order}`);
      if (handling === 'allow') assert.ok(isFull(d.permissions));
    }
    // The other wp_prs rules still apply to others.
    assert.equal(decide(rules, 'sip:stranger@example.org').subHandling, 'confirm');
    assert.equal(decide(rules, JOE).subHandling, 'allow');
  }
  assert.deepEqual(ruleIds(doc), ['wp_prs_allow_own', 'wp_prs_grantedcontacts', 'wp_prs_blockedcontacts', 'wp_prs_unlisted', 'wp_prs_block_anonymous', 'presenced_allow'], 'rules left empty are removed');
  assert.match(doc.toString(), /^<\?xml version="1.0" encoding="UTF-8"\?>\n<cr:ruleset/);
  assert.ok(doc.toString().includes('\n  <cr:rule id="presenced_allow">\n    <cr:conditions>\n      <cr:identity>\n        <cr:one id="sip:Bob@example.com"/>'), 'indented like the document');
});

test('the same edit twice gives the same document; a second watcher joins the same rule', () => {
  const base = defaultRuleSet(JOE, 'https://xcap.example.com/xcap');
  const once = edit(base, 'sip:bob@example.com', 'block').document;
  assert.equal(edit(once, 'sip:bob@example.com', 'block').document.toString(), once.toString());
  const two = edit(once, 'sip:eve@example.com', 'block').document;
  const blockRule = parseRules(two).rules.find((r) => r.id === 'presenced_block')!;
  assert.deepEqual(blockRule.conditions, [{ kind: 'identity', one: ['sip:bob@example.com', 'sip:eve@example.com'], many: [], empty: false }]);
});

test('<many> rules granting more get an <except id>, removed again when the watcher is allowed (RFC 4745 §7.1.3)', () => {
  const doc = ruleset(
    rule('colleagues', '<cr:identity><cr:many domain="example.com"/></cr:identity>', 'allow', '<pr:provide-services><pr:all-services/></pr:provide-services>') +
      rule('others', '<cr:identity><cr:many><cr:except domain="example.com"/></cr:many></cr:identity>', 'confirm'),
  );
  const blocked = edit(doc, 'sip:bob@example.com', 'block');
  assert.deepEqual(blocked.unaffected, []);
  const rules = parseRules(blocked.document);
  assert.deepEqual(rules.rules[0]!.conditions, [{ kind: 'identity', one: [], many: [{ domain: 'example.com', exceptIds: ['sip:bob@example.com'], exceptDomains: [] }], empty: false }]);
  assert.deepEqual(rules.rules[1]!.conditions, [{ kind: 'identity', one: [], many: [{ exceptIds: [], exceptDomains: ['example.com'] }], empty: false }], 'not in that domain: untouched');
  assert.equal(decide(rules, 'sip:bob@example.com').subHandling, 'block');
  assert.equal(decide(rules, 'sip:carol@example.com').subHandling, 'allow');
  const confirmed = edit(blocked.document, 'sip:bob@example.com', 'confirm');
  assert.deepEqual(parseRules(confirmed.document).rules[0]!.conditions[0], rules.rules[0]!.conditions[0], 'still excluded from a rule granting more');
  const allowed = parseRules(edit(confirmed.document, 'sip:bob@example.com', 'allow').document);
  assert.deepEqual(allowed.rules[0]!.conditions, [{ kind: 'identity', one: [], many: [{ domain: 'example.com', exceptIds: [], exceptDomains: [] }], empty: false }]);
  assert.equal(decide(allowed, 'sip:bob@example.com').subHandling, 'allow');
});

test('rules the edit cannot change are reported: external lists and rules without an identity condition granting more', () => {
  const doc = ruleset(
    rule('list', '<ocp:external-list><ocp:entry anc="http://xcap/l"/></ocp:external-list>', 'allow') +
      rule('everyone-at-work', '<cr:sphere value="work"/>', 'polite-block') +
      rule('unlisted', '<ocp:other-identity/>', 'allow') +
      rule('lower', '<cr:sphere value="home"/>', 'block') +
      rule('transform-only', '', undefined, '<pr:provide-note>true</pr:provide-note>'),
  );
  assert.deepEqual(edit(doc, 'sip:bob@example.com', 'confirm').unaffected, ['list', 'everyone-at-work']);
  assert.deepEqual(edit(doc, 'sip:bob@example.com', 'allow').unaffected, []);
});

test('other rules naming the watcher with another sub-handling lose it; the same sub-handling, other domains and transformations-only rules stay', () => {
  const doc = ruleset(
    rule('pair', '<cr:identity><cr:one id="sip:bob@example.com"/><cr:one id="sip:eve@example.com"/></cr:identity><cr:sphere value="work"/>', 'allow') +
      rule('same', '<cr:identity><cr:one id="sip:bob@example.com"/></cr:identity>', 'block') +
      rule('elsewhere', '<cr:identity><cr:many domain="other.example"/></cr:identity>', 'allow') +
      rule('notes', '<cr:identity><cr:one id="sip:bob@example.com"/></cr:identity>', undefined, '<pr:provide-note>true</pr:provide-note>'),
  );
  const rules = parseRules(edit(doc, 'sip:bob@example.com', 'block').document);
  assert.deepEqual(
    rules.rules.map((r) => [r.id, r.conditions[0]]),
    [
      ['pair', { kind: 'identity', one: ['sip:eve@example.com'], many: [], empty: false }],
      ['same', { kind: 'identity', one: ['sip:bob@example.com'], many: [], empty: false }],
      ['elsewhere', { kind: 'identity', one: [], many: [{ domain: 'other.example', exceptIds: [], exceptDomains: [] }], empty: false }],
      ['notes', { kind: 'identity', one: ['sip:bob@example.com'], many: [], empty: false }],
      ['presenced_block', { kind: 'identity', one: ['sip:bob@example.com'], many: [], empty: false }],
    ],
  );
});

test('documents in the default namespace (RFC 4745 examples): new common-policy elements unprefixed, pres-rules with a declared prefix', () => {
  const e = edit(fixture('rfc4745-7.1.2.xml'), 'sip:bob@example.com', 'allow');
  const text = e.document.toString();
  assert.match(text, /<ruleset xmlns="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">/);
  assert.match(text, /<rule id="presenced_allow">\s*<conditions>\s*<identity>\s*<one id="sip:bob@example.com"\/>/);
  assert.match(text, /<pr:sub-handling>allow<\/pr:sub-handling>/);
  assert.equal(decide(e.document, 'sip:bob@example.com').subHandling, 'allow');
  // A document whose pres-rules prefix is taken by another namespace gets a fresh one.
  const clash = Buffer.from('<r:ruleset xmlns:r="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:example:other"/>');
  const c = edit(clash, 'sip:bob@example.com', 'block').document.toString();
  assert.match(c, /xmlns:pr2="urn:ietf:params:xml:ns:pres-rules"/);
  assert.equal(decide(Buffer.from(c), 'sip:bob@example.com').rules[0], 'presenced_block');
});

test('a hand-edited rule with our id gets its sub-handling set; refused input: not a ruleset, a watcher that is not a URI', () => {
  const doc = ruleset('<cr:rule id="presenced_allow"><cr:actions><pr:sub-handling>confirm</pr:sub-handling></cr:actions></cr:rule>');
  const rules = parseRules(edit(doc, 'sip:bob@example.com', 'allow').document);
  assert.deepEqual([rules.rules[0]!.subHandling, rules.rules[0]!.conditions], ['allow', [{ kind: 'identity', one: ['sip:bob@example.com'], many: [], empty: false }]]);
  const bad = setWatcherHandling(Buffer.from('<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"/>'), 'sip:bob@example.com', 'allow');
  assert.deepEqual(bad, { ok: false, defect: 'pres-rules: root element is not <ruleset> in urn:ietf:params:xml:ns:common-policy' });
  const notUri = setWatcherHandling(doc, 'bob', 'allow');
  assert.equal(notUri.ok, false);
});

test('the watchers the rules name, for presenced rules list', () => {
  let doc = defaultRuleSet(JOE, 'https://xcap.example.com/xcap');
  doc = edit(doc, 'sip:bob@example.com', 'allow').document;
  doc = edit(doc, 'sip:eve@example.com', 'polite-block').document;
  doc = Buffer.from(doc.toString().replace('</cr:ruleset>', `${rule('notes', '<cr:identity><cr:one id="sip:bob@example.com"/></cr:identity>', undefined)}</cr:ruleset>`));
  assert.deepEqual(namedWatchers(parseRules(doc)), [
    { watcher: JOE, rule: 'wp_prs_allow_own', subHandling: 'allow' },
    { watcher: 'sip:bob@example.com', rule: 'presenced_allow', subHandling: 'allow' },
    { watcher: 'sip:eve@example.com', rule: 'presenced_polite_block', subHandling: 'polite-block' },
    { watcher: 'sip:bob@example.com', rule: 'notes' },
  ]);
});
