import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { ViaHeader } from '../../../../src/sip/parser/headers/via.js';
import { responseTarget } from '../../../../src/sip/transport/response-routing.js';
import { TransportLayer } from '../../../../src/sip/transport/transport-layer.js';
import { TransportError } from '../../../../src/sip/transport/types.js';
import { InboundQueue, request, response, waitFor } from './helpers.js';

for (const host of ['127.0.0.1', '::1']) {
  test(`UDP round trip over ${host}: rport/received marked, response routed back by Via`, async (t) => {
    const server = new TransportLayer();
    const client = new TransportLayer();
    t.after(() => Promise.all([server.close(), client.close()]));
    const sq = new InboundQueue(server);
    const cq = new InboundQueue(client);
    const s = await server.listen({ transport: 'UDP', host, port: 0 });
    const c = await client.listen({ transport: 'UDP', host, port: 0 });
    assert.ok(s.port > 0 && c.port > 0);
    const sentBy = host.includes(':') ? `[${host}]` : host;
    const via = `SIP/2.0/UDP ${sentBy}:5999;rport;branch=z9hG4bKu1`;
    const out = await client.send({ transport: 'UDP', address: host, port: s.port }, Buffer.from(request({ via })));
    assert.equal(out.transport, 'UDP');
    assert.equal(out.localPort, c.port);

    const got = await sq.next();
    assert.equal(got.kind, 'message');
    if (got.kind !== 'message') return;
    assert.equal(got.flow.remoteAddress, host);
    assert.equal(got.flow.remotePort, c.port);
    assert.equal(got.flow.localPort, s.port);
    // RFC 3581 §4: rport filled with the source port, received added although sent-by host matches.
    assert.equal(got.message.headers.get('Via'), `SIP/2.0/UDP ${sentBy}:5999;rport=${c.port};branch=z9hG4bKu1;received=${host}`);
    const top = got.message.required(ViaHeader)[0]!;
    const target = responseTarget(top, got.flow);
    assert.deepEqual(target, { transport: 'UDP', address: host, port: c.port, flowId: got.flow.id });
    await server.send(target, Buffer.from(response(got.message.headers.get('Via')!)));
    const back = await cq.next();
    assert.equal(back.kind, 'message');
    assert.equal(back.kind === 'message' && back.message.kind, 'response');
    assert.equal(back.flow.remotePort, s.port);
    assert.equal(server.stats.messagesIn, 1);
    assert.equal(server.stats.messagesOut, 1);
  });
}

function rawUdp(type: 'udp4' | 'udp6', address: string): Promise<{ sock: Socket; port: number; got: Array<{ data: string; rinfo: RemoteInfo }> }> {
  return new Promise((resolve) => {
    const sock = createSocket(type);
    const got: Array<{ data: string; rinfo: RemoteInfo }> = [];
    sock.on('message', (d, rinfo) => got.push({ data: d.toString(), rinfo }));
    sock.bind(0, address, () => resolve({ sock, port: sock.address().port, got }));
  });
}

test('a datagram without Content-Length is accepted: the body runs to its end (RFC 3261 §18.3)', async (t) => {
  const server = new TransportLayer();
  const raw = await rawUdp('udp4', '127.0.0.1');
  t.after(async () => {
    raw.sock.close();
    await server.close();
  });
  const q = new InboundQueue(server);
  const s = await server.listen({ transport: 'UDP', host: '127.0.0.1', port: 0 });
  const text = request({ method: 'MESSAGE', via: 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKu2', body: 'hello', contentLength: false });
  raw.sock.send(text, s.port, '127.0.0.1');
  const got = await q.next();
  assert.equal(got.kind, 'message');
  assert.equal(got.kind === 'message' && got.message.body.toString(), 'hello');
});

test('a UDP response leaves from the socket the request came in on (RFC 3581 §4)', async (t) => {
  const server = new TransportLayer();
  const raw = await rawUdp('udp4', '127.0.0.1');
  t.after(async () => {
    raw.sock.close();
    await server.close();
  });
  const q = new InboundQueue(server);
  const first = await server.listen({ transport: 'UDP', host: '127.0.0.1', port: 0 });
  const second = await server.listen({ transport: 'UDP', host: '127.0.0.1', port: 0 });
  assert.notEqual(first.port, second.port);
  raw.sock.send(request({ via: 'SIP/2.0/UDP 10.9.9.9:5060;rport;branch=z9hG4bKu3' }), second.port, '127.0.0.1');
  const got = await q.next();
  assert.equal(got.kind, 'message');
  if (got.kind !== 'message') return;
  const target = responseTarget(got.message.required(ViaHeader)[0]!, got.flow);
  assert.equal(target.address, '127.0.0.1');
  assert.equal(target.port, raw.port);
  await server.send(target, Buffer.from(response(got.message.headers.get('Via')!)));
  await waitFor(() => raw.got.length === 1, 3000, 'response');
  assert.equal(raw.got[0]!.rinfo.port, second.port);
  assert.match(raw.got[0]!.data, /^SIP\/2.0 200 OK/);
});

test('keep-alive datagrams are dropped, malformed ones handed up as malformed', async (t) => {
  const server = new TransportLayer();
  const raw = await rawUdp('udp4', '127.0.0.1');
  t.after(async () => {
    raw.sock.close();
    await server.close();
  });
  const q = new InboundQueue(server);
  const s = await server.listen({ transport: 'UDP', host: '127.0.0.1', port: 0 });
  raw.sock.send('\r\n\r\n', s.port, '127.0.0.1');
  raw.sock.send('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;rport;branch=z9hG4bKm\r\n\r\n', s.port, '127.0.0.1');
  raw.sock.send('SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n', s.port, '127.0.0.1');
  const bad = await q.next();
  assert.equal(bad.kind, 'malformed');
  if (bad.kind !== 'malformed') return;
  assert.equal(bad.result.status, 400);
  // The partial request gets received/rport too, so the 400 can be routed back.
  assert.match(bad.result.message!.headers.get('Via')!, new RegExp(`;rport=${raw.port};branch=z9hG4bKm;received=127\\.0\\.0\\.1$`));
  const badResponse = await q.next();
  assert.equal(badResponse.kind, 'malformed');
  assert.equal(q.length, 0);
  assert.equal(server.stats.malformedRequests, 1);
  assert.equal(server.stats.malformedResponses, 1);
  assert.equal(server.stats.messagesIn, 0);
});

test('a dual-stack socket on :: serves IPv4 peers with unmapped addresses', async (t) => {
  const server = new TransportLayer();
  const client = new TransportLayer();
  t.after(() => Promise.all([server.close(), client.close()]));
  const q = new InboundQueue(server);
  const cq = new InboundQueue(client);
  const s = await server.listen({ transport: 'UDP', host: '::', port: 0 });
  const c = await client.listen({ transport: 'UDP', host: '127.0.0.1', port: 0 });
  await client.send({ transport: 'UDP', address: '127.0.0.1', port: s.port }, Buffer.from(request({ via: 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKd' })));
  const got = await q.next();
  assert.equal(got.flow.remoteAddress, '127.0.0.1');
  assert.equal(got.flow.remotePort, c.port);
  await server.send({ transport: 'UDP', address: '127.0.0.1', port: c.port, flowId: got.flow.id }, Buffer.from(response('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKd')));
  assert.equal((await cq.next()).kind, 'message');
});

test('UDP send errors are TransportErrors: no socket for the family, datagram too big', async (t) => {
  const layer = new TransportLayer();
  t.after(() => layer.close());
  await assert.rejects(layer.send({ transport: 'UDP', address: '::1', port: 5060 }, Buffer.from('x')), (e: unknown) => e instanceof TransportError && e.code === 'ENOLISTENER');
  await layer.listen({ transport: 'UDP', host: '127.0.0.1', port: 0 });
  await assert.rejects(layer.send({ transport: 'UDP', address: '::1', port: 5060 }, Buffer.from('x')), (e: unknown) => e instanceof TransportError && e.code === 'ENOLISTENER');
  await assert.rejects(layer.send({ transport: 'UDP', address: '127.0.0.1', port: 5060 }, Buffer.alloc(70_000)), (e: unknown) => e instanceof TransportError && e.code === 'ETOOBIG');
  assert.equal(layer.stats.sendErrors, 3);
});

test('listening twice on one UDP port fails with EADDRINUSE', async (t) => {
  const layer = new TransportLayer();
  t.after(() => layer.close());
  const a = await layer.listen({ transport: 'UDP', host: '127.0.0.1', port: 0 });
  await assert.rejects(layer.listen({ transport: 'UDP', host: '127.0.0.1', port: a.port }), (e: unknown) => e instanceof TransportError && e.code === 'EADDRINUSE');
});
