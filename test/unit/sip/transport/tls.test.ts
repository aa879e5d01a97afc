import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { TransportLayer } from '../../../../src/sip/transport/transport-layer.js';
import { TransportError } from '../../../../src/sip/transport/types.js';
import { InboundQueue, request, waitFor } from './helpers.js';
import { selfSignedCert } from './tls-cert.js';

const creds = selfSignedCert();
const other = selfSignedCert('other.example');

type T = { after: (fn: () => Promise<unknown>) => void };

async function tlsServer(t: T, host = '127.0.0.1', requestCert = false) {
  const layer = new TransportLayer();
  t.after(() => layer.close());
  const q = new InboundQueue(layer);
  const bound = await layer.listen({ transport: 'TLS', host, port: 0, tls: { ...creds, ca: creds.cert, requestCert } });
  assert.equal(bound.transport, 'TLS');
  return { layer, q, port: bound.port };
}

function client(t: T, opts: ConstructorParameters<typeof TransportLayer>[0] = {}) {
  const layer = new TransportLayer(opts);
  t.after(() => layer.close());
  return { layer, q: new InboundQueue(layer) };
}

const msg = (branch: string) => Buffer.from(request({ via: `SIP/2.0/TLS client.invalid;branch=z9hG4bK${branch}` }));

for (const host of ['127.0.0.1', '::1']) {
  test(`TLS over ${host}: request in, request back over the same connection`, async (t) => {
    const server = await tlsServer(t, host);
    const c = client(t, { tlsClient: { ca: creds.cert } });
    const out = await c.layer.send({ transport: 'TLS', address: host, port: server.port }, msg('tls1'));
    assert.equal(out.transport, 'TLS');
    const got = await server.q.next();
    assert.equal(got.kind, 'message');
    assert.equal(got.flow.transport, 'TLS');
    assert.equal(got.flow.remotePort, out.localPort);
    await server.layer.send({ transport: 'TLS', address: got.flow.remoteAddress, port: got.flow.remotePort, flowId: got.flow.id }, msg('back'));
    const back = await c.q.next();
    assert.equal(back.kind, 'message');
    assert.equal(back.flow.id, out.id);
  });
}

test('TLS: an untrusted certificate rejects the send with a TransportError', async (t) => {
  const server = await tlsServer(t);
  const c = client(t);
  const err = await c.layer.send({ transport: 'TLS', address: '127.0.0.1', port: server.port }, msg('untrusted')).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof TransportError, String(err));
  assert.equal(err.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.equal(server.q.length, 0);
});

test('TLS: serverName is what the certificate is checked against', async (t) => {
  const server = await tlsServer(t);
  const c = client(t, { tlsClient: { ca: creds.cert } });
  await c.layer.send({ transport: 'TLS', address: '127.0.0.1', port: server.port, serverName: 'localhost' }, msg('sni'));
  assert.equal((await server.q.next()).kind, 'message');
  const d = client(t, { tlsClient: { ca: creds.cert } });
  const err = await d.layer
    .send({ transport: 'TLS', address: '127.0.0.1', port: server.port, serverName: 'home2.example' }, msg('badname'))
    .then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof TransportError);
  assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
});

test('TLS: a stalled handshake fails with ETIMEDOUT after connectTimeoutMs', async (t) => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });
  const c = client(t, { limits: { connectTimeoutMs: 150 }, tlsClient: { ca: creds.cert } });
  const port = (silent.address() as AddressInfo).port;
  await assert.rejects(c.layer.send({ transport: 'TLS', address: '127.0.0.1', port }, msg('stall')), (e: unknown) => e instanceof TransportError && e.code === 'ETIMEDOUT');
  assert.equal(c.layer.stats.connectionsOpen, 0);
});

test('mutual TLS: a client without a certificate is refused, one with the listener’s certificate gets in', async (t) => {
  const server = await tlsServer(t, '127.0.0.1', true);
  const anonymous = client(t, { tlsClient: { ca: creds.cert } });
  await anonymous.layer.send({ transport: 'TLS', address: '127.0.0.1', port: server.port }, msg('anon')).catch(() => undefined);
  await waitFor(() => anonymous.layer.stats.connectionsOpen === 0, 3000, 'refused connection closed');
  assert.equal(server.q.length, 0);
  assert.equal(server.layer.stats.connectionsOpen, 0);

  // A node with its own TLS listener presents that certificate when it connects out.
  const peer = client(t);
  await peer.layer.listen({ transport: 'TLS', host: '127.0.0.1', port: 0, tls: { ...creds, ca: creds.cert } });
  await peer.layer.send({ transport: 'TLS', address: '127.0.0.1', port: server.port }, msg('mutual'));
  assert.equal((await server.q.next()).kind, 'message');

  // A certificate the server does not trust is refused too.
  const stranger = client(t, { tlsClient: { ca: creds.cert, cert: other.cert, key: other.key } });
  await stranger.layer.send({ transport: 'TLS', address: '127.0.0.1', port: server.port }, msg('stranger')).catch(() => undefined);
  await waitFor(() => stranger.layer.stats.connectionsOpen === 0, 3000, 'stranger closed');
  assert.equal(server.q.length, 0);
});

test('TLS and WSS listeners without credentials are refused with ENOCERT', async (t) => {
  const layer = new TransportLayer();
  t.after(() => layer.close());
  for (const transport of ['TLS', 'WSS'] as const) {
    await assert.rejects(layer.listen({ transport, host: '127.0.0.1', port: 0 }), (e: unknown) => e instanceof TransportError && e.code === 'ENOCERT');
  }
});
