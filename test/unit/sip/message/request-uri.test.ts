import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipRequest } from '../../../../src/sip/message/message.js';
import { parseMessage } from '../../../../src/sip/parser/parse-message.js';
import { parseUri } from '../../../../src/sip/parser/uri.js';

const WIRE = Buffer.from(
  [
    'SUBSCRIBE sip:bob@example.com;transport=tcp SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1',
    'From: <sip:alice@example.com>;tag=1',
    'To: <sip:bob@example.com>',
    'Call-ID: c1@127.0.0.1',
    'CSeq: 1 SUBSCRIBE',
    'Max-Forwards: 70',
    '',
    '',
  ].join('\r\n'),
);

test('requestUri: the parser leaves the Request-URI parsed, and reading it again parses nothing', () => {
  const r = parseMessage(WIRE);
  assert.ok(r.ok && r.message.kind === 'request');
  const req = r.message;
  const first = req.requestUri;
  assert.deepEqual(first, parseUri('sip:bob@example.com;transport=tcp'));
  assert.equal(req.requestUri, first, 'the same result object, not a new parse');
});

test('requestUri: a changed uri is parsed again', () => {
  const req = new SipRequest('OPTIONS', 'sip:a@example.com');
  const before = req.requestUri;
  assert.ok(before.ok && before.value.scheme === 'sip' && 'host' in before.value && before.value.host === 'example.com');
  req.uri = 'tel:+15551234';
  const after = req.requestUri;
  assert.notEqual(after, before);
  assert.ok(after.ok && after.value.scheme === 'tel');
});

test('requestUri: a malformed Request-URI gives its defect', () => {
  const req = new SipRequest('OPTIONS', 'sip:');
  const r = req.requestUri;
  assert.equal(r.ok, false);
  assert.deepEqual(r, parseUri('sip:'));
});

test('requestUri: a clone parses its own copy', () => {
  const req = new SipRequest('OPTIONS', 'sip:a@example.com');
  const original = req.requestUri;
  const copy = req.clone();
  assert.notEqual(copy.requestUri, original);
  assert.deepEqual(copy.requestUri, original);
});
