import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { localTargetFor, localTargetOf, withLocalTarget } from '../../../../src/events/notifier/local-target.js';
import { buildNotify, subscriptionStateValue } from '../../../../src/events/notifier/notify-request.js';
import { responseEndsSubscription } from '../../../../src/events/notifier/notify-sender.js';
import type { SipRequest } from '../../../../src/sip/message/message.js';
import { parseMessage } from '../../../../src/sip/parser/parse-message.js';
import type { Flow, TransportName } from '../../../../src/sip/transport/types.js';
import type { SubscriptionRecord } from '../../../../src/store/ports.js';

function request(ruri: string, extra: string[] = []): SipRequest {
  const r = parseMessage(Buffer.from([
    `SUBSCRIBE ${ruri} SIP/2.0`,
    'Via: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bKa',
    'From: <sip:alice@a.test>;tag=1',
    'To: <sip:bob@ps.test>',
    'Call-ID: c',
    'CSeq: 1 SUBSCRIBE',
    'Contact: <sip:alice@192.0.2.10>',
    ...extra,
    '', '',
  ].join('\r\n')));
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad fixture');
  return r.message;
}

function flow(transport: TransportName, localAddress: string, localPort = 5060): Flow {
  return { id: 'f1', transport, localAddress, localPort, remoteAddress: '192.0.2.10', remotePort: 40000 };
}

describe('localTargetFor', () => {
  test('the local address of the flow, with the transport parameter when not UDP', () => {
    assert.equal(localTargetFor(flow('UDP', '192.0.2.1'), request('sip:bob@ps.test')), 'sip:192.0.2.1:5060');
    assert.equal(localTargetFor(flow('TCP', '2001:db8::1'), request('sip:bob@ps.test')), 'sip:[2001:db8::1]:5060;transport=tcp');
    assert.equal(localTargetFor(flow('TLS', '192.0.2.1', 5061), request('sip:bob@ps.test')), 'sip:192.0.2.1:5061;transport=tls');
    assert.equal(localTargetFor(flow('WS', '192.0.2.1', 8080), request('sip:bob@ps.test')), 'sip:192.0.2.1:8080;transport=ws');
  });

  test('a wildcard local address takes the host and port of the Request-URI', () => {
    assert.equal(localTargetFor(flow('UDP', '0.0.0.0'), request('sip:bob@ps.test:5070')), 'sip:ps.test:5070');
    assert.equal(localTargetFor(flow('UDP', '::'), request('sip:bob@ps.test')), 'sip:ps.test');
  });

  test('sips when the Request-URI, the top Record-Route or (without one) the Contact is sips (RFC 3261 §12.1.1)', () => {
    assert.equal(localTargetFor(flow('TLS', '192.0.2.1', 5061), request('sips:bob@ps.test')), 'sips:192.0.2.1:5061');
    assert.equal(localTargetFor(flow('WSS', '192.0.2.1', 443), request('sips:bob@ps.test')), 'sips:192.0.2.1:443;transport=ws');
    assert.equal(
      localTargetFor(flow('TLS', '192.0.2.1', 5061), request('sip:bob@ps.test', ['Record-Route: <sips:p.test;lr>'])),
      'sips:192.0.2.1:5061',
    );
    const sipsContact = request('sip:bob@ps.test');
    sipsContact.headers.set('Contact', '<sips:alice@a.test>');
    assert.equal(localTargetFor(flow('TLS', '192.0.2.1', 5061), sipsContact), 'sips:192.0.2.1:5061');
  });
});

function record(over: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id: 'lt', resource: 'sip:bob@ps.test', event: 'presence', state: 'active', watcher: 'sip:alice@a.test',
    callId: 'c', localTag: 'lt', remoteTag: 'rt', localUri: 'sip:bob@ps.test:5080', remoteUri: 'sip:alice@a.test',
    remoteTarget: 'sip:alice@192.0.2.10', routeSet: [], localCSeq: 0, remoteCSeq: 1, secure: false, accept: ['text/plain'],
    expiresAt: 1_000_000, createdAt: 0, ...over,
  };
}

describe('localTargetOf', () => {
  test('the kept target, else the host and port of the local URI', () => {
    assert.equal(localTargetOf(record({ extra: withLocalTarget({ v: 1 }, 'sip:192.0.2.1:5060') })), 'sip:192.0.2.1:5060');
    assert.equal(localTargetOf(record()), 'sip:ps.test:5080');
    assert.deepEqual(withLocalTarget({ v: 1 }, 'sip:x'), { v: 1, localTarget: 'sip:x' });
  });
});

describe('NOTIFY parts', () => {
  test('Subscription-State: remaining whole seconds for active/pending, reason and retry-after for terminated', () => {
    assert.equal(subscriptionStateValue({ state: 'active' }, 600_000, 0), 'active;expires=600');
    assert.equal(subscriptionStateValue({ state: 'pending' }, 600_000, 1), 'pending;expires=599');
    assert.equal(subscriptionStateValue({ state: 'active' }, 600_000, 700_000), 'active;expires=0');
    assert.equal(subscriptionStateValue({ state: 'terminated', reason: 'timeout' }, 600_000, 0), 'terminated;reason=timeout');
    assert.equal(subscriptionStateValue({ state: 'terminated', reason: 'probation', retryAfter: 60 }, 0, 0), 'terminated;reason=probation;retry-after=60');
  });

  test('buildNotify: Event with id, Subscription-State, Contact, body', () => {
    const req = buildNotify(record({ eventId: '7' }), 5, { state: 'active', body: { contentType: 'text/plain', body: Buffer.from('hi') } }, 'sip:ps.test', 400_000);
    assert.equal(req.headers.get('Event'), 'presence;id=7');
    assert.equal(req.headers.get('Subscription-State'), 'active;expires=600');
    assert.equal(req.headers.get('Contact'), '<sip:ps.test>');
    assert.equal(req.headers.get('CSeq'), '5 NOTIFY');
    assert.equal(req.headers.get('Content-Type'), 'text/plain');
    assert.equal(req.body.toString(), 'hi');
    const bare = buildNotify(record(), 6, { state: 'pending' }, 'sip:ps.test', 400_000);
    assert.equal(bare.headers.get('Event'), 'presence');
    assert.equal(bare.headers.has('Content-Type'), false);
  });

  test('responses that end a subscription (RFC 6665 §4.2.2, RFC 3261 §12.2.1.2)', () => {
    const ending = [404, 405, 408, 410, 416, 480, 481, 482, 483, 484, 485, 489, 501, 604];
    for (let s = 300; s < 700; s++) assert.equal(responseEndsSubscription(s), ending.includes(s), String(s));
  });
});
