import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalIdentity } from '../../../../src/sip/core/local-identity.js';
import { UserAgentCore } from '../../../../src/sip/core/user-agent-core.js';
import type { SipRequest } from '../../../../src/sip/message/message.js';
import { createResponse } from '../../../../src/sip/message/response.js';
import { SipError } from '../../../../src/sip/message/sip-error.js';
import { TransactionLayer } from '../../../../src/sip/transaction/transaction-layer.js';
import { LoopNetwork } from '../../../../src/sip/transport/loop.js';
import { TransportLayer } from '../../../../src/sip/transport/transport-layer.js';
import type { Flow, SendTarget } from '../../../../src/sip/transport/types.js';
import { SipPeer } from '../../../support/sip-peer.js';

// The UAS core's authentication step (RFC 3261 §8.2, §22.1) with a scripted hook: X-Auth says what it does.
describe('UAS core authentication step', () => {
  const net = new LoopNetwork();
  const transport = new TransportLayer({ loopNetwork: net });
  const transactions = new TransactionLayer({ transport });
  const seen: Array<{ method: string; flow: Flow }> = [];
  const handled: string[] = [];
  let alice: SipPeer;
  const ps: SendTarget = { transport: 'LOOP', address: 'ps.test', port: 5060 };

  before(async () => {
    const identity = new LocalIdentity();
    identity.addDomain('ps.test');
    const core = new UserAgentCore({
      transactions,
      identity,
      authenticate: async (req: SipRequest, flow: Flow) => {
        seen.push({ method: req.method, flow });
        const what = req.headers.get('X-Auth');
        if (what === 'challenge') return new SipError(401, 'Unauthorized', [['WWW-Authenticate', 'Digest realm="ps.test", nonce="n"']]);
        if (what === 'bug') throw new Error('lookup failed');
        if (what === 'ok') return { identity: 'sip:alice@ps.test' };
        return undefined;
      },
    });
    core.register({
      method: 'MESSAGE',
      handle: (req) => {
        handled.push(req.method);
        return createResponse(req, 200);
      },
    });
    transport.onInbound = (i) => {
      if (i.kind === 'message') transactions.receive(i.message, i.flow);
    };
    await transport.listen({ transport: 'LOOP', host: 'ps.test', port: 5060 });
    alice = await SipPeer.start(net, 'alice');
  });
  after(async () => {
    await alice.close();
    transactions.close();
    await transport.close();
  });

  test('the challenge comes before method inspection: an unknown method is challenged, not 501 (§8.2.1)', async () => {
    const res = await alice.send(alice.request('FROB', 'sip:bob@ps.test', [['X-Auth', 'challenge']]), ps);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('WWW-Authenticate'), 'Digest realm="ps.test", nonce="n"');
    assert.equal(seen.at(-1)!.method, 'FROB');
    assert.equal(seen.at(-1)!.flow.remoteAddress, alice.host);
  });

  test('authenticated or skipped, the request goes on to the checks and its handler', async () => {
    assert.equal((await alice.send(alice.request('MESSAGE', 'sip:bob@ps.test', [['X-Auth', 'ok']]), ps)).status, 200);
    assert.equal((await alice.send(alice.request('MESSAGE', 'sip:bob@ps.test'), ps)).status, 200);
    assert.deepEqual(handled, ['MESSAGE', 'MESSAGE']);
    assert.equal((await alice.send(alice.request('FROB', 'sip:bob@ps.test'), ps)).status, 501);
  });

  test('a hook that fails is a bug: 500, and the handler does not run', async () => {
    const before = handled.length;
    const res = await alice.send(alice.request('MESSAGE', 'sip:bob@ps.test', [['X-Auth', 'bug']]), ps);
    assert.equal(res.status, 500);
    assert.equal(handled.length, before);
  });

  test('CANCEL is never given to the hook (§22.1)', async () => {
    const count = seen.length;
    const res = await alice.send(alice.request('CANCEL', 'sip:bob@ps.test', [['X-Auth', 'challenge']]), ps);
    assert.notEqual(res.status, 401);
    assert.equal(seen.length, count);
  });
});
