import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ViaHeader } from '../../../../src/sip/parser/headers/via.js';
import { responseTarget } from '../../../../src/sip/transport/response-routing.js';
import { TransportLayer } from '../../../../src/sip/transport/transport-layer.js';
import type { TransportLayerOptions } from '../../../../src/sip/transport/transport-layer.js';
import { TransportError } from '../../../../src/sip/transport/types.js';
import { InboundQueue, RawClient, request, response, waitFor } from './helpers.js';

async function tcpServer(t: { after: (fn: () => Promise<unknown>) => void }, opts: TransportLayerOptions = {}, host = '127.0.0.1') {
  const layer = new TransportLayer(opts);
  t.after(() => layer.close());
  const q = new InboundQueue(layer);
  const bound = await layer.listen({ transport: 'TCP', host, port: 0 });
  return { layer, q, port: bound.port };
}

async function raw(t: { after: (fn: () => Promise<unknown>) => void }, port: number, host = '127.0.0.1') {
  const c = await RawClient.connect(host, port);
  t.after(async () => c.destroy());
  return c;
}

const pause = () => new Promise((r) => setTimeout(r, 2));

for (const host of ['127.0.0.1', '::1']) {
  test(`TCP over ${host}: a message written in pieces arrives once, with received/rport`, async (t) => {
    const { q, port } = await tcpServer(t, {}, host);
    const c = await raw(t, port, host);
    const sentBy = host.includes(':') ? `[${host}]` : host;
    const text = Buffer.from(request({ method: 'MESSAGE', via: `SIP/2.0/TCP ${sentBy}:5070;rport;branch=z9hG4bKt1`, body: 'split body' }));
    for (let i = 0; i < text.length; i += 7) {
      await c.write(text.subarray(i, i + 7));
      await pause();
    }
    const got = await q.next();
    assert.equal(got.kind, 'message');
    if (got.kind !== 'message') return;
    assert.equal(got.message.body.toString(), 'split body');
    assert.equal(got.flow.transport, 'TCP');
    assert.equal(got.flow.remoteAddress, host);
    assert.equal(got.flow.remotePort, c.socket.localPort);
    assert.equal(got.message.headers.get('Via'), `SIP/2.0/TCP ${sentBy}:5070;rport=${c.socket.localPort};branch=z9hG4bKt1;received=${host}`);
  });
}

test('TCP: three messages coalesced in one write arrive as three, in order', async (t) => {
  const { q, port } = await tcpServer(t);
  const c = await raw(t, port);
  const msgs = ['a', 'b', 'c'].map((id) => request({ via: `SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK${id}`, callId: id }));
  await c.write(msgs.join(''));
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const got = await q.next();
    assert.equal(got.kind, 'message');
    if (got.kind === 'message') ids.push(got.message.headers.get('Call-ID')!);
  }
  assert.deepEqual(ids, ['a', 'b', 'c']);
});

test('TCP: a double-CRLF ping is answered with a CRLF pong (RFC 5626 §4.4.1)', async (t) => {
  const { q, port } = await tcpServer(t);
  const c = await raw(t, port);
  await c.write('\r\n\r\n');
  await waitFor(() => c.received === '\r\n', 3000, 'pong');
  await c.write(request({ via: 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKk' }));
  assert.equal((await q.next()).kind, 'message');
  assert.equal(c.received, '\r\n');
});

test('TCP: an oversized message is handed up as 513, can still be answered, then the connection closes', async (t) => {
  const { layer, port } = await tcpServer(t, { limits: { maxMessageSize: 1000 } });
  const kinds: string[] = [];
  layer.onInbound = (i) => {
    kinds.push(i.kind);
    // Answered in the same turn, as the layer above does.
    void layer.send({ transport: 'TCP', address: i.flow.remoteAddress, port: i.flow.remotePort, flowId: i.flow.id }, Buffer.from('SIP/2.0 513 Message Too Large\r\n\r\n'));
  };
  const c = await raw(t, port);
  await c.write(request({ method: 'MESSAGE', via: 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKbig', body: 'x'.repeat(2000) }));
  await waitFor(() => c.closed, 3000, 'close');
  assert.match(c.received, /^SIP\/2.0 513/);
  assert.deepEqual(kinds, ['malformed']);
  assert.equal(layer.stats.framingErrors, 1);
  assert.equal(layer.stats.malformedRequests, 1);
  await waitFor(() => layer.stats.connectionsOpen === 0, 3000, 'connection gone');
});

test('TCP: the 513 carries the partial request so a response can be built', async (t) => {
  const { q, port } = await tcpServer(t, { limits: { maxMessageSize: 1000 } });
  const c = await raw(t, port);
  await c.write(request({ method: 'MESSAGE', via: 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKbig2', body: 'x'.repeat(2000) }));
  const got = await q.next();
  assert.equal(got.kind, 'malformed');
  if (got.kind !== 'malformed') return;
  assert.equal(got.result.status, 513);
  assert.equal(got.result.message?.kind, 'request');
  assert.match(got.result.message!.headers.get('Via')!, /branch=z9hG4bKbig2/);
  await waitFor(() => c.closed, 3000, 'close');
});

test('TCP: a message without Content-Length is a 400 framing error and closes the connection', async (t) => {
  const { layer, q, port } = await tcpServer(t);
  const c = await raw(t, port);
  await c.write(request({ via: 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKnocl', contentLength: false }));
  const got = await q.next();
  assert.equal(got.kind, 'malformed');
  if (got.kind !== 'malformed') return;
  assert.equal(got.result.status, 400);
  assert.match(got.result.defect, /Content-Length/);
  await waitFor(() => c.closed, 3000, 'close');
  assert.equal(layer.stats.framingErrors, 1);
});

test('TCP: the bytes buffered for an incomplete message are bounded by maxStreamBuffer', async (t) => {
  const { q, port } = await tcpServer(t, { limits: { maxStreamBuffer: 512 } });
  const c = await raw(t, port);
  await c.write('OPTIONS sip:ps@example.com SIP/2.0\r\nX-Filler: ' + 'y'.repeat(600));
  const got = await q.next();
  assert.equal(got.kind, 'malformed');
  assert.match(got.kind === 'malformed' ? got.result.defect : '', /Stream buffer of 512 bytes/);
  await waitFor(() => c.closed, 3000, 'close');
});

test('TCP: the server sends a request back over the connection the client opened (flow reuse)', async (t) => {
  const server = await tcpServer(t);
  const client = new TransportLayer();
  t.after(() => client.close());
  const cq = new InboundQueue(client);
  const out = await client.send({ transport: 'TCP', address: '127.0.0.1', port: server.port }, Buffer.from(request({ via: 'SIP/2.0/TCP client.invalid;branch=z9hG4bKr1' })));
  const got = await server.q.next();
  assert.equal(got.kind, 'message');
  // A NOTIFY-like request toward the client, by flow id, and then by address:port only.
  const notify = Buffer.from(request({ method: 'NOTIFY', via: 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKn1', callId: 'n1' }));
  const f1 = await server.layer.send({ transport: 'TCP', address: '192.0.2.1', port: 9, flowId: got.flow.id }, notify);
  const f2 = await server.layer.send({ transport: 'TCP', address: got.flow.remoteAddress, port: got.flow.remotePort }, notify);
  assert.equal(f1.id, got.flow.id);
  assert.equal(f2.id, got.flow.id);
  for (let i = 0; i < 2; i++) {
    const back = await cq.next();
    assert.equal(back.kind, 'message');
    assert.equal(back.flow.id, out.id, 'arrives on the client’s own connection');
  }
  // The response to the client's request also goes back on the flow.
  if (got.kind === 'message') {
    await server.layer.send(responseTarget(got.message.required(ViaHeader)[0]!, got.flow), Buffer.from(response(got.message.headers.get('Via')!)));
    assert.equal((await cq.next()).flow.id, out.id);
  }
  assert.equal(server.layer.stats.connectionsOpen, 1);
  assert.equal(client.stats.connectionsOpen, 1);
});

test('TCP: concurrent sends to one far end share one connection', async (t) => {
  const server = await tcpServer(t);
  const client = new TransportLayer();
  t.after(() => client.close());
  const target = { transport: 'TCP' as const, address: '127.0.0.1', port: server.port };
  const flows = await Promise.all([1, 2, 3].map((i) => client.send(target, Buffer.from(request({ via: `SIP/2.0/TCP h;branch=z9hG4bKc${i}` })))));
  assert.equal(new Set(flows.map((f) => f.id)).size, 1);
  for (let i = 0; i < 3; i++) await server.q.next();
  assert.equal(server.layer.stats.connectionsOpen, 1);
});

test('TCP: a dead flow falls back to address:port; nothing there is a TransportError, not a crash', async (t) => {
  const server = await tcpServer(t);
  const c = await raw(t, server.port);
  await c.write(request({ via: 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKdead' }));
  const got = await server.q.next();
  c.destroy();
  await waitFor(() => server.layer.stats.connectionsOpen === 0, 3000, 'flow closed');
  const err = await server.layer
    .send({ transport: 'TCP', address: got.flow.remoteAddress, port: got.flow.remotePort, flowId: got.flow.id }, Buffer.from('x'))
    .then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof TransportError);
  assert.equal(err.code, 'ECONNREFUSED');

  // With a listener at the fallback address a new connection is opened.
  const other = await tcpServer(t);
  const flow = await server.layer.send({ transport: 'TCP', address: '127.0.0.1', port: other.port, flowId: got.flow.id }, Buffer.from(request({ via: 'SIP/2.0/TCP h;branch=z9hG4bKnew' })));
  assert.notEqual(flow.id, got.flow.id);
  assert.equal((await other.q.next()).kind, 'message');
});

test('TCP: beyond maxConnections new connections are refused and counted', async (t) => {
  const { layer, q, port } = await tcpServer(t, { limits: { maxConnections: 2 } });
  const a = await raw(t, port);
  const b = await raw(t, port);
  await waitFor(() => layer.stats.connectionsOpen === 2, 3000, 'two connections');
  const c = await raw(t, port);
  await waitFor(() => c.closed, 3000, 'third refused');
  assert.equal(layer.stats.connectionsRefused, 1);
  await a.write(request({ via: 'SIP/2.0/TCP h;branch=z9hG4bKl1' }));
  assert.equal((await q.next()).kind, 'message');
  assert.ok(!b.closed);
  // An outgoing connection is refused as well.
  await assert.rejects(layer.send({ transport: 'TCP', address: '127.0.0.1', port: 9 }, Buffer.from('x')), (e: unknown) => e instanceof TransportError && e.code === 'ECONNLIMIT');
});

test('TCP: an idle connection is closed after idleTimeoutMs', async (t) => {
  const { layer, port } = await tcpServer(t, { limits: { idleTimeoutMs: 100 } });
  const c = await raw(t, port);
  await waitFor(() => layer.stats.connectionsOpen === 1, 3000, 'open');
  const t0 = Date.now();
  await waitFor(() => c.closed, 3000, 'idle close');
  assert.ok(Date.now() - t0 >= 50);
  assert.equal(layer.stats.connectionsOpen, 0);
});

test('TCP: a reset on one connection closes only that connection', async (t) => {
  const { layer, q, port } = await tcpServer(t);
  const a = await raw(t, port);
  const b = await raw(t, port);
  await waitFor(() => layer.stats.connectionsOpen === 2, 3000, 'two connections');
  await a.write('OPTIONS sip:x SIP/2.0\r\n');
  a.socket.resetAndDestroy();
  await waitFor(() => layer.stats.connectionsOpen === 1, 3000, 'one left');
  await b.write(request({ via: 'SIP/2.0/TCP h;branch=z9hG4bKok' }));
  assert.equal((await q.next()).kind, 'message');
});

test('TCP: connecting to a closed port rejects with ECONNREFUSED', async (t) => {
  const layer = new TransportLayer();
  t.after(() => layer.close());
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  await assert.rejects(layer.send({ transport: 'TCP', address: '127.0.0.1', port }, Buffer.from('x')), (e: unknown) => e instanceof TransportError && e.code === 'ECONNREFUSED');
});
