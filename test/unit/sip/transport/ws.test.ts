import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';
import { ViaHeader } from '../../../../src/sip/parser/headers/via.js';
import { responseTarget } from '../../../../src/sip/transport/response-routing.js';
import { TransportLayer } from '../../../../src/sip/transport/transport-layer.js';
import type { TransportLayerOptions } from '../../../../src/sip/transport/transport-layer.js';
import { TransportError } from '../../../../src/sip/transport/types.js';
import { InboundQueue, request, response, waitFor } from './helpers.js';
import { selfSignedCert } from './tls-cert.js';

type T = { after: (fn: () => Promise<unknown>) => void };

async function wsServer(t: T, transport: 'WS' | 'WSS' = 'WS', host = '127.0.0.1', opts: TransportLayerOptions = {}) {
  const layer = new TransportLayer(opts);
  t.after(() => layer.close());
  const q = new InboundQueue(layer);
  const tls = transport === 'WSS' ? selfSignedCert() : undefined;
  const bound = await layer.listen({ transport, host, port: 0, ...(tls ? { tls } : {}) });
  const h = host.includes(':') ? `[${host}]` : host;
  return { layer, q, port: bound.port, url: `${transport === 'WSS' ? 'wss' : 'ws'}://${h}:${bound.port}/`, tls };
}

/** A browser-like SIP WebSocket client: collects frames as { text, binary }. */
async function wsClient(t: T, url: string, protocols: string[] = ['sip'], opts: ClientOptions = {}) {
  const ws = new WebSocket(url, protocols, opts);
  const frames: Array<{ text: string; binary: boolean }> = [];
  ws.on('message', (d: Buffer, binary: boolean) => frames.push({ text: d.toString('latin1'), binary }));
  t.after(async () => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames };
}

const via = (b: string) => `SIP/2.0/WS df7jal23ls0d.invalid;rport;branch=z9hG4bK${b}`;

test('WS: a handshake without the "sip" subprotocol is refused with 400 (RFC 7118 §4.1)', async (t) => {
  const { url, layer } = await wsServer(t);
  for (const protocols of [[], ['chat']]) {
    const err = await wsClient(t, url, protocols).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof Error);
    assert.match(err.message, /Unexpected server response: 400/);
  }
  assert.equal(layer.stats.connectionsOpen, 0);
});

for (const host of ['127.0.0.1', '::1']) {
  test(`WS over ${host}: one message per frame in, response and a server request out on the same flow`, async (t) => {
    const server = await wsServer(t, 'WS', host);
    const c = await wsClient(t, server.url, ['chat', 'sip']);
    assert.equal(c.ws.protocol, 'sip');
    // No Content-Length is needed over WebSocket (RFC 7118 §5).
    c.ws.send(request({ method: 'MESSAGE', via: via('w1'), body: 'hi', contentLength: false }));
    const got = await server.q.next();
    assert.equal(got.kind, 'message');
    if (got.kind !== 'message') return;
    assert.equal(got.flow.transport, 'WS');
    assert.equal(got.message.body.toString(), 'hi');
    assert.match(got.message.headers.get('Via')!, new RegExp(`rport=\\d+;branch=z9hG4bKw1;received=${host.replace(/\./g, '\\.')}$`));
    const target = responseTarget(got.message.required(ViaHeader)[0]!, got.flow);
    assert.equal(target.flowId, got.flow.id);
    await server.layer.send(target, Buffer.from(response(got.message.headers.get('Via')!)));
    await server.layer.send({ transport: 'WS', address: '192.0.2.1', port: 80, flowId: got.flow.id }, Buffer.from(request({ method: 'NOTIFY', via: 'SIP/2.0/WS ps.invalid;branch=z9hG4bKn', callId: 'n' })));
    await waitFor(() => c.frames.length === 2, 3000, 'two frames');
    assert.match(c.frames[0]!.text, /^SIP\/2.0 200 OK/);
    assert.match(c.frames[1]!.text, /^NOTIFY /);
    assert.deepEqual(c.frames.map((f) => f.binary), [false, false]);
  });
}

test('WS: binary frames are accepted; a body that is not UTF-8 goes out as a binary frame (RFC 7118 §4.2)', async (t) => {
  const server = await wsServer(t);
  const c = await wsClient(t, server.url);
  c.ws.send(Buffer.from(request({ via: via('b1') })), { binary: true });
  const got = await server.q.next();
  assert.equal(got.kind, 'message');
  const body = Buffer.from([0xff, 0xfe, 0x00]);
  const text = request({ method: 'MESSAGE', via: 'SIP/2.0/WS ps.invalid;branch=z9hG4bKb2', contentLength: false });
  await server.layer.send({ transport: 'WS', address: got.flow.remoteAddress, port: got.flow.remotePort }, Buffer.concat([Buffer.from(text), body]));
  await waitFor(() => c.frames.length === 1, 3000, 'frame');
  assert.equal(c.frames[0]!.binary, true);
});

test('WS: a CRLF keep-alive gets a CRLF pong and is not handed up', async (t) => {
  const server = await wsServer(t);
  const c = await wsClient(t, server.url);
  c.ws.send('\r\n\r\n');
  await waitFor(() => c.frames.length === 1, 3000, 'pong');
  assert.equal(c.frames[0]!.text, '\r\n');
  assert.equal(server.q.length, 0);
  assert.equal(server.layer.stats.malformedRequests, 0);
});

test('WS: a closed or unknown flow rejects with EFLOWGONE; the server cannot open WebSockets', async (t) => {
  const server = await wsServer(t);
  const c = await wsClient(t, server.url);
  c.ws.send(request({ via: via('g1') }));
  const got = await server.q.next();
  c.ws.close();
  await waitFor(() => server.layer.stats.connectionsOpen === 0, 3000, 'flow gone');
  const gone = (e: unknown) => e instanceof TransportError && e.code === 'EFLOWGONE';
  await assert.rejects(server.layer.send({ transport: 'WS', address: got.flow.remoteAddress, port: got.flow.remotePort, flowId: got.flow.id }, Buffer.from('x')), gone);
  await assert.rejects(server.layer.send({ transport: 'WSS', address: '127.0.0.1', port: 443 }, Buffer.from('x')), gone);
});

test('WS: a message over maxMessageSize is handed up as 513 and the connection stays', async (t) => {
  const server = await wsServer(t, 'WS', '127.0.0.1', { limits: { maxMessageSize: 1000 } });
  const c = await wsClient(t, server.url);
  c.ws.send(request({ method: 'MESSAGE', via: via('big'), body: 'x'.repeat(1200) }));
  const got = await server.q.next();
  assert.equal(got.kind, 'malformed');
  assert.equal(got.kind === 'malformed' && got.result.status, 513);
  c.ws.send(request({ via: via('small') }));
  assert.equal((await server.q.next()).kind, 'message');
});

test('WS: plain HTTP gets 426 Upgrade Required', async (t) => {
  const server = await wsServer(t);
  const status = await new Promise<number | undefined>((resolve, reject) => {
    get({ host: '127.0.0.1', port: server.port, path: '/', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });
  assert.equal(status, 426);
});

test('WS: beyond maxConnections the handshake is refused with 503', async (t) => {
  const server = await wsServer(t, 'WS', '127.0.0.1', { limits: { maxConnections: 1 } });
  await wsClient(t, server.url);
  const err = await wsClient(t, server.url).then(() => undefined, (e: unknown) => e);
  assert.match(String(err), /Unexpected server response: 503/);
  assert.equal(server.layer.stats.connectionsRefused, 1);
});

test('WSS: SIP over secure WebSocket with the listener’s certificate', async (t) => {
  const server = await wsServer(t, 'WSS');
  const c = await wsClient(t, server.url, ['sip'], { ca: server.tls!.cert });
  c.ws.send(request({ via: 'SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKs1' }));
  const got = await server.q.next();
  assert.equal(got.kind, 'message');
  assert.equal(got.flow.transport, 'WSS');
  await server.layer.send({ transport: 'WSS', address: got.flow.remoteAddress, port: got.flow.remotePort, flowId: got.flow.id }, Buffer.from(response('SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKs1')));
  await waitFor(() => c.frames.length === 1, 3000, 'response');
});
