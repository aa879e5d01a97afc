import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AcceptHeader, accepts } from '../../../../../src/sip/parser/headers/accept.js';
import { parseMessage } from '../../../../../src/sip/parser/parse-message.js';
import { defect, ok } from './grammar-helpers.js';

const captures = join(process.cwd(), '..', 'shared', 'captures');

test('the linphone eventlist SUBSCRIBE: three Accept lines merge into one list', () => {
  const r = parseMessage(readFileSync(join(captures, 'linphone-08-SUBSCRIBE-eventlist-deflate-decoded.txt')));
  assert.ok(r.ok);
  const ranges = r.message.header(AcceptHeader);
  assert.deepEqual(ranges?.map((m) => `${m.type}/${m.subtype}`), ['multipart/related', 'application/pidf+xml', 'application/rlmi+xml']);
  assert.ok(ranges && accepts(ranges, 'application', 'rlmi+xml'));
  assert.ok(ranges && !accepts(ranges, 'application', 'xpidf+xml'));
});

test('a SUBSCRIBE without Accept reads as undefined, an empty Accept as [] (RFC 3261 §20.1)', () => {
  const r = parseMessage(readFileSync(join(captures, 'baresip-03-SUBSCRIBE-presence.txt')));
  assert.ok(r.ok);
  assert.equal(r.message.header(AcceptHeader), undefined);
  assert.deepEqual(ok(AcceptHeader, ''), []);
  assert.deepEqual(ok(AcceptHeader, '', 'text/plain').map((m) => m.subtype), ['plain']);
});

test('media ranges: wildcards, parameters and q', () => {
  const [any, text, pidf] = ok(AcceptHeader, '*/*;q=0.1, Text/*; level=1, application/pidf+xml;charset="UTF-8";q=0');
  assert.deepEqual([any!.type, any!.subtype, any!.q], ['*', '*', 0.1]);
  assert.deepEqual([text!.type, text!.subtype, text!.q], ['text', '*', 1]);
  assert.equal(text!.params.get('level'), '1');
  assert.equal(pidf!.q, 0);
  assert.equal(pidf!.params.get('charset'), '"UTF-8"');
});

test('malformed ranges are defects', () => {
  for (const v of ['*/xml', 'text', 'text/', 'text/plain;q=1.5', 'text/plain;q=0.1234', 'text/plain;q', 'text/plain,', 'a/b c/d']) {
    assert.ok(defect(AcceptHeader, v), v);
  }
});

test('accepts: the most specific range decides, q=0 refuses', () => {
  const r = (v: string) => ok(AcceptHeader, v);
  assert.ok(accepts(r('application/pidf+xml'), 'application', 'pidf+xml'));
  assert.ok(accepts(r('application/pidf+xml'), 'Application', 'PIDF+XML'));
  assert.ok(!accepts(r('application/pidf+xml'), 'application', 'xml'));
  assert.ok(accepts(r('*/*'), 'application', 'pidf+xml'));
  assert.ok(accepts(r('application/*'), 'application', 'pidf+xml'));
  assert.ok(!accepts(r('text/*'), 'application', 'pidf+xml'));
  assert.ok(!accepts(r('application/pidf+xml;q=0'), 'application', 'pidf+xml'));
  assert.ok(!accepts(r('*/*;q=0'), 'text', 'plain'));
  assert.ok(accepts(r('text/*;q=0, text/plain'), 'text', 'plain'));
  assert.ok(!accepts(r('text/*;q=0, text/plain'), 'text', 'html'));
  assert.ok(accepts(r('*/*, text/*;q=0, text/plain'), 'application', 'sdp'));
  assert.ok(!accepts(r('*/*, text/*;q=0, text/plain'), 'text', 'html'));
  assert.ok(accepts(r('text/plain;q=0, text/plain;q=0.5'), 'text', 'plain'));
  assert.ok(!accepts([], 'text', 'plain'));
});
