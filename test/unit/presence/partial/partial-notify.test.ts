import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartialNotifications, VERSION_KEY } from '../../../../src/presence/partial/partial-notify.js';
import { PIDF_DIFF, readPidfDiff } from '../../../../src/presence/partial/pidf-diff.js';
import { buildPidf } from '../../../../src/presence/pidf/build.js';
import type { SubscriptionRecord } from '../../../../src/store/ports.js';

const PIDF = 'application/pidf+xml';

function record(accept: string[], extra?: Record<string, unknown>): SubscriptionRecord {
  return {
    id: 's1', resource: 'sip:alice@example.com', event: 'presence', state: 'active', watcher: 'sip:bob@example.com',
    callId: 'c', localTag: 's1', remoteTag: 'r', localUri: 'sip:alice@example.com', remoteUri: 'sip:bob@example.com',
    remoteTarget: 'sip:bob@127.0.0.1', routeSet: [], localCSeq: 0, remoteCSeq: 1, secure: false, accept,
    expiresAt: 0, createdAt: 0, ...(extra ? { extra } : {}),
  } as SubscriptionRecord;
}

/** A view with 8 tuples (large enough for a diff to pay), tuple t0 `basic`. */
function view(basic: 'open' | 'closed'): { contentType: string; body: Buffer } {
  const tuples = Array.from({ length: 8 }, (_, i) => `<tuple id="t${i}"><status><basic>${i === 0 ? basic : 'open'}</basic></status><contact>sip:alice-${i}@example.com</contact></tuple>`).join('');
  const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@example.com">\n${tuples}\n</presence>\n`);
  return { contentType: PIDF, body };
}

function kindAndVersion(body: Buffer | undefined): [string, number | undefined] {
  const d = readPidfDiff(body!);
  return [d.kind, d.version];
}

describe('partial notification state (RFC 5263 §4.4)', () => {
  it('a watcher without pidf-diff in its Accept gets the PIDF body unchanged', () => {
    const p = new PartialNotifications(PIDF);
    const body = { contentType: PIDF, body: buildPidf({ entity: 'sip:alice@example.com', basic: 'open' }) };
    assert.equal(p.encode({ record: record([PIDF]), body, fullState: true }).body, body);
  });

  it('full state at version 1, then diffs +1 per delivered NOTIFY; an undelivered one makes the next full', () => {
    const p = new PartialNotifications(PIDF);
    const rec = record([PIDF, PIDF_DIFF]);
    const first = p.encode({ record: rec, body: view('open'), fullState: true });
    assert.equal(first.body!.contentType, PIDF_DIFF);
    assert.deepEqual(kindAndVersion(first.body!.body), ['full', 1]);
    assert.deepEqual(first.settled!(true), { [VERSION_KEY]: 1 });
    const second = p.encode({ record: rec, body: view('closed'), fullState: false });
    assert.deepEqual(kindAndVersion(second.body!.body), ['diff', 2]);
    // Not delivered: the version does not move and the next one is full state.
    assert.equal(second.settled!(false), undefined);
    const third = p.encode({ record: rec, body: view('closed'), fullState: false });
    assert.deepEqual(kindAndVersion(third.body!.body), ['full', 2]);
    third.settled!(true);
    assert.deepEqual(kindAndVersion(p.encode({ record: rec, body: view('open'), fullState: false }).body!.body), ['diff', 3]);
    // RFC 5263 §4.4: full state when asked (a refresh), the version going on.
    assert.deepEqual(kindAndVersion(p.encode({ record: rec, body: view('open'), fullState: true }).body!.body), ['full', 3]);
  });

  it('without memory of the subscription (restart, forgotten), full state at the stored version plus one', () => {
    const p = new PartialNotifications(PIDF);
    const rec = record([PIDF, PIDF_DIFF], { [VERSION_KEY]: 41 });
    assert.deepEqual(kindAndVersion(p.encode({ record: rec, body: view('open'), fullState: false }).body!.body), ['full', 42]);
    p.encode({ record: rec, body: view('open'), fullState: false }).settled!(true);
    p.forget('s1');
    assert.deepEqual(kindAndVersion(p.encode({ record: record([PIDF, PIDF_DIFF]), body: view('open'), fullState: false }).body!.body), ['full', 1]);
  });
});
