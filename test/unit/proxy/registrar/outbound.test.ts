import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PS, RegistrarWorld, callId, contactsOf, register, registerRequest, stored } from './harness.js';
import type { RegisterSpec } from './harness.js';
import type { SipPeer } from '../../../support/sip-peer.js';

const INSTANCE = 'urn:uuid:00000000-0000-1000-8000-000a95a0e128';
const inst = `+sip.instance="<${INSTANCE}>"`;

// RFC 5626 §6 (registrar procedures) and RFC 3327: Bob's phone registers flows over two connections.
describe('registrar: RFC 5626 outbound flows', () => {
  const world = new RegistrarWorld();
  let bob: SipPeer;
  let bob2: SipPeer;
  const BOB = 'sip:bob@ps.test';

  before(async () => {
    await world.start();
    bob = await world.peer('bob');
    bob2 = await world.peer('bob2');
  });
  after(() => world.close());

  /** A REGISTER that came through an edge proxy: a second Via below the UA's (RFC 5626 §6 first-hop check). */
  function viaProxy(peer: SipPeer, spec: RegisterSpec) {
    const req = registerRequest(peer, spec);
    req.headers.append('Via', 'SIP/2.0/TCP 127.0.0.1:5090;branch=z9hG4bKedge1');
    return peer.send(req, PS);
  }

  test('instance-id and reg-id bind a flow; Supported: outbound gets Require: outbound in the 200', async () => {
    const res = await register(bob, {
      headers: [['Supported', 'outbound, path'], ['Contact', `<sip:bob@bob.test;transport=loop;ob>;reg-id=1;${inst}`]],
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Require'), 'outbound');
    assert.match(res.headers.get('Contact')!, /;reg-id=1;\+sip\.instance="<urn:uuid:[^>]+>";expires=3600$/);
    const [b] = await stored(world.store, BOB);
    assert.equal(b!.instance, INSTANCE);
    assert.equal(b!.regId, 1);
    assert.equal(b!.flow!.flowId, world.flows.at(-1)!.id);
  });

  test('the same instance and reg-id over a new flow replace the binding, whatever the Contact URI (§6)', async () => {
    const res = await register(bob2, {
      aor: BOB,
      headers: [['Supported', 'outbound'], ['Contact', `<sip:bob@bob2.test;transport=loop;ob>;reg-id=1;${inst}`]],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(contactsOf(res), ['sip:bob@bob2.test 3600']);
    const flow = world.flows.at(-1)!;
    const [c] = await world.registrar.lookup(BOB);
    assert.deepEqual(c!.target, { transport: 'LOOP', address: flow.remoteAddress, port: flow.remotePort, flowId: flow.id });
    assert.equal(c!.instance, INSTANCE);
    assert.equal(c!.regId, 1);
  });

  test('another reg-id of the same instance is a second flow; the same URI without reg-id is a third binding', async () => {
    const res = await register(bob, {
      aor: BOB,
      headers: [['Supported', 'outbound'], ['Contact', `<sip:bob@bob2.test;transport=loop;ob>;reg-id=2;${inst}`]],
    });
    assert.equal(res.status, 200);
    assert.equal(contactsOf(res).length, 2);
    const plain = await register(bob, { aor: BOB, headers: [['Contact', '<sip:bob@bob2.test;transport=loop;ob>']] });
    assert.equal(plain.headers.has('Require'), false);
    assert.deepEqual((await stored(world.store, BOB)).map((b) => String(b.regId ?? '-')).sort(), ['-', '1', '2']);
    // Removing a flow names its instance-id and reg-id.
    const gone = await register(bob, { aor: BOB, headers: [['Contact', `<sip:x@bob.test>;reg-id=2;${inst};expires=0`]] });
    assert.deepEqual((await stored(world.store, BOB)).map((b) => String(b.regId ?? '-')).sort(), ['-', '1']);
    assert.equal(gone.headers.has('Require'), false, 'no Supported: outbound, no Require: outbound');
  });

  test('instance-id without reg-id is bound by Contact URI; reg-id without instance-id is ignored (§6)', async () => {
    const aor = 'sip:bob.gruu@ps.test';
    await register(bob, { aor, headers: [['Contact', `<sip:b@bob.test:1>;${inst}`]] });
    await register(bob, { aor, headers: [['Contact', `<sip:b@bob.test:2>;${inst}`]] });
    const res = await register(bob, { aor, headers: [['Supported', 'outbound'], ['Contact', '<sip:b@bob.test:3>;reg-id=1']] });
    assert.equal(res.headers.has('Require'), false);
    const all = await stored(world.store, aor);
    assert.deepEqual(all.map((b) => [b.contact, b.instance ?? '-', b.regId ?? '-']), [
      ['sip:b@bob.test:1', INSTANCE, '-'],
      ['sip:b@bob.test:2', INSTANCE, '-'],
      ['sip:b@bob.test:3', '-', '-'],
    ]);
  });

  test('several Contacts with a non-zero interval and a reg-id get 400; removals may ride along (§6)', async () => {
    const aor = 'sip:bob.multi@ps.test';
    const bad = await register(bob, { aor, headers: [['Contact', `<sip:b@bob.test>;reg-id=1;${inst}, <sip:b@bob.test:2>`]] });
    assert.equal(bad.status, 400);
    const ok = await register(bob, { aor, headers: [['Contact', `<sip:b@bob.test>;reg-id=1;${inst}, <sip:b@bob.test:2>;expires=0`]] });
    assert.equal(ok.status, 200);
  });

  test('through a proxy that did not put an ob Path first: 439 when outbound is asked, else reg-id ignored', async () => {
    const aor = 'sip:bob.edge@ps.test';
    const contact: [string, string] = ['Contact', `<sip:b@127.0.0.1:5070;transport=tcp>;reg-id=1;${inst}`];
    const refused = await viaProxy(bob, { aor, headers: [['Supported', 'outbound, path'], contact] });
    assert.equal(refused.status, 439);
    assert.equal(refused.reason, 'First Hop Lacks Outbound Support');
    const plainPath = await viaProxy(bob, { aor, headers: [['Supported', 'path'], ['Path', '<sip:127.0.0.1:5090;lr>'], contact] });
    assert.equal(plainPath.status, 200);
    assert.equal(plainPath.headers.has('Require'), false);
    const [b] = await stored(world.store, aor);
    assert.equal(b!.regId, undefined);
    assert.equal(b!.flow!.flowId, world.flows.at(-1)!.id, 'the flow toward the Path is kept');
  });

  test('through an edge proxy whose Path URI has ob, outbound applies (§6) and the Path is echoed', async () => {
    const aor = 'sip:bob.ob@ps.test';
    const res = await viaProxy(bob, {
      aor,
      headers: [
        ['Supported', 'outbound, path'],
        ['Path', '<sip:flowtoken@127.0.0.1:5090;lr;ob>'],
        ['Contact', `<sip:b@127.0.0.1:5070;transport=tcp;ob>;reg-id=1;${inst}`],
      ],
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Require'), 'outbound');
    assert.deepEqual(res.headers.getAll('Path'), ['<sip:flowtoken@127.0.0.1:5090;lr;ob>']);
    const [c] = await world.registrar.lookup(aor);
    assert.equal(c!.regId, 1);
    assert.deepEqual(c!.path, ['<sip:flowtoken@127.0.0.1:5090;lr;ob>']);
    assert.equal(c!.target.flowId, world.flows.at(-1)!.id);
  });

  test('through a proxy without Path no flow is stored: the target is the Contact URI', async () => {
    const aor = 'sip:bob.far@ps.test';
    const id = callId();
    await viaProxy(bob, { aor, callId: id, headers: [['Contact', '<sip:b@127.0.0.1:5070;transport=tcp>, <sip:b@[::1]>;q=0.1']] });
    const contacts = await world.registrar.lookup(aor);
    assert.deepEqual(contacts.map((c) => c.target), [
      { transport: 'TCP', address: '127.0.0.1', port: 5070 },
      { transport: 'UDP', address: '::1', port: 5060 },
    ]);
    assert.ok((await stored(world.store, aor)).every((b) => b.flow === undefined));
  });
});
