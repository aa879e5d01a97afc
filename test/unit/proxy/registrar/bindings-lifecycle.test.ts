import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistrarWorld, callId, contactsOf, elapse, register, stored } from './harness.js';

// Lookup order, limits, expiry and restarts: each test runs its own in-process server.
describe('registrar: lookup, limits, expiry and durability', () => {
  let world: RegistrarWorld;
  afterEach(() => world.close());

  test('lookup orders by q descending (no q ranks as 1.0), then newest first, and prefers the flow', async () => {
    world = await new RegistrarWorld().start();
    const alice = await world.peer('alice');
    const contacts: Array<[string, string]> = [
      ['a', ';q=0.5'],
      ['b', ''],
      ['c', ';q=1.0'],
      ['d', ';q=0.5'],
    ];
    for (const [user, q] of contacts) {
      assert.equal((await register(alice, { aor: 'sip:alice@ps.test', headers: [['Contact', `<sip:${user}@alice.test;transport=loop>${q}`]] })).status, 200);
      world.clock.advance(1000);
    }
    const found = await world.registrar.lookup('sip:alice@ps.test');
    assert.deepEqual(found.map((c) => c.contact), [
      'sip:c@alice.test;transport=loop',
      'sip:b@alice.test;transport=loop',
      'sip:d@alice.test;transport=loop',
      'sip:a@alice.test;transport=loop',
    ]);
    // Each target is the flow its REGISTER came on (c, b, d, a were the 3rd, 2nd, 4th and 1st).
    const flows = world.flows.slice(-4);
    found.forEach((c, i) => {
      const flow = flows[[2, 1, 3, 0][i]!]!;
      assert.deepEqual(c.target, { transport: 'LOOP', address: flow.remoteAddress, port: flow.remotePort, flowId: flow.id });
    });
    assert.deepEqual(found.map((c) => c.q), [1, undefined, 0.5, 0.5]);
    assert.equal(found[0]!.expiresAt, world.clock.now() - 2000 + 3_600_000);
  });

  test('an AOR gets at most maxBindingsPerAor bindings: 403 beyond, refreshes and swaps still pass', async () => {
    world = await new RegistrarWorld().start({ limits: { maxBindingsPerAor: 2 } });
    const alice = await world.peer('alice');
    const id = callId();
    assert.equal((await register(alice, { callId: id, cseq: 1, headers: [['Contact', '<sip:a@alice.test>, <sip:b@alice.test>']] })).status, 200);
    const over = await register(alice, { headers: [['Contact', '<sip:c@alice.test>']] });
    assert.equal(over.status, 403);
    assert.match(over.reason, /at most 2 bindings/);
    assert.equal((await register(alice, { callId: id, cseq: 2, headers: [['Contact', '<sip:a@alice.test>;expires=90']] })).status, 200);
    const swap = await register(alice, { headers: [['Contact', '<sip:b@alice.test>;expires=0, <sip:c@alice.test>']] });
    assert.deepEqual(contactsOf(swap), ['sip:a@alice.test 90', 'sip:c@alice.test 3600']);
  });

  test('expired bindings are swept from the store and listeners told; lookups ignore them at once', async () => {
    world = await new RegistrarWorld().start();
    const alice = await world.peer('alice');
    await register(alice, { headers: [['Contact', '<sip:short@alice.test>;expires=60, <sip:long@alice.test>;expires=120']] });
    const changes = world.changes.length;
    await elapse(world.clock, 59);
    assert.equal((await world.registrar.lookup('sip:alice@ps.test')).length, 2);
    assert.equal(world.changes.length, changes);
    await elapse(world.clock, 2);
    assert.deepEqual((await stored(world.store, 'sip:alice@ps.test')).map((b) => b.contact), ['sip:long@alice.test']);
    assert.deepEqual(world.changes.slice(changes), [{ aor: 'sip:alice@ps.test', contacts: ['sip:long@alice.test'] }]);
    assert.deepEqual(contactsOf(await register(alice)), ['sip:long@alice.test 59']);
    await elapse(world.clock, 60);
    assert.deepEqual(await world.store.listByAor('sip:alice@ps.test'), []);
    assert.deepEqual(world.changes.at(-1), { aor: 'sip:alice@ps.test', contacts: [] });
  });

  test('an expired binding is gone for lookups and REGISTERs even before the sweep runs', async () => {
    world = await new RegistrarWorld().start({ sweepIntervalMs: 3_600_000 });
    const alice = await world.peer('alice');
    const id = callId();
    await register(alice, { callId: id, cseq: 7, headers: [['Contact', '<sip:a@alice.test>;expires=60']] });
    world.clock.advance(60_000);
    assert.deepEqual(await world.registrar.lookup('sip:alice@ps.test'), []);
    assert.equal((await world.store.listByAor('sip:alice@ps.test')).length, 1, 'not swept yet');
    assert.deepEqual(contactsOf(await register(alice)), []);
    // The expired binding's CSeq no longer counts (§10.3: it is not a current binding).
    assert.equal((await register(alice, { callId: id, cseq: 3, headers: [['Contact', '<sip:a@alice.test>']] })).status, 200);
  });

  test('bindings survive a new Registrar on the same store; recover() removes those that expired meanwhile', async () => {
    world = await new RegistrarWorld().start();
    const alice = await world.peer('alice');
    const id = callId();
    await register(alice, { callId: id, cseq: 10, headers: [['Contact', '<sip:keep@alice.test>;expires=600, <sip:drop@alice.test>;expires=60']] });
    await world.registrar.close();
    world.clock.advance(61_000);
    const changes = world.changes.length;
    world.registrar = world.newRegistrar();
    await world.registrar.recover();
    assert.deepEqual(world.changes.slice(changes), [{ aor: 'sip:alice@ps.test', contacts: ['sip:keep@alice.test'] }]);
    const [kept] = await world.registrar.lookup('sip:alice@ps.test');
    assert.equal(kept!.contact, 'sip:keep@alice.test');
    // The restarted registrar still knows the Call-ID and CSeq of the binding.
    const late = await register(alice, { callId: id, cseq: 9, headers: [['Contact', '<sip:keep@alice.test>']] });
    assert.equal(late.status, 500);
    const next = await register(alice, { callId: id, cseq: 11, headers: [['Contact', '<sip:keep@alice.test>;expires=300']] });
    assert.deepEqual(contactsOf(next), ['sip:keep@alice.test 300']);
  });
});
