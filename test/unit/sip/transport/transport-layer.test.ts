import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveLimits } from '../../../../src/sip/transport/limits.js';
import { LoopNetwork } from '../../../../src/sip/transport/loop.js';
import { TransportLayer } from '../../../../src/sip/transport/transport-layer.js';
import { TransportError } from '../../../../src/sip/transport/types.js';
import { RawClient, request, waitFor } from './helpers.js';

test('a listener that throws or rejects is logged; the transport keeps delivering', async (t) => {
  const layer = new TransportLayer();
  t.after(() => layer.close());
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  t.after(async () => void process.off('unhandledRejection', onUnhandled));
  let calls = 0;
  layer.onInbound = (() => {
    calls++;
    if (calls === 1) throw new Error('listener bug');
    if (calls === 2) return Promise.reject(new Error('async listener bug'));
    return undefined;
  }) as () => void;
  const { port } = await layer.listen({ transport: 'TCP', host: '127.0.0.1', port: 0 });
  const c = await RawClient.connect('127.0.0.1', port);
  t.after(async () => c.destroy());
  for (const b of ['1', '2', '3']) await c.write(request({ via: `SIP/2.0/TCP h;branch=z9hG4bKthrow${b}` }));
  await waitFor(() => calls === 3, 3000, 'three deliveries');
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(unhandled, []);
  assert.ok(!c.closed);
  assert.equal(layer.stats.messagesIn, 3);
});

test('several listeners coexist: UDP and TCP on one port, IPv4 and IPv6', async (t) => {
  const layer = new TransportLayer();
  t.after(() => layer.close());
  const udp4 = await layer.listen({ transport: 'UDP', host: '127.0.0.1', port: 0 });
  const tcp4 = await layer.listen({ transport: 'TCP', host: '127.0.0.1', port: udp4.port });
  const udp6 = await layer.listen({ transport: 'UDP', host: '::1', port: 0 });
  const ws6 = await layer.listen({ transport: 'WS', host: '::1', port: 0 });
  assert.equal(tcp4.port, udp4.port);
  assert.deepEqual([udp4.address, udp6.address, ws6.address], ['127.0.0.1', '::1', '::1']);
});

test('close is idempotent; afterwards send and listen reject with ECLOSED', async () => {
  const net = new LoopNetwork();
  const layer = new TransportLayer({ loopNetwork: net });
  await layer.listen({ transport: 'TCP', host: '127.0.0.1', port: 0 });
  await layer.listen({ transport: 'UDP', host: '127.0.0.1', port: 0 });
  await layer.listen({ transport: 'LOOP', host: 'x', port: 1 });
  await Promise.all([layer.close(), layer.close()]);
  await layer.close();
  const closed = (e: unknown) => e instanceof TransportError && e.code === 'ECLOSED';
  await assert.rejects(layer.send({ transport: 'UDP', address: '127.0.0.1', port: 5060 }, Buffer.from('x')), closed);
  await assert.rejects(layer.listen({ transport: 'UDP', host: '127.0.0.1', port: 0 }), closed);
});

test('close ends open connections', async () => {
  const layer = new TransportLayer();
  const { port } = await layer.listen({ transport: 'TCP', host: '127.0.0.1', port: 0 });
  const c = await RawClient.connect('127.0.0.1', port);
  await waitFor(() => layer.stats.connectionsOpen === 1, 3000, 'open');
  await layer.close();
  await waitFor(() => c.closed, 3000, 'client sees close');
  assert.equal(layer.stats.connectionsOpen, 0);
});

test('isReliable: only UDP is unreliable', () => {
  const layer = new TransportLayer();
  assert.deepEqual(
    (['UDP', 'TCP', 'TLS', 'WS', 'WSS', 'LOOP'] as const).map((x) => layer.isReliable(x)),
    [false, true, true, true, true, true],
  );
});

test('limits: defaults, maxStreamBuffer follows maxMessageSize, bad values throw', () => {
  assert.deepEqual(resolveLimits(), { maxMessageSize: 65_535, maxConnections: 10_000, maxStreamBuffer: 131_070, idleTimeoutMs: 3_600_000, connectTimeoutMs: 10_000 });
  assert.equal(resolveLimits({ maxMessageSize: 1000 }).maxStreamBuffer, 2000);
  assert.throws(() => resolveLimits({ maxConnections: 0 }), RangeError);
  assert.throws(() => new TransportLayer({ limits: { idleTimeoutMs: 1.5 } }), RangeError);
});
