import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../../../../src/sip/parser/parse-message.js';
import { ViaHeader } from '../../../../src/sip/parser/headers/via.js';
import type { SipRequest } from '../../../../src/sip/message/message.js';
import { applyReceived } from '../../../../src/sip/transport/via-received.js';

function request(via: string, more = ''): SipRequest {
  const r = parseMessage(
    Buffer.from(
      `OPTIONS sip:ps@example.com SIP/2.0\r\nVia: ${via}\r\n${more}From: <sip:a@example.com>;tag=1\r\n` +
        'To: <sip:ps@example.com>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
    ),
  );
  assert.ok(r.ok && r.message.kind === 'request');
  return r.message;
}

const cases: Array<{ name: string; via: string; src: [string, number]; want: string }> = [
  {
    name: 'sent-by equal to the source and no rport: unchanged (RFC 3261 §18.2.1)',
    via: 'SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK1',
    src: ['192.0.2.4', 5060],
    want: 'SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK1',
  },
  {
    name: 'domain sent-by gets received (RFC 3261 §18.2.1 example)',
    via: 'SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bK1',
    src: ['192.0.2.4', 5060],
    want: 'SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bK1;received=192.0.2.4',
  },
  {
    name: 'rport without value is filled and received added even when equal (RFC 3581 §4)',
    via: 'SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff',
    src: ['10.1.1.1', 9988],
    want: 'SIP/2.0/UDP 10.1.1.1:4540;rport=9988;branch=z9hG4bKkjshdyff;received=10.1.1.1',
  },
  {
    name: 'rport with a value the client wrote is overwritten with the real source port; received added',
    via: 'SIP/2.0/UDP 10.1.1.1:4540;rport=4540;branch=z9hG4bK2',
    src: ['192.0.2.1', 9988],
    want: 'SIP/2.0/UDP 10.1.1.1:4540;rport=9988;branch=z9hG4bK2;received=192.0.2.1',
  },
  {
    name: 'a received the client wrote is replaced even when sent-by equals the source (no reflection)',
    via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK7;received=192.0.2.7',
    src: ['127.0.0.1', 5070],
    want: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK7;received=127.0.0.1',
  },
  {
    name: 'an existing received is replaced, other parameter spelling kept',
    via: 'SIP/2.0/TCP client.example.com ; Branch=z9hG4bK3 ; received=1.2.3.4 ;ttl=16; rport',
    src: ['192.0.2.9', 40000],
    want: 'SIP/2.0/TCP client.example.com ; Branch=z9hG4bK3 ;ttl=16; rport=40000;received=192.0.2.9',
  },
  {
    name: 'IPv6 sent-by equal to the source in another spelling: unchanged',
    via: 'SIP/2.0/UDP [2001:db8:0:0::1]:5060;branch=z9hG4bK4',
    src: ['2001:db8::1', 5060],
    want: 'SIP/2.0/UDP [2001:db8:0:0::1]:5060;branch=z9hG4bK4',
  },
  {
    name: 'IPv6 received is written without brackets (RFC 5118 §4.5)',
    via: 'SIP/2.0/UDP [2001:db8::9:1];rport;branch=z9hG4bK5',
    src: ['2001:db8::9:255', 5070],
    want: 'SIP/2.0/UDP [2001:db8::9:1];rport=5070;branch=z9hG4bK5;received=2001:db8::9:255',
  },
  {
    name: 'a quoted parameter containing ; and , is kept whole',
    via: 'SIP/2.0/UDP host.example;x="a;b,c";branch=z9hG4bK6;rport',
    src: ['192.0.2.7', 1234],
    want: 'SIP/2.0/UDP host.example;x="a;b,c";branch=z9hG4bK6;rport=1234;received=192.0.2.7',
  },
];

for (const c of cases) {
  test(c.name, () => {
    const req = request(c.via);
    applyReceived(req, c.src[0], c.src[1]);
    assert.equal(req.headers.get('Via'), c.want);
    const top = req.required(ViaHeader)[0]!;
    assert.ok(top.params.has('branch'));
  });
}

test('only the first value of a comma list on the first Via line changes; later lines stay', () => {
  const req = request('SIP/2.0/UDP a.example;branch=z9hG4bK7;rport, SIP/2.0/UDP b.example;branch=z9hG4bK8', 'Via: SIP/2.0/TCP c.example;branch=z9hG4bK9\r\n');
  applyReceived(req, '192.0.2.1', 5062);
  assert.deepEqual(req.headers.getAll('Via'), [
    'SIP/2.0/UDP a.example;branch=z9hG4bK7;rport=5062;received=192.0.2.1, SIP/2.0/UDP b.example;branch=z9hG4bK8',
    'SIP/2.0/TCP c.example;branch=z9hG4bK9',
  ]);
  const vias = req.required(ViaHeader);
  assert.equal(vias.length, 3);
  assert.equal(vias[0]!.params.get('received'), '192.0.2.1');
  assert.equal(vias[0]!.params.get('rport'), '5062');
  assert.equal(vias[1]!.params.get('received'), undefined);
});

test('a named source (LOOP endpoint) gets rport but no received, which only holds an IP address', () => {
  const req = request('SIP/2.0/LOOP alice.home1.net;rport;branch=z9hG4bK11');
  applyReceived(req, 'ps.home1.net', 5060);
  assert.equal(req.headers.get('Via'), 'SIP/2.0/LOOP alice.home1.net;rport=5060;branch=z9hG4bK11');
});

test('the Via line keeps its place among the other header lines', () => {
  const req = request('SIP/2.0/UDP a.example;branch=z9hG4bK10');
  const before = req.headers.all().map((f) => f.name);
  applyReceived(req, '192.0.2.1', 5060);
  assert.deepEqual(req.headers.all().map((f) => f.name), before);
});
