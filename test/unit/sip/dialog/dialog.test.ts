import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDialogResponseHeaders, uacDialogFromResponse, uasDialogFromRequest,
} from '../../../../src/sip/dialog/dialog-state.js';
import type { DialogState } from '../../../../src/sip/dialog/dialog-state.js';
import { buildInDialogRequest, nextHop } from '../../../../src/sip/dialog/in-dialog-request.js';
import { formatUri } from '../../../../src/sip/message/format.js';
import type { SipRequest, SipResponse } from '../../../../src/sip/message/message.js';
import { createResponse } from '../../../../src/sip/message/response.js';
import { serialize } from '../../../../src/sip/message/serialize.js';
import { SipError } from '../../../../src/sip/message/sip-error.js';
import { parseMessage } from '../../../../src/sip/parser/parse-message.js';

function parse(lines: string[]): SipRequest | SipResponse {
  const r = parseMessage(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`));
  if (!r.ok) throw new Error(r.defect);
  return r.message;
}

function subscribe(extra: string[] = [], ruri = 'sip:bob@ps.test'): SipRequest {
  return parse([
    `SUBSCRIBE ${ruri} SIP/2.0`,
    'Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKa',
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@a.test>;tag=from1',
    'To: <sip:bob@ps.test>',
    'Call-ID: call-1@a.test',
    'CSeq: 7 SUBSCRIBE',
    'Event: presence',
    ...extra,
    'Content-Length: 0',
  ]) as SipRequest;
}

const CONTACT = 'Contact: <sip:alice@192.0.2.10:5070;transport=tcp>;expires=60';

// RFC 3261 §12.1.1: the dialog state of a UAS.
describe('uasDialogFromRequest', () => {
  test('takes Record-Route in order, Contact, CSeq, tags and URIs (§12.1.1)', () => {
    const req = subscribe([
      CONTACT,
      'Record-Route: <sip:p1.test;lr;ftag=x>, <sip:p2.test;lr>',
      'Record-Route: <sip:[2001:db8::1]:5080;lr>',
    ]);
    const d = uasDialogFromRequest(req, 'mine', 'TCP');
    assert.equal(d.localSeq, undefined);
    assert.deepEqual(d, {
      callId: 'call-1@a.test',
      localTag: 'mine',
      remoteTag: 'from1',
      localUri: 'sip:bob@ps.test',
      remoteUri: 'sip:alice@a.test',
      remoteTarget: 'sip:alice@192.0.2.10:5070;transport=tcp',
      routeSet: ['<sip:p1.test;lr;ftag=x>', '<sip:p2.test;lr>', '<sip:[2001:db8::1]:5080;lr>'],
      remoteSeq: 7,
      secure: false,
    });
  });

  test('no Record-Route: empty route set; no From tag: null remote tag', () => {
    const req = subscribe([CONTACT]);
    req.headers.set('From', '<sip:alice@a.test>');
    const d = uasDialogFromRequest(req, 't', 'UDP');
    assert.deepEqual(d.routeSet, []);
    assert.equal(d.remoteTag, '');
  });

  test('secure only for a sips Request-URI over TLS or WSS (§12.1.1)', () => {
    const sips = subscribe(['Contact: <sips:alice@a.test>'], 'sips:bob@ps.test');
    assert.equal(uasDialogFromRequest(sips, 't', 'TLS').secure, true);
    assert.equal(uasDialogFromRequest(sips, 't', 'WSS').secure, true);
    assert.equal(uasDialogFromRequest(sips, 't', 'TCP').secure, false);
    assert.equal(uasDialogFromRequest(subscribe([CONTACT]), 't', 'TLS').secure, false);
  });

  test('Contact must hold exactly one SIP or SIPS URI (§8.1.1.8): else 400', () => {
    for (const bad of [[], ['Contact: *'], ['Contact: <sip:a@a.test>, <sip:b@a.test>'], ['Contact: <tel:+1234>']]) {
      assert.throws(
        () => uasDialogFromRequest(subscribe(bad), 't', 'TCP'),
        (e: unknown) => e instanceof SipError && e.status === 400 && /Contact/.test(e.reason),
      );
    }
  });

  test('a malformed Record-Route is a 400 naming it', () => {
    assert.throws(
      () => uasDialogFromRequest(subscribe([CONTACT, 'Record-Route: sip:p1.test;lr']), 't', 'TCP'),
      (e: unknown) => e instanceof SipError && e.status === 400 && /Record-Route/.test(e.reason),
    );
  });

  test('addDialogResponseHeaders copies every Record-Route line in order and sets Contact', () => {
    const req = subscribe([CONTACT, 'Record-Route: <sip:p1.test;lr>, <sip:p2.test;lr>', 'Record-Route: <sip:p3.test;lr>']);
    const res = createResponse(req, 200, undefined, 'mine');
    addDialogResponseHeaders(res, req, 'sip:ps.test:5060;transport=tcp');
    assert.deepEqual(res.headers.getAll('Record-Route'), ['<sip:p1.test;lr>, <sip:p2.test;lr>', '<sip:p3.test;lr>']);
    assert.equal(res.headers.get('Contact'), '<sip:ps.test:5060;transport=tcp>');
  });
});

// RFC 3261 §12.1.2: the dialog state of a UAC (the subscriber side).
describe('uacDialogFromResponse', () => {
  test('takes Record-Route reversed, Contact of the response, CSeq of the request (§12.1.2)', () => {
    const req = subscribe([CONTACT]);
    const res = createResponse(req, 200, undefined, 'their');
    res.headers.append('Record-Route', '<sip:p1.test;lr>, <sip:p2.test;lr>');
    res.headers.append('Contact', '<sip:ps.test:5060>');
    const d = uacDialogFromResponse(req, res, 'TCP');
    assert.deepEqual(d, {
      callId: 'call-1@a.test',
      localTag: 'from1',
      remoteTag: 'their',
      localUri: 'sip:alice@a.test',
      remoteUri: 'sip:bob@ps.test',
      remoteTarget: 'sip:ps.test:5060',
      routeSet: ['<sip:p2.test;lr>', '<sip:p1.test;lr>'],
      localSeq: 7,
      secure: false,
    });
  });

  test('a response without Contact cannot create a dialog (400)', () => {
    const req = subscribe([CONTACT]);
    assert.throws(() => uacDialogFromResponse(req, createResponse(req, 200), 'TCP'), SipError);
  });
});

function dialog(routeSet: string[], over: Partial<DialogState> = {}): DialogState {
  return {
    callId: 'c1', localTag: 'lt', remoteTag: 'rt', localUri: 'sip:bob@ps.test', remoteUri: 'sip:alice@a.test',
    remoteTarget: 'sip:alice@192.0.2.10:5070;transport=tcp', routeSet, localSeq: 3, remoteSeq: 7, secure: false,
    ...over,
  };
}

// RFC 3261 §12.2.1.1: generating a request within a dialog.
describe('buildInDialogRequest', () => {
  test('empty route set: Request-URI is the remote target, no Route; tags, Call-ID, CSeq, Max-Forwards', () => {
    const req = buildInDialogRequest(dialog([]), 'NOTIFY', 4, 'sip:ps.test:5060;transport=tcp');
    assert.equal(req.method, 'NOTIFY');
    assert.equal(req.uri, 'sip:alice@192.0.2.10:5070;transport=tcp');
    assert.equal(req.headers.has('Route'), false);
    assert.equal(req.headers.get('From'), '<sip:bob@ps.test>;tag=lt');
    assert.equal(req.headers.get('To'), '<sip:alice@a.test>;tag=rt');
    assert.equal(req.headers.get('Call-ID'), 'c1');
    assert.equal(req.headers.get('CSeq'), '4 NOTIFY');
    assert.equal(req.headers.get('Max-Forwards'), '70');
    assert.equal(req.headers.get('Contact'), '<sip:ps.test:5060;transport=tcp>');
    assert.equal(req.headers.has('Via'), false);
  });

  test('loose routing: Request-URI is the remote target, Route is the route set with all parameters', () => {
    const req = buildInDialogRequest(dialog(['<sip:p1.test;lr;ftag=x>', '<sip:p2.test;lr>']), 'NOTIFY', 4);
    assert.equal(req.uri, 'sip:alice@192.0.2.10:5070;transport=tcp');
    assert.equal(req.headers.get('Route'), '<sip:p1.test;lr;ftag=x>, <sip:p2.test;lr>');
    assert.equal(req.headers.has('Contact'), false);
  });

  test('strict routing: the example of §12.2.1.1', () => {
    const d = dialog(['<sip:proxy1>', '<sip:proxy2>', '<sip:proxy3;lr>', '<sip:proxy4>'], { remoteTarget: 'sip:user@remoteua' });
    const req = buildInDialogRequest(d, 'NOTIFY', 4);
    assert.equal(req.uri, 'sip:proxy1');
    assert.equal(req.headers.get('Route'), '<sip:proxy2>, <sip:proxy3;lr>, <sip:proxy4>, <sip:user@remoteua>');
  });

  test('strict routing strips what a Request-URI may not hold (method parameter, headers)', () => {
    const req = buildInDialogRequest(dialog(['<sip:proxy1;method=NOTIFY;maddr=192.0.2.5?subject=x>']), 'NOTIFY', 4);
    assert.equal(req.uri, 'sip:proxy1;maddr=192.0.2.5');
  });

  test('null tags are omitted (§12.2.1.1)', () => {
    const req = buildInDialogRequest(dialog([], { localTag: '', remoteTag: '' }), 'NOTIFY', 1);
    assert.equal(req.headers.get('From'), '<sip:bob@ps.test>');
    assert.equal(req.headers.get('To'), '<sip:alice@a.test>');
  });

  test('the request serialises and parses back (with a Via added by the sender)', () => {
    const req = buildInDialogRequest(dialog(['<sip:p1.test;lr>']), 'NOTIFY', 9, 'sip:ps.test');
    req.headers.prepend('Via', 'SIP/2.0/TCP ps.test:5060;branch=z9hG4bKx');
    const back = parseMessage(serialize(req));
    assert.ok(back.ok);
    assert.equal(back.message.kind, 'request');
  });

  test('CSeq outside 1..2^31-1 is a RangeError', () => {
    assert.throws(() => buildInDialogRequest(dialog([]), 'NOTIFY', 0), RangeError);
    assert.throws(() => buildInDialogRequest(dialog([]), 'NOTIFY', 2 ** 31), RangeError);
    assert.throws(() => buildInDialogRequest(dialog([]), 'NOTIFY', 1.5), RangeError);
  });

  test('a corrupt route set is a bug (Error), not a protocol rejection', () => {
    assert.throws(() => buildInDialogRequest(dialog(['not a route']), 'NOTIFY', 1), (e: unknown) => !(e instanceof SipError));
  });
});

describe('nextHop', () => {
  test('the first route when there is one, else the remote target', () => {
    assert.equal(formatUri(nextHop(dialog([]))), 'sip:alice@192.0.2.10:5070;transport=tcp');
    assert.equal(formatUri(nextHop(dialog(['<sip:p1.test;lr>', '<sip:p2.test;lr>']))), 'sip:p1.test;lr');
    assert.equal(formatUri(nextHop(dialog(['<sip:proxy1>', '<sip:p2.test;lr>']))), 'sip:proxy1');
  });
});
