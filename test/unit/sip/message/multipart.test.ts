import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeaderList } from '../../../../src/sip/message/headers.js';
import { buildMultipart, parseMultipart, rootPart } from '../../../../src/sip/message/multipart.js';
import type { MultipartBody, MultipartPart } from '../../../../src/sip/message/multipart.js';
import type { MediaType } from '../../../../src/sip/message/types.js';
import { ContentTypeHeader } from '../../../../src/sip/parser/headers/content-type.js';
import { parseMessage } from '../../../../src/sip/parser/parse-message.js';
import { NOTIFY_BODY, NOTIFY_CONTENT_TYPE, SIGNED_BODY, SIGNED_CONTENT_TYPE } from './fixtures/rfc4662.js';

function mediaType(text: string): MediaType {
  const r = ContentTypeHeader.parse([text]);
  assert.ok(r.ok, r.ok ? '' : r.defect);
  return r.value;
}

function parsed(body: Buffer | string, contentType: string, maxParts?: number): MultipartBody {
  const r = parseMultipart(Buffer.from(body), mediaType(contentType), maxParts === undefined ? {} : { maxParts });
  assert.ok(r.ok, r.ok ? '' : r.defect);
  return r.value;
}

function defect(body: string, contentType: string, maxParts?: number): string {
  const r = parseMultipart(Buffer.from(body), mediaType(contentType), maxParts === undefined ? {} : { maxParts });
  assert.ok(!r.ok, 'expected a defect');
  return r.defect;
}

function part(headers: Array<[string, string]>, body: string | Buffer): MultipartPart {
  return { headers: new HeaderList(headers.map(([n, v]) => HeaderList.field(n, v))), body: Buffer.from(body) };
}

const MIXED = 'multipart/mixed;boundary=b';

test('RFC 4662 §6 NOTIFY: RLMI root and two PIDF parts, root found by start', () => {
  const mp = parsed(NOTIFY_BODY, NOTIFY_CONTENT_TYPE);
  assert.equal(mp.parts.length, 3);
  assert.equal(mp.params.get('type'), 'application/rlmi+xml');
  assert.equal(mp.params.get('start'), '<nXYxAE@pres.vancouver.example.com>');
  assert.equal(mp.params.get('boundary'), '50UBfW7LSCVLtggUPe5z');
  const [rlmi, bob, dave] = mp.parts;
  assert.equal(rlmi!.headers.get('Content-Type'), 'application/rlmi+xml;charset="UTF-8"');
  assert.equal(rlmi!.headers.get('content-transfer-encoding'), 'binary');
  assert.equal(bob!.headers.get('Content-ID'), '<bUZBsM@pres.vancouver.example.com>');
  assert.ok(rlmi!.body.toString().startsWith('<?xml version="1.0" encoding="UTF-8"?>\r\n<list'));
  // The blank line before a delimiter: its CRLF ends the body's last line, the next one is the delimiter's.
  assert.ok(rlmi!.body.toString().endsWith('</list>\r\n'));
  assert.ok(dave!.body.toString().endsWith('<basic>closed</basic>\r\n    </status>\r\n  </tuple>\r\n</presence>\r\n'));
  assert.equal(rootPart(mp), rlmi);
});

test('RFC 4662 §6 multipart/signed: the nested multipart/related stays a part body and parses on its own', () => {
  const outer = parsed(SIGNED_BODY, SIGNED_CONTENT_TYPE);
  assert.equal(outer.parts.length, 2);
  const [list, signature] = outer.parts;
  assert.equal(signature!.body.toString(), '[PKCS #7 signature here]\r\n');
  // The part's folded Content-Type is unfolded.
  const innerType = list!.headers.get('Content-Type')!;
  assert.equal(innerType, 'multipart/related;type="application/rlmi+xml"; start="<Cvjpeo@stockholm.example.org>"; boundary="tuLLl3lDyPZX0GMr2YOo"');
  const inner = parsed(list!.body, innerType);
  assert.deepEqual(inner.parts.map((p) => p.headers.get('Content-ID')), [
    '<Cvjpeo@stockholm.example.org>', '<mrEakg@stockholm.example.org>', '<KKMDmv@stockholm.example.org>',
  ]);
  assert.equal(rootPart(inner)?.headers.get('Content-Type'), 'application/rlmi+xml;charset="UTF-8"');
});

test('RFC 4475 mpart01: text part and a binary part holding NUL octets', () => {
  const raw = readFileSync(join(process.cwd(), 'test', 'conformance', 'fixtures', 'rfc4475', 'mpart01.dat'));
  const r = parseMessage(raw);
  assert.ok(r.ok, r.ok ? '' : r.defect);
  const ct = r.message.required(ContentTypeHeader);
  const mp = parseMultipart(r.message.body, ct);
  assert.ok(mp.ok, mp.ok ? '' : mp.defect);
  const [text, bin] = mp.value.parts;
  assert.equal(mp.value.parts.length, 2);
  assert.equal(text!.headers.get('Content-Type'), 'text/plain');
  assert.equal(text!.body.toString(), 'Hello');
  assert.equal(bin!.headers.get('Content-Type'), 'application/octet-stream');
  assert.equal(bin!.body[0], 0x30);
  assert.equal(bin!.body[bin!.body.length - 1], 0x05);
  assert.ok(bin!.body.includes(0x00));
  // The part is one DER SEQUENCE (30 82 01 52): 4 octets of tag and length, then 0x152 octets.
  assert.equal(bin!.body.length, 4 + 0x152);
});

test('preamble and epilogue are ignored; transport padding after a delimiter is allowed', () => {
  const mp = parsed('This is the preamble.\r\n--b  \t\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b--  \r\nepilogue\r\n--b\r\nignored', MIXED);
  assert.deepEqual(mp.parts.map((p) => p.body.toString()), ['one', 'two']);
  assert.equal(mp.parts[1]!.headers.all().length, 0);
});

test('the boundary string inside a line, or followed by other characters, is not a delimiter', () => {
  const mp = parsed('--b\r\n\r\nx --b y\r\n--bb\r\n--b-\r\n--b--', MIXED);
  assert.equal(mp.parts.length, 1);
  assert.equal(mp.parts[0]!.body.toString(), 'x --b y\r\n--bb\r\n--b-');
});

test('empty parts, parts without a blank line, and LF-only line ends', () => {
  const mp = parsed('--b\r\n--b\r\n\r\n--b\r\nContent-Type: text/plain\r\n--b\r\nContent-Type: text/plain\r\n\r\n\r\n--b--', MIXED);
  assert.deepEqual(mp.parts.map((p) => [p.headers.all().length, p.body.length]), [[0, 0], [0, 0], [1, 0], [1, 0]]);
  const lf = parsed('--b\nContent-Type: text/plain\n\nline one\nline two\n--b--\n', MIXED);
  assert.equal(lf.parts[0]!.body.toString(), 'line one\nline two');
  assert.equal(lf.parts[0]!.headers.get('Content-Type'), 'text/plain');
});

test('defects: boundary, delimiters, part headers, part count, media type', () => {
  assert.match(defect('--b\r\n\r\nx\r\n--b--', 'multipart/mixed'), /no boundary/);
  assert.match(defect('--b\r\n\r\nx\r\n--b--', `multipart/mixed;boundary=${'a'.repeat(71)}`), /invalid multipart boundary/);
  assert.match(defect('--b\r\n\r\nx\r\n--b--', 'multipart/mixed;boundary="ends with space "'), /invalid multipart boundary/);
  assert.match(defect('--b\r\n\r\nx\r\n--b--', 'text/plain;boundary=b'), /not a multipart/);
  assert.match(defect('no delimiter here', MIXED), /no multipart boundary delimiter/);
  assert.match(defect('--b\r\n\r\ntruncated', MIXED), /missing multipart close delimiter/);
  assert.match(defect('--b--\r\n', MIXED), /no body part/);
  assert.match(defect('--b\r\nnot a header\r\n\r\nx\r\n--b--', MIXED), /malformed body part header/);
  assert.match(defect('--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b\r\n\r\n3\r\n--b--', MIXED, 2), /more than 2 body parts/);
  assert.equal(parsed('--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b--', MIXED, 2).parts.length, 2);
  assert.match(defect(`${'--b\r\n\r\nx\r\n'.repeat(1001)}--b--`, MIXED), /more than 1000 body parts/);
});

test('large bodies parse in linear time', { timeout: 10_000 }, () => {
  // A megabyte of near-delimiters (each must be examined and rejected) and a thousand real parts.
  const near = `--b\r\n\r\n${'\r\n--bX'.repeat(200_000)}\r\n--b--`;
  assert.equal(parsed(near, MIXED).parts[0]!.body.length, 6 * 200_000);
  const many = `${'--b\r\nContent-Type: text/plain\r\n\r\nx\r\n'.repeat(1000)}--b--`;
  assert.equal(parsed(many, MIXED).parts.length, 1000);
});

test('buildMultipart related: type from the root part, start, random boundary; parses back to the same parts', () => {
  const parts = [
    part([['Content-Transfer-Encoding', 'binary'], ['Content-ID', '<root@example.com>'], ['Content-Type', 'application/rlmi+xml;charset="UTF-8"']], '<list/>'),
    part([['Content-ID', '<p1@example.com>'], ['Content-Type', 'application/pidf+xml']], Buffer.from([0x3c, 0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0x3e])),
  ];
  const built = buildMultipart(parts, { type: 'related', start: '<root@example.com>' });
  const ct = mediaType(built.contentType);
  assert.equal(`${ct.type}/${ct.subtype}`, 'multipart/related');
  assert.equal(ct.params.get('type'), '"application/rlmi+xml"');
  assert.equal(ct.params.get('start'), '"<root@example.com>"');
  const boundary = ct.params.get('boundary')!.replace(/"/g, '');
  assert.ok(boundary.length >= 16);
  const back = parseMultipart(built.body, ct);
  assert.ok(back.ok, back.ok ? '' : back.defect);
  assert.equal(back.value.parts.length, 2);
  for (let i = 0; i < parts.length; i++) {
    assert.deepEqual(back.value.parts[i]!.headers.all(), parts[i]!.headers.all());
    assert.deepEqual(back.value.parts[i]!.body, parts[i]!.body);
  }
  assert.equal(rootPart(back.value)?.headers.get('Content-ID'), '<root@example.com>');
  // Two builds pick different boundaries.
  assert.notEqual(buildMultipart(parts, { type: 'related' }).contentType, buildMultipart(parts, { type: 'related' }).contentType);
});

test('buildMultipart mixed with a given boundary; RFC 4662 body rebuilt part for part', () => {
  const source = parsed(NOTIFY_BODY, NOTIFY_CONTENT_TYPE);
  const built = buildMultipart(source.parts, { type: 'related', start: '<nXYxAE@pres.vancouver.example.com>', boundary: '50UBfW7LSCVLtggUPe5z' });
  assert.equal(built.contentType,
    'multipart/related;type="application/rlmi+xml";start="<nXYxAE@pres.vancouver.example.com>";boundary=50UBfW7LSCVLtggUPe5z');
  const again = parsed(built.body, built.contentType);
  assert.deepEqual(again.parts.map((p) => p.body), source.parts.map((p) => p.body));
  const mixed = buildMultipart([part([['Content-Type', 'text/plain']], 'hi')], { type: 'mixed', boundary: 'with space' });
  assert.equal(mixed.contentType, 'multipart/mixed;boundary="with space"');
  assert.equal(mixed.body.toString(), '--with space\r\nContent-Type: text/plain\r\n\r\nhi\r\n--with space--\r\n');
});

test('a nested multipart built as a part survives the outer parse', () => {
  const inner = buildMultipart([part([['Content-Type', 'application/pidf+xml']], '<presence/>')], { type: 'related' });
  const outer = buildMultipart([part([['Content-Type', inner.contentType]], inner.body), part([['Content-Type', 'text/plain']], 'sig')], { type: 'mixed' });
  const o = parsed(outer.body, outer.contentType);
  assert.equal(o.parts.length, 2);
  const i = parsed(o.parts[0]!.body, o.parts[0]!.headers.get('Content-Type')!);
  assert.equal(i.parts[0]!.body.toString(), '<presence/>');
});

test('buildMultipart rejects caller mistakes', () => {
  const p = part([['Content-Type', 'text/plain']], 'contains --clash-- here');
  assert.throws(() => buildMultipart([], { type: 'mixed' }), RangeError);
  assert.throws(() => buildMultipart([p], { type: 'mixed', boundary: 'clash' }), RangeError);
  assert.throws(() => buildMultipart([p], { type: 'mixed', boundary: 'bad\r\nboundary' }), RangeError);
  assert.throws(() => buildMultipart([p], { type: 'related', start: '<nowhere@example.com>' }), RangeError);
  assert.throws(() => buildMultipart([part([], 'x')], { type: 'related' }), RangeError);
});
