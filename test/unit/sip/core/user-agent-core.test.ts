import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../../../src/config/load.js';
import { build } from '../../../../src/server.js';
import type { PresencedServer } from '../../../../src/server.js';
import { createResponse } from '../../../../src/sip/message/response.js';
import { serialize } from '../../../../src/sip/message/serialize.js';
import { SipError } from '../../../../src/sip/message/sip-error.js';
import { LoopNetwork } from '../../../../src/sip/transport/loop.js';
import type { SendTarget } from '../../../../src/sip/transport/types.js';
import { SipPeer } from '../../../support/sip-peer.js';

// The UAS core (RFC 3261 §8.2) of a whole in-process server, driven by Alice over the LOOP transport.
describe('UAS core', () => {
  const net = new LoopNetwork();
  let server: PresencedServer;
  let alice: SipPeer;
  const ps: SendTarget = { transport: 'LOOP', address: 'ps.test', port: 5060 };
  const R = 'sip:bob@ps.test';

  before(async () => {
    server = build(validateConfig({ domain: 'ps.test', sip: { host: 'ps.test', port: 5060 }, store: { kind: 'memory' }, auth: { mode: 'none' } }), { loopNetwork: net });
    server.core.register({
      method: 'MESSAGE',
      accept: ['text/plain'],
      handle(req) {
        const text = req.body.toString();
        if (text === 'reject') throw new SipError(488, 'Not Acceptable Here: told to', [['Warning', '399 ps.test "test"']]);
        if (text === 'bug') throw new Error('a bug');
        if (text === 'async') return Promise.resolve(createResponse(req, 202));
        return createResponse(req, 200);
      },
    });
    await server.listen();
    alice = await SipPeer.start(net, 'alice');
  });
  after(async () => {
    await alice.close();
    await server.close();
  });

  test('OPTIONS gets 200 with Allow, Accept, Accept-Encoding, Accept-Language, Supported (§11.2)', async () => {
    const res = await alice.send(alice.request('OPTIONS', R), ps);
    assert.equal(res.status, 200);
    assert.deepEqual(res.headers.get('Allow')!.split(', ').sort(), ['MESSAGE', 'OPTIONS', 'PUBLISH', 'REGISTER', 'SUBSCRIBE']);
    assert.deepEqual(res.headers.get('Accept')!.split(', ').sort(), ['application/pidf+xml', 'application/pidf-diff+xml', 'application/simple-filter+xml', 'text/plain']);
    assert.equal(res.headers.get('Allow-Events'), 'presence, presence.winfo');
    assert.equal(res.headers.get('Accept-Encoding'), 'identity');
    assert.equal(res.headers.get('Supported'), 'path, outbound');
    assert.ok(res.headers.has('Accept-Language'));
    assert.match(res.headers.get('To')!, /;tag=/);
    assert.equal(res.headers.get('Server'), 'presenced');
  });

  test('a known but unsupported method gets 405 with Allow (§8.2.1)', async () => {
    const res = await alice.send(alice.request('REFER', R), ps);
    assert.equal(res.status, 405);
    assert.match(res.headers.get('Allow')!, /OPTIONS/);
  });

  test('an unknown method gets 501 with Allow (RFC 4475 §3.1.2.18)', async () => {
    const res = await alice.send(alice.request('FROB', R), ps);
    assert.equal(res.status, 501);
    assert.match(res.headers.get('Allow')!, /OPTIONS/);
  });

  test('an unsupported Request-URI scheme gets 416 (§8.2.2.1)', async () => {
    const res = await alice.send(alice.request('OPTIONS', 'mailto:bob@ps.test'), ps);
    assert.equal(res.status, 416);
  });

  test('a Request-URI of another domain gets 404, or 483 with Max-Forwards 0 (§16.3)', async () => {
    assert.equal((await alice.send(alice.request('OPTIONS', 'sip:bob@elsewhere.test'), ps)).status, 404);
    const res = await alice.send(alice.request('OPTIONS', 'sip:bob@elsewhere.test', [['Max-Forwards', '0']]), ps);
    assert.equal(res.status, 483);
  });

  test('Max-Forwards 0 to this server is processed (RFC 4475 §3.3.11)', async () => {
    const res = await alice.send(alice.request('OPTIONS', R, [['Max-Forwards', '0']]), ps);
    assert.equal(res.status, 200);
  });

  test('a request that already passed through this server gets 482', async () => {
    const req = alice.request('OPTIONS', R);
    req.headers.append('Via', 'SIP/2.0/LOOP ps.test:5060;branch=z9hG4bKearlier');
    assert.equal((await alice.send(req, ps)).status, 482);
  });

  test('Require with an unknown option tag gets 420 listing it in Unsupported (§8.2.2.3)', async () => {
    const res = await alice.send(alice.request('OPTIONS', R, [['Require', 'foo, bar']]), ps);
    assert.equal(res.status, 420);
    assert.equal(res.headers.get('Unsupported'), 'foo, bar');
  });

  test('a body type the method does not accept gets 415 with Accept (§8.2.3)', async () => {
    const res = await alice.send(alice.request('MESSAGE', R, [['Content-Type', 'application/sdp']], 'v=0'), ps);
    assert.equal(res.status, 415);
    assert.equal(res.headers.get('Accept'), 'text/plain');
  });

  test('an unknown Content-Encoding gets 415 with Accept-Encoding', async () => {
    const res = await alice.send(
      alice.request('MESSAGE', R, [['Content-Type', 'text/plain'], ['Content-Encoding', 'gzip']], 'hi'),
      ps,
    );
    assert.equal(res.status, 415);
    assert.equal(res.headers.get('Accept-Encoding'), 'identity');
  });

  test('a body without Content-Type gets 400 naming it', async () => {
    const res = await alice.send(alice.request('MESSAGE', R, [], 'hi'), ps);
    assert.equal(res.status, 400);
    assert.match(res.reason, /Content-Type/);
  });

  test('a handler result, a SipError and a bug each become one response', async () => {
    const ok = await alice.send(alice.request('MESSAGE', R, [['Content-Type', 'text/plain']], 'hello'), ps);
    assert.equal(ok.status, 200);
    const later = await alice.send(alice.request('MESSAGE', R, [['Content-Type', 'text/plain']], 'async'), ps);
    assert.equal(later.status, 202);
    const rejected = await alice.send(alice.request('MESSAGE', R, [['Content-Type', 'text/plain']], 'reject'), ps);
    assert.equal(rejected.status, 488);
    assert.equal(rejected.reason, 'Not Acceptable Here: told to');
    assert.equal(rejected.headers.get('Warning'), '399 ps.test "test"');
    const before = server.core.stats.handlerErrors;
    const bug = await alice.send(alice.request('MESSAGE', R, [['Content-Type', 'text/plain']], 'bug'), ps);
    assert.equal(bug.status, 500);
    assert.equal(bug.reason, 'Server Internal Error');
    assert.equal(server.core.stats.handlerErrors, before + 1);
  });

  test('a malformed request gets a stateless 400 naming the defect', async () => {
    const req = alice.request('OPTIONS', R, [['Max-Forwards', 'many']]);
    const res = await alice.send(req, ps);
    assert.equal(res.status, 400);
    assert.match(res.reason, /Max-Forwards/);
  });

  test('a malformed response is dropped and counted, never answered', async () => {
    const before = server.core.stats.malformedResponses;
    const res = createResponse(alice.request('OPTIONS', R), 200);
    res.headers.set('CSeq', 'not a cseq');
    await alice.transport.send(ps, serialize(res));
    for (let i = 0; i < 50 && server.core.stats.malformedResponses === before; i++) await new Promise((r) => setImmediate(r));
    assert.equal(server.core.stats.malformedResponses, before + 1);
  });
});
