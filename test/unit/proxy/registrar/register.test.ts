import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistrarWorld, callId, contactsOf, register, stored } from './harness.js';
import type { SipPeer } from '../../../support/sip-peer.js';

// RFC 3261 §10.3 over a whole in-process server: Alice's and Bob's phones register, refresh, query and
// remove bindings through the LOOP transport.
describe('registrar: RFC 3261 §10.3 REGISTER processing', () => {
  const world = new RegistrarWorld();
  let alice: SipPeer;
  let alice2: SipPeer;
  const ALICE = 'sip:alice@ps.test';

  before(async () => {
    await world.start();
    alice = await world.peer('alice');
    alice2 = await world.peer('alice2');
  });
  after(() => world.close());

  test('a REGISTER binds its Contact with the default interval; the 200 lists it with expires and a Date', async () => {
    const res = await register(alice, { headers: [['Contact', '<sip:alice@alice.test;transport=loop>']] });
    assert.equal(res.status, 200);
    assert.deepEqual(contactsOf(res), ['sip:alice@alice.test 3600']);
    assert.match(res.headers.get('Date')!, /^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
    assert.equal(new Date(res.headers.get('Date')!).getTime(), world.clock.now());
    assert.match(res.headers.get('To')!, /;tag=/);
    assert.equal(res.headers.has('Record-Route'), false);
    const [b] = await stored(world.store, ALICE);
    assert.equal(b!.contact, 'sip:alice@alice.test;transport=loop');
    assert.equal(b!.expiresAt, world.clock.now() + 3_600_000);
    const flow = world.flows.at(-1)!;
    assert.deepEqual(b!.flow, { transport: 'LOOP', address: flow.remoteAddress, port: flow.remotePort, flowId: flow.id });
    assert.deepEqual(world.changes.at(-1), { aor: ALICE, contacts: ['sip:alice@alice.test;transport=loop'] });
  });

  test('a refresh with the same Call-ID and a higher CSeq updates the binding; equivalent URIs are one binding', async () => {
    const id = callId();
    const contact = '<sip:carol@alice.test;transport=loop>';
    assert.equal((await register(alice, { aor: 'sip:carol@ps.test', callId: id, cseq: 1, headers: [['Contact', contact]] })).status, 200);
    world.clock.advance(10_000);
    // RFC 3261 §19.1.4: transport values compare case-insensitively, so this is the same binding.
    const res = await register(alice, {
      aor: 'sip:carol@ps.test',
      callId: id,
      cseq: 2,
      headers: [['Contact', '<sip:carol@ALICE.test;transport=LOOP>'], ['Expires', '120']],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(contactsOf(res), ['sip:carol@alice.test 120']);
    const all = await stored(world.store, 'sip:carol@ps.test');
    assert.equal(all.length, 1);
    assert.equal(all[0]!.cseq, 2);
    assert.equal(all[0]!.updatedAt, world.clock.now());
  });

  test('several Contacts in one REGISTER, each with its own interval; the expires parameter beats Expires', async () => {
    const res = await register(alice, {
      aor: 'sip:dave@ps.test',
      headers: [
        ['Contact', '<sip:dave@alice.test:5070>;expires=300, <sip:dave@alice.test:5071>;q=0.5'],
        ['Contact', '"Dave desk" <sip:dave@alice.test:5072>;expires=100000'],
        ['Expires', '900'],
      ],
    });
    assert.equal(res.status, 200);
    // RFC 3261 §10.3 step 7: the registrar may shorten an interval: 100000 s becomes the 86400 s maximum.
    assert.deepEqual(contactsOf(res), ['sip:dave@alice.test:5070 300', 'sip:dave@alice.test:5071 900', 'sip:dave@alice.test:5072 86400']);
    assert.match(res.headers.getAll('Contact').join('\n'), /^Dave desk <sip:dave@alice.test:5072>;expires=86400$/m);
    assert.match(res.headers.getAll('Contact').join('\n'), /<sip:dave@alice.test:5071>;q=0.5;expires=900/);
  });

  test('a REGISTER without Contact is a query: the 200 lists every binding with the seconds left, nothing changes', async () => {
    const other = await register(alice2, { aor: 'sip:dave@ps.test', headers: [['Contact', '<sip:dave@alice2.test>;expires=600']] });
    assert.equal(other.status, 200);
    assert.equal(contactsOf(other).length, 4, 'the 200 lists the bindings of the other UA too');
    world.clock.advance(100_500);
    const changes = world.changes.length;
    const res = await register(alice, { aor: 'sip:dave@ps.test' });
    assert.equal(res.status, 200);
    assert.deepEqual(contactsOf(res), [
      'sip:dave@alice.test:5070 200',
      'sip:dave@alice.test:5071 800',
      'sip:dave@alice.test:5072 86300',
      'sip:dave@alice2.test 500',
    ]);
    assert.equal(world.changes.length, changes);
  });

  test('expires=0 removes that Contact only; removing an unknown Contact changes nothing', async () => {
    const res = await register(alice, { aor: 'sip:dave@ps.test', cseq: 9, headers: [['Contact', '<sip:dave@alice.test:5071>;expires=0, <sip:nobody@alice.test>;expires=0']] });
    assert.equal(res.status, 200);
    assert.deepEqual(contactsOf(res).map((c) => c.split(' ')[0]), ['sip:dave@alice.test:5070', 'sip:dave@alice.test:5072', 'sip:dave@alice2.test']);
    const changes = world.changes.length;
    assert.equal((await register(alice, { aor: 'sip:dave@ps.test', headers: [['Contact', '<sip:nobody@alice.test>'], ['Expires', '0']] })).status, 200);
    assert.equal(world.changes.length, changes);
  });

  test('Contact: * with Expires: 0 removes every binding of the AOR (§10.3 step 6)', async () => {
    const res = await register(alice, { aor: 'sip:dave@ps.test', headers: [['Contact', '*'], ['Expires', '0']] });
    assert.equal(res.status, 200);
    assert.equal(res.headers.has('Contact'), false);
    assert.deepEqual(await world.store.listByAor('sip:dave@ps.test'), []);
    assert.deepEqual(world.changes.at(-1), { aor: 'sip:dave@ps.test', contacts: [] });
    assert.deepEqual(await world.registrar.lookup('sip:dave@ps.test'), []);
  });

  test('Contact: * without Expires: 0, or with another Contact, gets 400 (§10.3 step 6)', async () => {
    await register(alice, { aor: 'sip:erin@ps.test', headers: [['Contact', '<sip:erin@alice.test>']] });
    const cases: Array<Array<[string, string]>> = [
      [['Contact', '*']],
      [['Contact', '*'], ['Expires', '60']],
      [['Contact', '*, <sip:erin@alice.test>'], ['Expires', '0']],
      [['Contact', '*'], ['Contact', '<sip:erin@alice.test>'], ['Expires', '0']],
    ];
    for (const headers of cases) {
      const res = await register(alice, { aor: 'sip:erin@ps.test', headers });
      assert.equal(res.status, 400, JSON.stringify(headers));
    }
    assert.equal((await world.store.listByAor('sip:erin@ps.test')).length, 1);
  });

  test('an interval below the minimum gets 423 with Min-Expires; 0 < e < min only (§10.3 step 7)', async () => {
    const res = await register(alice, { aor: 'sip:erin@ps.test', headers: [['Contact', '<sip:erin@alice.test:1>;expires=59, <sip:erin@alice.test:2>']] });
    assert.equal(res.status, 423);
    assert.equal(res.reason, 'Interval Too Brief');
    assert.equal(res.headers.get('Min-Expires'), '60');
    const viaHeader = await register(alice, { aor: 'sip:erin@ps.test', headers: [['Contact', '<sip:erin@alice.test:2>'], ['Expires', '1']] });
    assert.equal(viaHeader.status, 423);
    assert.deepEqual((await stored(world.store, 'sip:erin@ps.test')).map((b) => b.contact), ['sip:erin@alice.test'], 'nothing applied');
    const atMin = await register(alice, { aor: 'sip:erin@ps.test', headers: [['Contact', '<sip:erin@alice.test:2>;expires=60']] });
    assert.equal(atMin.status, 200);
  });

  test('out-of-order REGISTERs of one Call-ID fail with 500 and change nothing (§10.3 steps 6-7)', async () => {
    const id = callId();
    const aor = 'sip:frank@ps.test';
    assert.equal((await register(alice, { aor, callId: id, cseq: 5, headers: [['Contact', '<sip:frank@alice.test>']] })).status, 200);
    for (const cseq of [4, 5]) {
      const res = await register(alice, { aor, callId: id, cseq, headers: [['Contact', '<sip:frank@alice.test>'], ['Expires', '0']] });
      assert.equal(res.status, 500, `CSeq ${cseq}`);
      assert.match(res.reason, /out-of-order/);
    }
    const star = await register(alice, { aor, callId: id, cseq: 3, headers: [['Contact', '*'], ['Expires', '0']] });
    assert.equal(star.status, 500);
    assert.equal((await stored(world.store, aor))[0]!.cseq, 5);
    // Another Call-ID (another UA, or the phone after a reboot) may update it with any CSeq.
    const reboot = await register(alice, { aor, cseq: 1, headers: [['Contact', '<sip:frank@alice.test>;expires=120']] });
    assert.deepEqual(contactsOf(reboot), ['sip:frank@alice.test 120']);
  });

  test('a To outside our domain, or without a user, gets 404 (§10.3 step 5)', async () => {
    assert.equal((await register(alice, { aor: 'sip:alice@elsewhere.test', headers: [['Contact', '<sip:a@alice.test>']] })).status, 404);
    assert.equal((await register(alice, { aor: 'sip:ps.test', headers: [['Contact', '<sip:a@alice.test>']] })).status, 404);
    assert.equal((await register(alice, { aor: 'tel:+15551234', headers: [['Contact', '<sip:a@alice.test>']] })).status, 404);
  });

  test('a Path is stored and copied into the 200 when the UA supports path, else 420 (RFC 3327 §5.3)', async () => {
    const path: [string, string] = ['Path', '<sip:edge.test;lr>'];
    const refused = await register(alice, { aor: 'sip:gina@ps.test', headers: [path, ['Contact', '<sip:gina@alice.test>']] });
    assert.equal(refused.status, 420);
    assert.equal(refused.headers.get('Unsupported'), 'path');
    const res = await register(alice, { aor: 'sip:gina@ps.test', headers: [path, ['Supported', 'path'], ['Contact', '<sip:gina@alice.test>']] });
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.getAll('Path'), ['<sip:edge.test;lr>']);
    assert.deepEqual((await stored(world.store, 'sip:gina@ps.test'))[0]!.path, ['<sip:edge.test;lr>']);
    const [contact] = await world.registrar.lookup('sip:gina@ps.test');
    assert.deepEqual(contact!.path, ['<sip:edge.test;lr>']);
  });
});
