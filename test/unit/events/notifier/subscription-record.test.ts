import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordParts } from '../../../../src/events/notifier/record-parts.js';
import { newSubscriptionRecord } from '../../../../src/events/notifier/subscription-record.js';
import type { NewSubscription } from '../../../../src/events/notifier/subscription-record.js';
import type { DialogState } from '../../../../src/sip/dialog/dialog-state.js';

const T0 = 1_700_000_000_000;

function dialog(over: Partial<DialogState> = {}): DialogState {
  return {
    callId: 'c1@192.0.2.1',
    localTag: 'lt1',
    remoteTag: 'rt1',
    localUri: 'sip:alice@example.com',
    remoteUri: 'sip:bob@example.org',
    remoteTarget: 'sip:bob@192.0.2.1:5060',
    routeSet: [],
    remoteSeq: 7,
    secure: false,
    ...over,
  };
}

const subscription: NewSubscription = {
  resource: 'sip:alice@example.com',
  event: 'presence',
  eventId: undefined,
  watcher: 'sip:bob@example.org',
  watcherDisplayName: undefined,
  accept: ['application/pidf+xml'],
  body: undefined,
  expires: 600,
  localTarget: 'sip:192.0.2.9:5060',
  flow: { id: 'udp:1', transport: 'UDP', localAddress: '192.0.2.9', localPort: 5060, remoteAddress: '192.0.2.1', remotePort: 5060 },
  now: T0,
};

test('newSubscriptionRecord: the dialog and request fields, pending, no NOTIFY sent yet', () => {
  const d = dialog({ routeSet: ['<sip:p1.example.net;lr>'] });
  const r = newSubscriptionRecord(d, subscription, new RecordParts());
  const { callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routeSet } = d;
  assert.deepEqual(r, {
    id: 'lt1', resource: 'sip:alice@example.com', event: 'presence', state: 'pending', watcher: 'sip:bob@example.org',
    callId, localTag, remoteTag, localUri, remoteUri, remoteTarget, routeSet,
    localCSeq: 0,
    remoteCSeq: 7,
    secure: false,
    flow: { transport: 'UDP', address: '192.0.2.1', port: 5060, flowId: 'udp:1' },
    accept: ['application/pidf+xml'],
    expiresAt: T0 + 600_000,
    createdAt: T0,
    extra: { localTarget: 'sip:192.0.2.9:5060' },
  });
});

test('newSubscriptionRecord: records without a route set share one empty list, which cannot change', () => {
  const parts = new RecordParts();
  const a = newSubscriptionRecord(dialog(), subscription, parts);
  const b = newSubscriptionRecord(dialog({ localTag: 'lt2' }), subscription, parts);
  assert.deepEqual(a.routeSet, []);
  assert.equal(a.routeSet, b.routeSet);
  assert.ok(Object.isFrozen(a.routeSet));
});

test('newSubscriptionRecord: dialog URIs equal to the resource or the watcher are kept as that same text', () => {
  const r = newSubscriptionRecord(dialog({ localUri: 'sip:alice@example.com:5060' }), subscription, new RecordParts());
  assert.equal(r.localUri, 'sip:alice@example.com:5060');
  assert.equal(r.remoteUri, r.watcher);
});
