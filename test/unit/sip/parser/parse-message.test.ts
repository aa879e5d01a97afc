import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage } from '../../../../src/sip/parser/parse-message.js';
import type { MessageParseResult, ParseOptions } from '../../../../src/sip/parser/parse-message.js';
import type { SipMessage } from '../../../../src/sip/message/message.js';

const HEAD = [
  'OPTIONS sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1',
  'From: <sip:alice@example.com>;tag=1',
  'To: <sip:bob@example.com>',
  'Call-ID: c1@127.0.0.1',
  'CSeq: 1 OPTIONS',
  'Max-Forwards: 70',
];

function msg(lines: string[], body = '', eol = '\r\n'): Buffer {
  return Buffer.from(lines.join(eol) + eol + eol + body, 'utf8');
}

/** HEAD with line `i` replaced (or, with `i` past the end, extra lines appended). */
function withLine(i: number, ...lines: string[]): string[] {
  const out = HEAD.slice();
  out.splice(i, i < HEAD.length ? 1 : 0, ...lines);
  return out;
}

function ok(data: Buffer, opts?: ParseOptions): SipMessage {
  const r = parseMessage(data, opts);
  assert.ok(r.ok, r.ok ? '' : `${r.status} ${r.defect}`);
  return r.message;
}

function rejected(data: Buffer, opts?: ParseOptions): Extract<MessageParseResult, { ok: false }> {
  const r = parseMessage(data, opts);
  assert.equal(r.ok, false);
  return r as Extract<MessageParseResult, { ok: false }>;
}

test('framing: keep-alive CRLFs, bare LF lines, datagram without blank line or Content-Length', () => {
  assert.equal(ok(Buffer.concat([Buffer.from('\r\n\r\n'), msg(HEAD)])).headers.get('Call-ID'), 'c1@127.0.0.1');
  const lf = ok(msg([...HEAD, 'Content-Length: 2'], 'ab\r\n\r\nxy', '\n'));
  assert.equal(lf.body.toString(), 'ab');
  assert.equal(ok(Buffer.from(HEAD.join('\r\n') + '\r\n')).body.length, 0);
  assert.equal(ok(msg(HEAD, 'rest of datagram')).body.toString(), 'rest of datagram');
  // RFC 3261 §18.3: Content-Length is mandatory on a stream.
  assert.match(rejected(msg(HEAD, 'x'), { stream: true }).defect, /Missing Content-Length/);
  assert.match(rejected(Buffer.from(HEAD.join('\r\n')), { stream: true }).defect, /blank line/);
  assert.equal(rejected(msg(HEAD, 'x'.repeat(100)), { maxSize: 100 }).status, 513);
});

test('Content-Length: leading zeros, sign, size, repetition', () => {
  assert.equal(ok(msg([...HEAD, 'l: 0003'], 'abcdef')).body.toString(), 'abc');
  for (const v of ['+3', '-3', '3 4', '', 'three', '0x3']) {
    assert.match(rejected(msg([...HEAD, `Content-Length: ${v}`], 'abc')).defect, /Bad Content-Length header: not a decimal/, v);
  }
  assert.match(rejected(msg([...HEAD, 'Content-Length: 99999999999999999999'], 'abc')).defect, /larger than the message body/);
  assert.match(rejected(msg([...HEAD, 'Content-Length: 3', 'l: 3'], 'abc')).defect, /more than one Content-Length/);
});

test('header lines: folding, case, compact names, white space before the colon, exact values', () => {
  const m = ok(msg(withLine(HEAD.length, 'sUbJeCt  :\t one \r\n\t two  \r\n   three', 'X-Bom: \ufeffx ', 'X-Empty:')));
  assert.equal(m.headers.get('Subject'), 'one two three');
  assert.deepEqual(m.headers.all().at(-3), { name: 'Subject', key: 'subject', value: 'one two three' });
  assert.equal(m.headers.get('X-Bom'), '\ufeffx');
  assert.equal(m.headers.get('x-empty'), '');
  assert.match(rejected(msg([...HEAD, 'Bad Name: x'])).defect, /Malformed header line 'Bad Name: x'/);
  assert.match(rejected(msg([...HEAD, ': x'])).defect, /Malformed header line/);
  assert.match(rejected(msg(['OPTIONS sip:bob@example.com SIP/2.0', ' Via: x', ...HEAD.slice(1)])).defect, /Malformed header line/);
});

test('header section: UTF-8 only, no raw control characters outside a quoted-pair', () => {
  const bad = Buffer.concat([msg([...HEAD, 'Subject: caf']).subarray(0, -4), Buffer.from([0xe9]), Buffer.from('\r\n\r\n')]);
  assert.match(rejected(bad).defect, /not valid UTF-8/);
  assert.match(rejected(msg([...HEAD, 'Subject: a\x00b'])).defect, /Control character in header 'Subject'/);
  assert.match(rejected(msg([...HEAD, 'Subject: a\rb'])).defect, /Control character/);
  assert.match(rejected(msg([...HEAD, 'Subject: a\x7fb'])).defect, /Control character/);
  assert.equal(ok(msg(withLine(3, 'To: "a\\\x00b" <sip:bob@example.com>'))).headers.get('To'), '"a\\\x00b" <sip:bob@example.com>');
  assert.equal(ok(msg([...HEAD, 'Subject: a\tb'])).headers.get('Subject'), 'a\tb');
});

test('Request-Line: exact form, version, Request-URI', () => {
  const line = (l: string) => msg([l, ...HEAD.slice(1)]);
  assert.equal((ok(line('OPTIONS sip:bob@example.com sip/2.0')) as { version: string }).version, 'sip/2.0');
  assert.equal(ok(line('OPTIONS tel:+1-201-555-0123 SIP/2.0')).kind, 'request');
  assert.equal(rejected(line('OPTIONS sip:bob@example.com SIP/2.1')).status, 505);
  assert.match(rejected(line('OPTIONS sip:bob@example.com SIP/2')).defect, /bad SIP-Version/);
  assert.match(rejected(line('OPT@ONS sip:bob@example.com SIP/2.0')).defect, /Method is not a token/);
  assert.match(rejected(line('OPTIONS sip:bob@example.com')).defect, /missing SIP-Version/);
  assert.match(rejected(line('OPTIONS\tsip:bob@example.com SIP/2.0')).defect, /separated by SP/);
  assert.match(rejected(line('OPTIONS sip:bob@exa mple.com SIP/2.0')).defect, /white space in the Request-URI/);
  assert.match(rejected(line('OPTIONS sip:bob@example.com?Subject=x SIP/2.0')).defect, /header fields/);
  assert.match(rejected(line('OPTIONS sip:[::1 SIP/2.0')).defect, /Bad Request-URI: unterminated IPv6/);
  assert.match(rejected(line('OPTIONS sip:bob@example.com\x00 SIP/2.0')).defect, /Bad Request-URI/);
});

test('Status-Line: three-digit code 100-699, optional empty reason, UTF-8 reason', () => {
  const res = (l: string) => msg([l, ...HEAD.slice(1, 6)]);
  const m = ok(res('SIP/2.0 180 Ringing \u00e0 la carte'));
  assert.deepEqual(m.kind === 'response' && [m.status, m.reason], [180, 'Ringing \u00e0 la carte']);
  const bare = ok(res('SIP/2.0 100'));
  assert.deepEqual(bare.kind === 'response' && [bare.status, bare.reason], [100, '']);
  for (const l of ['SIP/2.0 099 x', 'SIP/2.0 700 x', 'SIP/2.0 20 OK', 'SIP/2.0 2000 OK', 'SIP/2.0  200 OK', 'SIP/2.0 200OK']) {
    assert.match(rejected(res(l)).defect, /Status-Code/, l);
  }
  assert.equal(rejected(res('SIP/3.0 200 OK')).status, 505);
  assert.match(rejected(res('SIP/2.0 200 O\x01K')).defect, /Control character in Reason-Phrase/);
});

test('mandatory headers: all missing ones named; CSeq method checked for methods RFC 3261 and extensions define', () => {
  assert.match(rejected(msg([HEAD[0]!, HEAD[1]!])).defect, /^Missing From, To, Call-ID, CSeq headers$/);
  assert.match(rejected(msg(withLine(5, 'CSeq: 1 INVITE'))).defect, /CSeq method does not match/);
  const unknown = ['FROBNICATE sip:bob@example.com SIP/2.0', ...HEAD.slice(1, 5), 'CSeq: 1 INVITE'];
  assert.equal(ok(msg(unknown)).kind, 'request'); // the core answers 501 (RFC 4475 §3.1.2.18)
  assert.match(rejected(msg(withLine(6, 'Max-Forwards: 256'))).defect, /Bad Max-Forwards header/);
  assert.match(rejected(msg(withLine(5, 'CSeq: 2147483648 OPTIONS'))).defect, /exceeds 2\^31-1/);
  assert.equal(ok(msg(withLine(5, 'CSeq: 0000000000002147483647 OPTIONS'))).kind, 'request');
  assert.match(rejected(msg(withLine(5, 'CSeq: 1OPTIONS'))).defect, /white space after the sequence number/);
  assert.match(rejected(msg(withLine(4, 'Call-ID: a b'))).defect, /Bad Call-ID header/);
  assert.match(rejected(msg(withLine(4, 'Call-ID: a@'))).defect, /Bad Call-ID header/);
  assert.match(rejected(msg(withLine(1, 'Via: SIP/2.0/UDP [2001:db8::1];received=bogus'))).defect, /invalid received/);
  assert.equal(ok(msg(withLine(1, 'Via: SIP/2.0/UDP 192.0.2.1 : 5060 ;branch=z9hG4bK1'))).headers.get('Via'), 'SIP/2.0/UDP 192.0.2.1 : 5060 ;branch=z9hG4bK1');
});

test('no mutation of a real message makes the parser throw', () => {
  const dir = join(process.cwd(), '..', 'shared', 'captures');
  const seeds = readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(dir, f)));
  const alphabet = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x25, 0x2c, 0x3a, 0x3b, 0x3c, 0x3e, 0x40, 0x5b, 0x5c, 0x5d, 0x7f, 0xc3, 0xff];
  let seed = 0x2545f491;
  const next = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  for (let i = 0; i < 4000; i++) {
    const data = Buffer.from(seeds[i % seeds.length]!);
    for (let k = 1 + next(3); k > 0; k--) data[next(data.length)] = alphabet[next(alphabet.length)]!;
    const r = parseMessage(data, { stream: i % 2 === 0 });
    if (!r.ok) assert.ok(r.status >= 400 && r.defect.length > 0);
  }
});
