import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PresRulesAuthorizer } from '../../../../src/presence/authorization/authorizer.js';
import { GRANTED_CONTACTS, listAnchor } from '../../../../src/presence/authorization/default-rules.js';
import type { EvaluationOrder } from '../../../../src/presence/authorization/model.js';
import { ANONYMOUS_WATCHER } from '../../../../src/presence/authorization/model.js';
import type { PresenceDocument } from '../../../../src/presence/pidf/model.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { parseOk, pidf } from '../pidf/helpers.js';
import { MemorySource, ones, rule, ruleset, watcher } from './helpers.js';

const ALICE = 'sip:alice@example.com';
const noPresence = (): Promise<PresenceDocument> => Promise.reject(new Error('presence must not be read'));

function setup(order: EvaluationOrder = 'rfc4745', defaultRules?: { xcapRoot: string }) {
  const source = new MemorySource();
  const clock = new FakeClock(Date.parse('2024-06-01T12:00:00Z'));
  const authorizer = new PresRulesAuthorizer({ source, clock, order, ...(defaultRules && { defaultRules }) });
  return { source, clock, authorizer };
}

test('no document and no default rule set: no policy (the package default applies)', async () => {
  const { authorizer, source } = setup();
  assert.equal(await authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), noPresence), undefined);
  assert.equal(await authorizer.evaluate(ALICE, watcher('sip:carol@example.com'), noPresence), undefined);
  assert.equal(source.reads, 1, 'the absence is cached too');
});

test('rules read and parsed once per presentity, external lists resolved once; invalidate reads them again', async () => {
  const { authorizer, source } = setup();
  source.docs.set(ALICE, ruleset(rule('friends', '<ocp:external-list><ocp:entry anc="http://xcap/friends"/></ocp:external-list>', 'allow')));
  source.lists.set('http://xcap/friends', ['sip:bob@example.com']);
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), noPresence))?.subHandling, 'allow');
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:carol@example.com'), noPresence))?.subHandling, 'block');
  assert.deepEqual([source.reads, source.listReads], [1, 1]);
  // The presentity edits its rules (XCAP): nothing changes until invalidated.
  source.docs.set(ALICE, ruleset(rule('bob', ones('sip:bob@example.com'), 'polite-block')));
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), noPresence))?.subHandling, 'allow');
  authorizer.invalidate(ALICE);
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), noPresence))?.subHandling, 'polite-block');
  assert.deepEqual([source.reads, source.listReads], [2, 1]);
});

test('a failed read is not cached; an unreadable document has no rule and grants nothing (RFC 5025 §10)', async () => {
  const { authorizer, source } = setup('ts23141');
  source.docs.set(ALICE, ruleset(rule('all', '', 'allow')));
  source.failNext = true;
  await assert.rejects(authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), noPresence), /store down/);
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), noPresence))?.subHandling, 'allow');
  source.docs.set(ALICE, Buffer.from('<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"><rule id="x">'));
  authorizer.invalidate(ALICE);
  const broken = await authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), noPresence);
  assert.deepEqual([broken?.subHandling, broken?.rules], ['confirm', []]);
  assert.equal(broken?.permissions.services.all, false);
});

test('the provisioned default rule set applies to presentities without a document, its lists under the XCAP root', async () => {
  const root = 'https://xcap.example.com/xcap';
  const { authorizer, source } = setup('ts23141', { xcapRoot: root });
  source.lists.set(listAnchor(root, ALICE, GRANTED_CONTACTS), ['sip:bob@example.com']);
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), noPresence))?.subHandling, 'allow');
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:carol@example.com'), noPresence))?.subHandling, 'confirm');
  assert.equal((await authorizer.evaluate(ALICE, watcher(ANONYMOUS_WATCHER), noPresence))?.subHandling, 'block');
  assert.equal((await authorizer.evaluate(ALICE, watcher(ALICE), noPresence))?.subHandling, 'allow');
  // A stored document replaces the default set.
  source.docs.set(ALICE, ruleset(rule('only-carol', ones('sip:carol@example.com'), 'allow')));
  authorizer.invalidate(ALICE);
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), noPresence))?.subHandling, 'confirm');
});

test('validity follows the clock; the presence document is read only for sphere conditions', async () => {
  const { authorizer, source, clock } = setup();
  source.docs.set(
    ALICE,
    ruleset(
      rule('today', `${ones('sip:bob@example.com')}<cr:validity><cr:from>2024-06-01T00:00:00Z</cr:from><cr:until>2024-06-02T00:00:00Z</cr:until></cr:validity>`, 'allow') +
        rule('at-work', `${ones('sip:carol@example.com')}<cr:sphere value="work"/>`, 'allow'),
    ),
  );
  let reads = 0;
  const presence = (sphere: string) => (): Promise<PresenceDocument> => {
    reads++;
    return Promise.resolve(parseOk(pidf(`<dm:person id="p"><rpid:sphere><rpid:${sphere}/></rpid:sphere></dm:person>`)));
  };
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), presence('work')))?.subHandling, 'allow');
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:carol@example.com'), presence('work')))?.subHandling, 'allow');
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:carol@example.com'), presence('home')))?.subHandling, 'block');
  clock.advance(24 * 3600 * 1000);
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), presence('work')))?.subHandling, 'block');
  assert.equal(reads, 4, 'this document has a sphere condition: every evaluation reads the sphere');
  source.docs.set(ALICE, ruleset(rule('bob', ones('sip:bob@example.com'), 'allow')));
  authorizer.invalidate(ALICE);
  assert.equal((await authorizer.evaluate(ALICE, watcher('sip:bob@example.com'), noPresence))?.subHandling, 'allow');
});
