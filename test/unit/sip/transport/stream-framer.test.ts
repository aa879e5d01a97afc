import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamFramer } from '../../../../src/sip/transport/stream-framer.js';
import type { FramerLimits } from '../../../../src/sip/transport/stream-framer.js';

function msg(body: string, extra = ''): string {
  return (
    'MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\n' +
    `Call-ID: c1\r\nCSeq: 1 MESSAGE\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

function run(chunks: Buffer[], limits: Partial<FramerLimits> = {}) {
  const out = { frames: [] as string[], pings: 0, fails: [] as Array<{ status: number; defect: string; bytes: string; head: boolean }> };
  const framer = new StreamFramer(
    { maxMessageSize: 65_535, maxStreamBuffer: 131_070, ...limits },
    {
      frame: (b) => out.frames.push(b.toString()),
      ping: () => out.pings++,
      fail: (status, defect, bytes, head) => out.fails.push({ status, defect, bytes: bytes.toString(), head }),
    },
  );
  for (const c of chunks) framer.push(c);
  return out;
}

function bytes(s: string): Buffer[] {
  const b = Buffer.from(s);
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i++) out.push(b.subarray(i, i + 1));
  return out;
}

test('a message split byte by byte is framed once, whole', () => {
  const m = msg('hello world');
  const out = run(bytes(m + m));
  assert.deepEqual(out.frames, [m, m]);
  assert.equal(out.fails.length, 0);
});

test('three messages coalesced in one chunk are framed in order', () => {
  const a = msg('a');
  const b = msg('');
  const c = msg('ccc');
  const out = run([Buffer.from(a + b + c)]);
  assert.deepEqual(out.frames, [a, b, c]);
});

test('a message split at every possible point across two chunks', () => {
  const m = msg('body\r\n\r\nwith blank lines');
  const buf = Buffer.from(m + m);
  for (let cut = 1; cut < buf.length; cut++) {
    const out = run([buf.subarray(0, cut), buf.subarray(cut)]);
    assert.deepEqual(out.frames, [m, m], `cut at ${cut}`);
  }
});

test('compact Content-Length (l) and folded values frame the message', () => {
  const compact = msg('xyz').replace('Content-Length:', 'l :');
  assert.deepEqual(run([Buffer.from(compact)]).frames, [compact]);
  const folded = msg('xyz').replace('Content-Length: 3', 'Content-Length:\r\n 3');
  assert.deepEqual(run([Buffer.from(folded)]).frames, [folded]);
});

test('LF-only line ends frame like the parser reads them', () => {
  const m = msg('hi').replace(/\r\n/g, '\n');
  assert.deepEqual(run(bytes(m)).frames, [m]);
});

test('CRLFs between messages are skipped; each double CRLF is one ping (RFC 5626 §4.4.1)', () => {
  const m = msg('x');
  const out = run([Buffer.from('\r\n\r\n'), ...bytes('\r\n\r\n\r\n'), Buffer.from(m + '\r\n' + m)]);
  assert.equal(out.pings, 2);
  assert.deepEqual(out.frames, [m, m]);
});

test('missing Content-Length is a 400 framing failure carrying the header section, and stops the framer', () => {
  const m = msg('').replace('Content-Length: 0\r\n', '');
  const out = run([Buffer.from(m + msg('late'))]);
  assert.equal(out.fails.length, 1);
  assert.equal(out.fails[0]!.status, 400);
  assert.match(out.fails[0]!.defect, /Missing Content-Length/);
  assert.equal(out.fails[0]!.bytes, m);
  assert.equal(out.fails[0]!.head, true);
  assert.deepEqual(out.frames, []);
});

test('a bad Content-Length is a 400 framing failure', () => {
  const out = run([Buffer.from(msg('ab').replace('Content-Length: 2', 'Content-Length: two'))]);
  assert.equal(out.fails[0]!.status, 400);
  assert.match(out.fails[0]!.defect, /Bad Content-Length/);
});

test('a message over maxMessageSize fails with 513 as soon as its Content-Length is read', () => {
  const m = msg('x'.repeat(2000));
  const out = run([Buffer.from(m.slice(0, m.indexOf('\r\n\r\n') + 4))], { maxMessageSize: 1000 });
  assert.equal(out.fails.length, 1);
  assert.equal(out.fails[0]!.status, 513);
  assert.equal(out.fails[0]!.head, true);
});

test('an unterminated header section fails with 513 once it passes maxMessageSize', () => {
  const out = run(bytes('MESSAGE sip:a SIP/2.0\r\nX: ' + 'y'.repeat(1100)), { maxMessageSize: 1000 });
  assert.equal(out.fails.length, 1);
  assert.equal(out.fails[0]!.status, 513);
  assert.equal(out.fails[0]!.head, false);
  assert.equal(out.fails[0]!.bytes, 'M');
});

test('buffered bytes are bounded by maxStreamBuffer', () => {
  const m = msg('x'.repeat(600));
  const head = run(bytes(m), { maxStreamBuffer: 500 });
  assert.equal(head.fails.length, 1);
  assert.match(head.fails[0]!.defect, /stream buffer/);
  const open = run([Buffer.from('MESSAGE sip:a SIP/2.0\r\nX: ' + 'y'.repeat(600))], { maxStreamBuffer: 500 });
  assert.match(open.fails[0]!.defect, /Stream buffer of 500 bytes exceeded/);
});

test('framing is linear: a 60 kB message fed byte by byte completes quickly', () => {
  const m = msg('z'.repeat(60_000));
  const chunks = bytes(m);
  const t0 = process.hrtime.bigint();
  const out = run(chunks);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.equal(out.frames.length, 1);
  assert.equal(out.frames[0]!.length, m.length);
  // Re-scanning or re-copying the buffer on each byte costs ~60,000 × 30 kB here: several seconds.
  assert.ok(ms < 1500, `took ${ms} ms`);
});

test('a frame that is the whole chunk is not copied; one cut from a larger chunk is', () => {
  const m = Buffer.from(msg('solo'));
  let seen: Buffer | undefined;
  const framer = new StreamFramer({ maxMessageSize: 65_535, maxStreamBuffer: 131_070 }, {
    frame: (b) => (seen = b),
    ping: () => undefined,
    fail: () => assert.fail('no failure expected'),
  });
  framer.push(m);
  assert.equal(seen, m);
  const two = Buffer.concat([m, m]);
  framer.push(two);
  two.fill(0);
  assert.deepEqual(seen, m);
});
