import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ViaHeader } from '../../../../src/sip/parser/headers/via.js';
import { LoopNetwork } from '../../../../src/sip/transport/loop.js';
import { responseTarget } from '../../../../src/sip/transport/response-routing.js';
import { TransportLayer } from '../../../../src/sip/transport/transport-layer.js';
import { TransportError } from '../../../../src/sip/transport/types.js';
import { InboundQueue, request, response } from './helpers.js';

type T = { after: (fn: () => Promise<unknown>) => void };

async function node(t: T, net: LoopNetwork, host: string, port: number) {
  const layer = new TransportLayer({ loopNetwork: net });
  t.after(() => layer.close());
  const q = new InboundQueue(layer);
  const bound = await layer.listen({ transport: 'LOOP', host, port });
  return { layer, q, bound };
}

const code = (c: string) => (e: unknown) => e instanceof TransportError && e.code === c;

test('LOOP: Alice sends to the presence server and gets the response over the same link', async (t) => {
  const net = new LoopNetwork();
  const ps = await node(t, net, 'ps.home1.net', 5060);
  const alice = await node(t, net, 'alice.home1.net', 0);
  assert.ok(alice.bound.port >= 49_152);
  const out = await alice.layer.send({ transport: 'LOOP', address: 'ps.home1.net', port: 5060 }, Buffer.from(request({ method: 'SUBSCRIBE', via: `SIP/2.0/LOOP alice.home1.net:${alice.bound.port};rport;branch=z9hG4bKl1` })));
  assert.equal(out.transport, 'LOOP');
  assert.equal(ps.q.length, 0, 'delivery is asynchronous');
  const got = await ps.q.next();
  assert.equal(got.kind, 'message');
  if (got.kind !== 'message') return;
  assert.equal(got.flow.remoteAddress, 'alice.home1.net');
  assert.equal(got.flow.remotePort, alice.bound.port);
  assert.equal(got.message.headers.get('Via'), `SIP/2.0/LOOP alice.home1.net:${alice.bound.port};rport=${alice.bound.port};branch=z9hG4bKl1`);
  const target = responseTarget(got.message.required(ViaHeader)[0]!, got.flow);
  const back = await ps.layer.send(target, Buffer.from(response(got.message.headers.get('Via')!)));
  assert.equal(back.id, got.flow.id);
  const res = await alice.q.next();
  assert.equal(res.kind === 'message' && res.message.kind, 'response');
  assert.equal(res.flow.id, out.id);
  assert.ok(ps.layer.isReliable('LOOP'));
});

test('LOOP: messages arrive in order and go through the parser (malformed stays malformed)', async (t) => {
  const net = new LoopNetwork();
  const ps = await node(t, net, '10.0.0.1', 5060);
  const bob = await node(t, net, '10.0.0.2', 5060);
  const to = { transport: 'LOOP' as const, address: '10.0.0.1', port: 5060 };
  for (const id of ['1', '2', '3']) await bob.layer.send(to, Buffer.from(request({ via: `SIP/2.0/LOOP 10.0.0.2;branch=z9hG4bK${id}`, callId: id })));
  await bob.layer.send(to, Buffer.from('NOT SIP'));
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const got = await ps.q.next();
    if (got.kind === 'message') ids.push(got.message.headers.get('Call-ID')!);
  }
  assert.deepEqual(ids, ['1', '2', '3']);
  assert.equal((await ps.q.next()).kind, 'malformed');
  assert.equal(ps.layer.stats.messagesIn, 3);
  assert.equal(bob.layer.stats.messagesOut, 4);
});

test('LOOP: errors are TransportErrors', async (t) => {
  const net = new LoopNetwork();
  const lonely = new TransportLayer({ loopNetwork: net });
  t.after(() => lonely.close());
  await assert.rejects(lonely.send({ transport: 'LOOP', address: 'ps', port: 5060 }, Buffer.from('x')), code('ENOLISTENER'));
  const a = await node(t, net, 'a', 5060);
  await assert.rejects(a.layer.send({ transport: 'LOOP', address: 'nobody', port: 5060 }, Buffer.from('x')), code('ECONNREFUSED'));
  await assert.rejects(lonely.listen({ transport: 'LOOP', host: 'a', port: 5060 }), code('EADDRINUSE'));
  const noNet = new TransportLayer();
  t.after(() => noNet.close());
  await assert.rejects(noNet.listen({ transport: 'LOOP', host: 'x', port: 1 }), code('ENOLOOP'));
});

test('LOOP: after the peer closes its links are gone and its address refuses', async (t) => {
  const net = new LoopNetwork();
  const ps = await node(t, net, 'ps', 5060);
  const alice = await node(t, net, 'alice', 5060);
  const flow = await alice.layer.send({ transport: 'LOOP', address: 'ps', port: 5060 }, Buffer.from(request({ via: 'SIP/2.0/LOOP alice;branch=z9hG4bKc' })));
  await ps.q.next();
  await ps.layer.close();
  await assert.rejects(alice.layer.send({ transport: 'LOOP', address: 'ps', port: 5060, flowId: flow.id }, Buffer.from('x')), code('ECONNREFUSED'));
  // A new listener at that address gets a new link.
  const ps2 = await node(t, net, 'ps', 5060);
  const again = await alice.layer.send({ transport: 'LOOP', address: 'ps', port: 5060, flowId: flow.id }, Buffer.from(request({ via: 'SIP/2.0/LOOP alice;branch=z9hG4bKd' })));
  assert.notEqual(again.id, flow.id);
  assert.equal((await ps2.q.next()).kind, 'message');
});
