import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { failureHint } from '../../../src/cli/failure-hint.js';
import type { HintContext } from '../../../src/cli/failure-hint.js';
import { formatPublishEvent, publishEventJson } from '../../../src/cli/publish-format.js';
import { collectActivity, parseStatus, RPID_ACTIVITIES, tupleIdFor } from '../../../src/cli/publish.js';

const ALICE = 'sip:alice@example.com';
const CTX: HintContext = { method: 'PUBLISH', server: '127.0.0.1:5060', transport: 'UDP', credentials: false };

describe('presenced publish output', () => {
  test('each outcome in one readable line', () => {
    assert.equal(formatPublishEvent({ kind: 'published', aor: ALICE, etag: 'x1', expires: 3600 }), `published ${ALICE} (etag x1, expires 3600 s)`);
    assert.equal(formatPublishEvent({ kind: 'refreshed', aor: ALICE, etag: 'x2', expires: 60 }), `refreshed ${ALICE} (etag x2, expires 60 s)`);
    assert.equal(formatPublishEvent({ kind: 'removed', aor: ALICE }), `removed ${ALICE}`);
    assert.equal(
      formatPublishEvent({ kind: 'failed', aor: ALICE, status: 489, reason: 'Bad Event', hint: 'fix it' }),
      `publishing ${ALICE} failed: 489 Bad Event — fix it`,
    );
    assert.equal(formatPublishEvent({ kind: 'failed', aor: ALICE, status: 500, reason: 'Server Internal Error' }), `publishing ${ALICE} failed: 500 Server Internal Error`);
  });

  test('--json: {time, event, aor, …} per line', () => {
    const at = new Date(Date.UTC(2026, 0, 5, 12, 1, 2));
    assert.deepEqual(JSON.parse(publishEventJson({ kind: 'published', aor: ALICE, etag: 'x1', expires: 3600 }, at)), {
      time: '2026-01-05T12:01:02.000Z', event: 'published', aor: ALICE, etag: 'x1', expires: 3600,
    });
    assert.deepEqual(JSON.parse(publishEventJson({ kind: 'failed', aor: ALICE, status: 423, reason: 'Interval Too Brief', hint: 'h' }, at)), {
      time: '2026-01-05T12:01:02.000Z', event: 'failed', aor: ALICE, status: 423, reason: 'Interval Too Brief', hint: 'h',
    });
    assert.ok(!publishEventJson({ kind: 'removed', aor: ALICE }, at).includes('\n'));
  });

  test('failure hints name the fix', () => {
    assert.match(failureHint(489, CTX)!, /does not support presence/);
    assert.match(failureHint(423, CTX)!, /--expires of at least the server's Min-Expires/);
    assert.match(failureHint(401, CTX)!, /give --user and --password/);
    assert.match(failureHint(407, { ...CTX, credentials: true })!, /check --user and --password/);
    assert.match(failureHint(408, CTX)!, /no answer from 127\.0\.0\.1:5060 over udp: is presenced serve running/);
    assert.match(failureHint(503, { ...CTX, transport: 'TCP' })!, /could not reach 127\.0\.0\.1:5060 over tcp/);
    assert.match(failureHint(403, { ...CTX, method: 'SUBSCRIBE' })!, /watcher/);
    assert.equal(failureHint(500, CTX), undefined);
  });
});

describe('presenced publish options', () => {
  test('--status open|closed', () => {
    assert.equal(parseStatus('open'), 'open');
    assert.equal(parseStatus('CLOSED'), 'closed');
    assert.throws(() => parseStatus('busy'), (e: unknown) => e instanceof InvalidArgumentError && /open \(reachable\) or closed/.test(e.message));
  });

  test('--activity is repeatable, limited to RFC 4480 activities; unknown stands alone', () => {
    let acts = collectActivity('busy', []);
    acts = collectActivity('On-The-Phone', acts);
    acts = collectActivity('busy', acts);
    assert.deepEqual(acts, ['busy', 'on-the-phone']);
    assert.ok(RPID_ACTIVITIES.includes('meal') && RPID_ACTIVITIES.includes('away') && !RPID_ACTIVITIES.includes('other'));
    assert.throws(() => collectActivity('dancing', []), (e: unknown) => e instanceof InvalidArgumentError && /RPID activities: appointment, away/.test(e.message));
    assert.throws(() => collectActivity('unknown', ['busy']), /cannot be combined/);
    assert.deepEqual(collectActivity('unknown', []), ['unknown']);
  });

  test('the tuple id is stable per AOR (a later publish replaces the earlier tuple) and a valid XML id', () => {
    assert.equal(tupleIdFor(ALICE), tupleIdFor(ALICE));
    assert.notEqual(tupleIdFor(ALICE), tupleIdFor('sip:bob@example.com'));
    assert.match(tupleIdFor(ALICE), /^pub-[0-9a-f]{12}$/);
  });
});
