import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedQueue } from '../../../../src/util/keyed-queue.js';
import { Registrar } from '../../../../src/proxy/registrar/registrar.js';
import { checkIntervals, grantedInterval } from '../../../../src/proxy/registrar/registration-expiry.js';
import { SipError } from '../../../../src/sip/message/sip-error.js';
import { MemoryBindingStore } from '../../../../src/store/memory/binding-store.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { RegistrarWorld, register, serverIdentity } from './harness.js';

describe('registrar parts', () => {
  test('granted intervals: 0 removes, 423 only for 0 < e < min and e < 3600, above max is max (§10.3 step 7)', () => {
    const iv = checkIntervals({ default: 3600, min: 60, max: 7200 });
    assert.equal(grantedInterval(0, iv), 0);
    assert.equal(grantedInterval(60, iv), 60);
    assert.equal(grantedInterval(7201, iv), 7200);
    assert.throws(() => grantedInterval(59, iv), (e: unknown) => e instanceof SipError && e.status === 423 && e.headers[0]![1] === '60');
    // A minimum above an hour cannot refuse an hour or more (423 only for intervals below one hour).
    const long = checkIntervals({ default: 7200, min: 5000, max: 86_400 });
    assert.equal(grantedInterval(3600, long), 3600);
    assert.throws(() => grantedInterval(3599, long), SipError);
  });

  test('interval configuration must be whole seconds with min <= default <= max', () => {
    assert.throws(() => checkIntervals({ default: 30, min: 60, max: 3600 }), RangeError);
    assert.throws(() => checkIntervals({ default: 3600, min: 60, max: 600 }), RangeError);
    assert.throws(() => checkIntervals({ default: 3600, min: 0, max: 7200 }), RangeError);
    assert.throws(() => checkIntervals({ default: 3600.5, min: 60, max: 7200 }), RangeError);
    const store = new MemoryBindingStore();
    assert.throws(() => new Registrar({ store, identity: serverIdentity(), clock: new FakeClock(), limits: { maxBindingsPerAor: 0 } }), RangeError);
  });

  test('a keyed queue runs tasks of one key in order, one at a time, and other keys alongside', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = q.run('a', async () => {
      log.push('a1 start');
      await gate;
      log.push('a1 end');
      throw new Error('a1 failed');
    });
    const second = q.run('a', async () => {
      log.push('a2');
      return 2;
    });
    const other = q.run('b', async () => {
      log.push('b1');
      return 1;
    });
    assert.equal(await other, 1);
    assert.deepEqual(log, ['a1 start', 'b1']);
    release();
    await assert.rejects(first, /a1 failed/);
    assert.equal(await second, 2);
    assert.deepEqual(log, ['a1 start', 'b1', 'a1 end', 'a2']);
    await q.drain();
  });

  test('the authorize hook runs before the AOR is checked, in arrival order, and its SipError is the answer', async () => {
    const seen: string[] = [];
    const world = await new RegistrarWorld().start({
      async authorize(req) {
        const cseq = req.headers.get('CSeq')!;
        seen.push(cseq);
        // The first REGISTER is slow to authorise; the second must still wait for it (§10.3: in order).
        if (cseq.startsWith('1 ')) await new Promise((r) => setTimeout(r, 20));
        if (req.headers.get('To')!.includes('mallory')) throw new SipError(403, 'Forbidden');
      },
    });
    try {
      const alice = await world.peer('alice');
      const [a, b] = await Promise.all([
        register(alice, { cseq: 1, headers: [['Contact', '<sip:one@alice.test>']] }),
        register(alice, { cseq: 2, headers: [['Contact', '<sip:two@alice.test>']] }),
      ]);
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      assert.deepEqual(seen, ['1 REGISTER', '2 REGISTER']);
      assert.equal(b.headers.getAll('Contact').length, 2);
      const refused = await register(alice, { aor: 'sip:mallory@elsewhere.test', headers: [['Contact', '<sip:m@alice.test>']] });
      assert.equal(refused.status, 403, 'step 4 comes before the 404 of step 5');
    } finally {
      await world.close();
    }
  });

  test('a store that fails makes the REGISTER fail with 500 and nothing change (§10.3 step 7)', async () => {
    const world = await new RegistrarWorld().start();
    try {
      const alice = await world.peer('alice');
      const broken = new MemoryBindingStore();
      broken.close();
      await world.registrar.close();
      world.registrar = world.newRegistrar({ store: broken });
      const changes = world.changes.length;
      const res = await register(alice, { headers: [['Contact', '<sip:a@alice.test>']] });
      assert.equal(res.status, 500);
      assert.equal(res.reason, 'Server Internal Error: bindings could not be stored');
      assert.equal(world.changes.length, changes);
      await world.registrar.recover();
      await assert.rejects(world.registrar.lookup('sip:alice@ps.test'));
    } finally {
      await world.close();
    }
  });
});
