import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ViaHeader } from '../../../../src/sip/parser/headers/via.js';
import { defaultPort, responseTarget } from '../../../../src/sip/transport/response-routing.js';
import type { Flow, SendTarget, TransportName } from '../../../../src/sip/transport/types.js';

function via(text: string) {
  const r = ViaHeader.parse([text]);
  assert.ok(r.ok);
  return r.value[0]!;
}

function flow(transport: TransportName, id = `${transport.toLowerCase()}:1`): Flow {
  return { id, transport, localAddress: '192.0.2.100', localPort: 5060, remoteAddress: '198.51.100.7', remotePort: 33000 };
}

const table: Array<[string, string, Flow, SendTarget]> = [
  // RFC 3261 §18.2.2 bullet 1: reliable -> same connection, fallback received + sent-by port.
  ['TCP with received and port', 'SIP/2.0/TCP pc.example:5070;branch=z9hG4bK1;received=198.51.100.7', flow('TCP'),
    { transport: 'TCP', address: '198.51.100.7', port: 5070, flowId: 'tcp:1' }],
  ['TLS without port uses 5061', 'SIP/2.0/TLS pc.example;branch=z9hG4bK1;received=198.51.100.7', flow('TLS'),
    { transport: 'TLS', address: '198.51.100.7', port: 5061, flowId: 'tls:1' }],
  ['TCP ignores rport for the fallback port', 'SIP/2.0/TCP 198.51.100.7:5070;branch=z9hG4bK1;rport=33000;received=198.51.100.7', flow('TCP'),
    { transport: 'TCP', address: '198.51.100.7', port: 5070, flowId: 'tcp:1' }],
  ['WS keeps the flow (RFC 7118)', 'SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK1;received=198.51.100.7', flow('WS'),
    { transport: 'WS', address: '198.51.100.7', port: 80, flowId: 'ws:1' }],
  ['WSS default port 443', 'SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1', flow('WSS'),
    { transport: 'WSS', address: 'df7jal23ls0d.invalid', port: 443, flowId: 'wss:1' }],
  ['LOOP is a stream flow', 'SIP/2.0/LOOP ps.home1.net:5060;branch=z9hG4bK1', flow('LOOP'),
    { transport: 'LOOP', address: 'ps.home1.net', port: 5060, flowId: 'loop:1' }],
  // bullet 2: maddr.
  ['UDP maddr with sent-by port', 'SIP/2.0/UDP pc.example:5080;branch=z9hG4bK1;maddr=239.255.255.1;received=198.51.100.7', flow('UDP'),
    { transport: 'UDP', address: '239.255.255.1', port: 5080, flowId: 'udp:1' }],
  ['UDP maddr without port uses 5060', 'SIP/2.0/UDP pc.example;branch=z9hG4bK1;maddr=[2001:db8::5]', flow('UDP'),
    { transport: 'UDP', address: '2001:db8::5', port: 5060, flowId: 'udp:1' }],
  // RFC 3581 §4: received + rport.
  ['UDP received and rport', 'SIP/2.0/UDP 10.0.0.1:5060;rport=33000;branch=z9hG4bK1;received=198.51.100.7', flow('UDP'),
    { transport: 'UDP', address: '198.51.100.7', port: 33000, flowId: 'udp:1' }],
  // bullet 3: received + sent-by port / 5060.
  ['UDP received and sent-by port', 'SIP/2.0/UDP pc.example:5090;branch=z9hG4bK1;received=198.51.100.7', flow('UDP'),
    { transport: 'UDP', address: '198.51.100.7', port: 5090, flowId: 'udp:1' }],
  ['UDP received without port uses 5060', 'SIP/2.0/UDP pc.example;branch=z9hG4bK1;received=198.51.100.7', flow('UDP'),
    { transport: 'UDP', address: '198.51.100.7', port: 5060, flowId: 'udp:1' }],
  ['UDP IPv6 received with brackets is unbracketed', 'SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bK1;received=[2001:db8::9:255]', flow('UDP'),
    { transport: 'UDP', address: '2001:db8::9:255', port: 5060, flowId: 'udp:1' }],
  // bullet 4: sent-by.
  ['UDP sent-by only', 'SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK1', flow('UDP'),
    { transport: 'UDP', address: '198.51.100.7', port: 5062, flowId: 'udp:1' }],
  ['UDP IPv6 sent-by only', 'SIP/2.0/UDP [2001:db8::1];branch=z9hG4bK1', flow('UDP'),
    { transport: 'UDP', address: '2001:db8::1', port: 5060, flowId: 'udp:1' }],
];

for (const [name, text, f, want] of table) {
  test(`responseTarget: ${name}`, () => {
    assert.deepEqual(responseTarget(via(text), f), want);
  });
}

test('defaultPort per transport (RFC 3261 §19.1.2, RFC 7118 §5.5)', () => {
  assert.deepEqual(
    (['UDP', 'TCP', 'TLS', 'WS', 'WSS', 'LOOP'] as const).map(defaultPort),
    [5060, 5060, 5061, 80, 443, 5060],
  );
});
