import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindingKey } from '../../src/store/ports.js';
import type { BindingRecord, Stores } from '../../src/store/ports.js';
import { StoreError } from '../../src/store/errors.js';
import { T0, binding, outboundBinding, sortedBy } from './fixtures.js';

const byKey = (r: BindingRecord): string => `${r.aor} ${bindingKey(r)}`;
const BOB = 'sip:bob@example.com';

function badBindings(err: unknown): boolean {
  return err instanceof StoreError && err.code === 'ERR_STORE_BAD_BINDINGS';
}

/** The BindingStore part of the store contract; `stores()` is the adapter under test. */
export function bindingContract(stores: () => Stores): void {
  test('bindings: replaceAor stores an AOR\'s bindings; optional fields absent or present read back exactly', async () => {
    const b = stores().bindings;
    const alice = [binding(1), binding(2, { q: 0, regId: 3 }), binding(3, { instance: '<urn:uuid:x>', q: 1 })];
    await b.replaceAor('sip:alice@example.com', alice);
    const got = await b.listByAor('sip:alice@example.com');
    assert.deepEqual(sortedBy(got, byKey), sortedBy(alice, byKey));
    for (const k of ['instance', 'regId', 'q', 'flow', 'userAgent']) assert.ok(!(k in got.find((x) => x.contact === alice[0]!.contact)!), `${k} absent`);
    const bob = [outboundBinding(1, { aor: BOB })];
    await b.replaceAor(BOB, bob);
    assert.deepEqual(await b.listByAor(BOB), bob);
    assert.deepEqual(await b.listByAor('sip:carol@example.com'), []);
  });

  test('bindings: replaceAor replaces every binding of the AOR and no other AOR\'s', async () => {
    const b = stores().bindings;
    await b.replaceAor('sip:alice@example.com', [binding(1), binding(2), binding(3)]);
    await b.replaceAor(BOB, [binding(1, { aor: BOB })]);
    const next = [binding(2, { cseq: 20, expiresAt: T0 + 99 }), binding(4)];
    await b.replaceAor('sip:alice@example.com', next);
    assert.deepEqual(sortedBy(await b.listByAor('sip:alice@example.com'), byKey), sortedBy(next, byKey));
    assert.deepEqual(await b.listByAor(BOB), [binding(1, { aor: BOB })]);
    await b.replaceAor('sip:alice@example.com', []);
    assert.deepEqual(await b.listByAor('sip:alice@example.com'), []);
    assert.deepEqual(await b.listByAor(BOB), [binding(1, { aor: BOB })]);
  });

  test('bindings: one Contact URI over two flows is two bindings, one per reg-id (RFC 5626 §6)', async () => {
    const b = stores().bindings;
    const flows = [outboundBinding(1), outboundBinding(2)];
    assert.equal(flows[0]!.contact, flows[1]!.contact);
    await b.replaceAor('sip:alice@example.com', [...flows, binding(1)]);
    assert.equal((await b.listByAor('sip:alice@example.com')).length, 3);
    await b.remove('sip:alice@example.com', bindingKey(flows[0]!));
    assert.deepEqual(sortedBy(await b.listByAor('sip:alice@example.com'), byKey), sortedBy([flows[1]!, binding(1)], byKey));
  });

  test('bindings: replaceAor with a repeated key or another AOR\'s binding rejects and changes nothing', async () => {
    const b = stores().bindings;
    const before = [binding(1), outboundBinding(1)];
    await b.replaceAor('sip:alice@example.com', before);
    await assert.rejects(b.replaceAor('sip:alice@example.com', [binding(5), binding(6), binding(5, { cseq: 99 })]), badBindings);
    await assert.rejects(b.replaceAor('sip:alice@example.com', [outboundBinding(1), outboundBinding(1, { contact: 'sip:other@192.0.2.7' })]), badBindings);
    await assert.rejects(b.replaceAor('sip:alice@example.com', [binding(7), binding(8, { aor: BOB })]), badBindings);
    assert.deepEqual(sortedBy(await b.listByAor('sip:alice@example.com'), byKey), sortedBy(before, byKey));
    assert.deepEqual(await b.listByAor(BOB), []);
  });

  test('bindings: remove deletes one binding by its key; unknown keys and AORs do nothing', async () => {
    const b = stores().bindings;
    await b.replaceAor('sip:alice@example.com', [binding(1), binding(2)]);
    await b.remove('sip:alice@example.com', bindingKey(binding(1)));
    await b.remove('sip:alice@example.com', bindingKey(binding(1)));
    await b.remove('sip:alice@example.com', bindingKey(binding(9)));
    await b.remove(BOB, bindingKey(binding(2)));
    assert.deepEqual(await b.listByAor('sip:alice@example.com'), [binding(2)]);
    await b.remove('sip:alice@example.com', bindingKey(binding(2)));
    assert.deepEqual(await b.listByAor('sip:alice@example.com'), []);
  });

  test('bindings: listExpired includes expiresAt == now and excludes expiresAt > now, across AORs', async () => {
    const b = stores().bindings;
    const now = T0 + 60_000;
    await b.replaceAor('sip:alice@example.com', [binding(1, { expiresAt: now - 1 }), binding(2, { expiresAt: now }), binding(3, { expiresAt: now + 1 })]);
    await b.replaceAor(BOB, [outboundBinding(1, { aor: BOB, expiresAt: now - 9_000 })]);
    assert.deepEqual(sortedBy(await b.listExpired(now), byKey), sortedBy([binding(1, { expiresAt: now - 1 }), binding(2, { expiresAt: now }), outboundBinding(1, { aor: BOB, expiresAt: now - 9_000 })], byKey));
    assert.deepEqual(await b.listExpired(now - 9_001), []);
    await b.replaceAor('sip:alice@example.com', [binding(3, { expiresAt: now + 1 })]);
    assert.deepEqual((await b.listExpired(now)).map(byKey), [byKey(outboundBinding(1, { aor: BOB }))]);
  });

  test('bindings: records read are copies, and the store keeps its own copy of what was put', async () => {
    const b = stores().bindings;
    const rec = outboundBinding(1);
    const given = [rec];
    await b.replaceAor('sip:alice@example.com', given);
    rec.path.push('<sip:evil.example.net;lr>');
    rec.flow!.port = 1;
    rec.expiresAt = 0;
    given.push(binding(1));
    const [got] = await b.listByAor('sip:alice@example.com');
    assert.deepEqual(got, outboundBinding(1));
    got!.path.length = 0;
    got!.flow!.address = '203.0.113.66';
    got!.q = 0.1;
    const [expired] = await b.listExpired(T0 + 3_600_000);
    expired!.path.push('x');
    assert.deepEqual(await b.listByAor('sip:alice@example.com'), [outboundBinding(1)]);
  });
}
