import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registrar } from '../../../../src/proxy/registrar/registrar.js';
import { LocalIdentity } from '../../../../src/sip/core/local-identity.js';
import type { UasContext } from '../../../../src/sip/core/user-agent-core.js';
import type { SipRequest, SipResponse } from '../../../../src/sip/message/message.js';
import { SipError } from '../../../../src/sip/message/sip-error.js';
import { ViaHeader } from '../../../../src/sip/parser/headers/via.js';
import type { Flow } from '../../../../src/sip/transport/types.js';
import { MemoryBindingStore } from '../../../../src/store/memory/binding-store.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { capturedRequest, contactsOf } from './harness.js';

// The REGISTERs real phones sent to a registrar on 127.0.0.1:5080 (../shared/captures), handed to the
// REGISTER handler as the UDP transport and UAS core would.
describe('registrar: REGISTERs of real clients', () => {
  const clock = new FakeClock();
  const store = new MemoryBindingStore();
  const identity = new LocalIdentity();
  identity.addDomain('example.com');
  identity.addListener('127.0.0.1', 5080, 'UDP');
  const registrar = new Registrar({ store, identity, clock });
  after(() => registrar.close());

  /** The UDP flow the request came on: from the address and port of its Via. */
  function flowOf(req: SipRequest): Flow {
    const [via] = req.required(ViaHeader);
    return { id: `udp:${via!.port}`, transport: 'UDP', localAddress: '127.0.0.1', localPort: 5080, remoteAddress: via!.host, remotePort: via!.port! };
  }

  /** Runs the handler; a SipError becomes its status, as the UAS core would answer. */
  async function handle(req: SipRequest): Promise<SipResponse | number> {
    const ctx: UasContext = { flow: flowOf(req), after: () => undefined };
    try {
      return await registrar.registerHandler.handle(req, ctx);
    } catch (e) {
      if (e instanceof SipError) return e.status;
      throw e;
    }
  }

  async function ok(req: SipRequest): Promise<SipResponse> {
    const res = await handle(req);
    assert.ok(typeof res !== 'number', `got ${String(res)}`);
    assert.equal(res.status, 200);
    return res;
  }

  function withCSeq(req: SipRequest, seq: number): SipRequest {
    const next = req.clone();
    next.headers.set('CSeq', `${seq} REGISTER`);
    return next;
  }

  test('baresip: Contact expires=60 with +sip.instance and no reg-id, To with the server port', async () => {
    const req = capturedRequest('baresip-01-REGISTER.txt');
    const res = await ok(req);
    assert.deepEqual(contactsOf(res), ['sip:bob4b93-0x563938f17150@127.0.0.1:25094 60']);
    assert.equal(res.headers.get('Contact'), '<sip:bob4b93-0x563938f17150@127.0.0.1:25094>;expires=60;+sip.instance="<urn:uuid:12de3d59-6128-b6c1-3f25-7dc9ea87e199>"');
    assert.equal(res.headers.has('Require'), false);
    const [c] = await registrar.lookup('sip:bob4b93@example.com');
    assert.deepEqual(c!.target, { transport: 'UDP', address: '127.0.0.1', port: 25094, flowId: 'udp:25094' });
    assert.equal(c!.instance, 'urn:uuid:12de3d59-6128-b6c1-3f25-7dc9ea87e199');
    const [b] = await store.listByAor('sip:bob4b93@example.com');
    assert.equal(b!.userAgent, 'baresip v1.0.0 (x86_64/linux)');
    // The same request again (a retransmission outside its transaction) is out of order: 500.
    assert.equal(await handle(req), 500);
    clock.advance(30_000);
    assert.deepEqual(contactsOf(await ok(withCSeq(req, 36525))), ['sip:bob4b93-0x563938f17150@127.0.0.1:25094 60']);
  });

  test('linphone: Expires header, Supported: outbound without reg-id (no Require: outbound), no Content-Length', async () => {
    const req = capturedRequest('linphone-01-REGISTER.txt');
    const res = await ok(req);
    assert.deepEqual(contactsOf(res), ['sip:bob462b@127.0.0.1:25120 60']);
    assert.equal(res.headers.get('Contact'), 'bob462b <sip:bob462b@127.0.0.1:25120;transport=udp>;expires=60');
    assert.equal(res.headers.has('Require'), false);
    // Unregistering: the same Call-ID, a higher CSeq, Expires: 0.
    const bye = withCSeq(req, 21);
    bye.headers.set('Expires', '0');
    const gone = await ok(bye);
    assert.equal(gone.headers.has('Contact'), false);
    assert.deepEqual(await registrar.lookup('sip:bob462b@example.com'), []);
  });

  test('Twinkle: Contact expires=60, To and From with the server port, Contact: * to leave', async () => {
    const req = capturedRequest('twinkle-01-REGISTER.txt');
    assert.deepEqual(contactsOf(await ok(req)), ['sip:bob43c7@127.0.0.1:25220 60']);
    const leave = withCSeq(req, 754);
    leave.headers.set('Contact', '*');
    leave.headers.set('Expires', '0');
    await ok(leave);
    assert.deepEqual(await store.listByAor('sip:bob43c7@example.com'), []);
  });

  test('a captured REGISTER whose interval is below a larger minimum gets 423 with Min-Expires', async () => {
    const strict = new Registrar({ store, identity, clock, expires: { min: 120 } });
    try {
      const req = capturedRequest('twinkle-01-REGISTER.txt');
      await assert.rejects(
        Promise.resolve().then(() => strict.registerHandler.handle(req, { flow: flowOf(req), after: () => undefined })),
        (e: unknown) => e instanceof SipError && e.status === 423 && e.headers.some(([n, v]) => n === 'Min-Expires' && v === '120'),
      );
    } finally {
      await strict.close();
    }
  });

  test('Require: outbound with instance-id and reg-id gets Require: outbound (RFC 5626 §6)', async () => {
    const req = capturedRequest('baresip-01-REGISTER.txt');
    req.headers.set('Contact', '<sip:bob4b93@127.0.0.1:25094;ob>;reg-id=1;+sip.instance="<urn:uuid:12de3d59-6128-b6c1-3f25-7dc9ea87e199>"');
    req.headers.set('Call-ID', 'outbound-1');
    req.headers.append('Require', 'outbound');
    const res = await ok(req);
    assert.equal(res.headers.get('Require'), 'outbound');
    const flows = (await registrar.lookup('sip:bob4b93@example.com')).filter((c) => c.regId === 1);
    assert.equal(flows.length, 1);
  });
});
