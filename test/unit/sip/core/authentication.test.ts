import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../../../src/config/load.js';
import { SubscriberRegistry } from '../../../../src/hss/subscriber-registry.js';
import { build } from '../../../../src/server.js';
import type { PresencedServer } from '../../../../src/server.js';
import { DigestClient } from '../../../../src/sip/auth/digest-client.js';
import { canonicalAorOfText } from '../../../../src/sip/core/aor-text.js';
import type { SipRequest, SipResponse } from '../../../../src/sip/message/message.js';
import { AuthorizationHeader, digestCredentials } from '../../../../src/sip/parser/headers/authorization.js';
import { WWWAuthenticateHeader, digestChallenge } from '../../../../src/sip/parser/headers/authenticate.js';
import { LoopNetwork } from '../../../../src/sip/transport/loop.js';
import type { SendTarget } from '../../../../src/sip/transport/types.js';
import { MemoryStores } from '../../../../src/store/memory/memory-stores.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { ha1 } from '../../../../src/util/digest/digest.js';
import { newCallId, newTag } from '../../../../src/util/ids.js';
import { SipPeer } from '../../../support/sip-peer.js';

// Issue 4 items 1 and 5 over LOOP with a real server: digest authentication of REGISTER, PUBLISH and
// SUBSCRIBE (RFC 3261 §22, RFC 7616), §10.3 step 4, and who the watcher / publisher is (RFC 3325, 3323).

const PS: SendTarget = { transport: 'LOOP', address: 'ps.test', port: 5060 };
const PIDF = 'application/pidf+xml';
const ALICE = 'sip:alice@ps.test';
const BOB = 'sip:bob@ps.test';
const ANONYMOUS = 'sip:anonymous@anonymous.invalid';

const pidf = (entity: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">` +
  '<tuple id="t1"><status><basic>open</basic></status></tuple></presence>';

/** What a test request is: method, Request-URI, From and To name-addrs (To default the Request-URI), more headers. */
interface Spec {
  method: 'REGISTER' | 'PUBLISH' | 'SUBSCRIBE' | 'OPTIONS';
  uri: string;
  from: string;
  to?: string;
  headers?: Array<[string, string]>;
  body?: string;
}

function contactOf(peer: SipPeer): string {
  return `<sip:${peer.name}@${peer.host}:${peer.port};transport=loop>`;
}

const register = (peer: SipPeer, aor: string): Spec => ({
  method: 'REGISTER',
  uri: 'sip:ps.test',
  from: `<${aor}>`,
  to: `<${aor}>`,
  headers: [['Contact', contactOf(peer)], ['Expires', '600']],
});
const publish = (from: string, resource = ALICE): Spec => ({
  method: 'PUBLISH',
  uri: resource,
  from,
  headers: [['Event', 'presence'], ['Expires', '600'], ['Content-Type', PIDF]],
  body: pidf(resource),
});
const subscribe = (peer: SipPeer, from: string, headers: Array<[string, string]> = []): Spec => ({
  method: 'SUBSCRIBE',
  uri: BOB,
  from,
  headers: [['Contact', contactOf(peer)], ['Event', 'presence'], ['Accept', PIDF], ['Expires', '600'], ...headers],
});

/** One dialog-less exchange: its Call-ID and every final response, in order. */
interface Exchange {
  callId: string;
  responses: SipResponse[];
  /** The requests sent, in order. */
  sent: SipRequest[];
}

function make(peer: SipPeer, spec: Spec, cseq: number, callId: string, tag: string): SipRequest {
  return peer.request(
    spec.method,
    spec.uri,
    [
      ['From', `${spec.from};tag=${tag}`],
      ['To', spec.to ?? `<${spec.uri}>`],
      ['Call-ID', callId],
      ['CSeq', `${cseq} ${spec.method}`],
      ...(spec.headers ?? []),
    ],
    spec.body,
  );
}

/**
 * Sends `spec`; while the answer is a 401 and `client` can answer it, sends it again as a new transaction
 * (CSeq + 1, RFC 3261 §22.2) with the credentials (at most `rounds` requests).
 */
async function exchange(peer: SipPeer, spec: Spec, client?: DigestClient, rounds = 3): Promise<Exchange> {
  const callId = newCallId(peer.host);
  const tag = newTag();
  const ex: Exchange = { callId, responses: [], sent: [] };
  let req = make(peer, spec, 1, callId, tag);
  for (let round = 1; round <= rounds; round++) {
    ex.sent.push(req);
    const res = await peer.send(req, PS);
    ex.responses.push(res);
    if (res.status !== 401 || !client) break;
    const next = make(peer, spec, round + 1, callId, tag);
    // Carry the credentials just sent, so the client can tell a rejection from a first challenge (§22.1).
    for (const line of req.headers.getAll('Authorization')) next.headers.append('Authorization', line);
    if (!client.authorize(next, res)) break;
    req = next;
  }
  return ex;
}

const statuses = (ex: Exchange): number[] => ex.responses.map((r) => r.status);

/** The algorithm of each challenge of a 401, in order. */
function challenges(res: SipResponse): Array<{ algorithm: string; realm: string; qop?: readonly string[]; stale: boolean }> {
  const values = res.header(WWWAuthenticateHeader) ?? [];
  return values.map((v) => {
    const c = digestChallenge(v);
    assert.ok(c.ok);
    return { algorithm: c.value.algorithm, realm: c.value.realm, ...(c.value.qop ? { qop: c.value.qop } : {}), stale: c.value.stale };
  });
}

describe('digest authentication and request identity in the server', () => {
  const net = new LoopNetwork();
  const clock = new FakeClock();
  const stores = new MemoryStores();
  let server: PresencedServer;
  let alice: SipPeer;
  let trusted: SipPeer;
  let untrusted: SipPeer;
  const aliceClient = (): DigestClient => new DigestClient({ username: 'alice', password: 'alice-pw' });

  before(async () => {
    const config = validateConfig({
      domain: 'ps.test',
      sip: { host: 'ps.test', port: 5060, trustedPeers: ['127.0.0.2/32'] },
      store: { kind: 'memory' },
    });
    server = build(config, { loopNetwork: net, clock, stores });
    const registry = new SubscriberRegistry({ store: stores.subscribers, realm: 'ps.test', canonicalIdentity: (t) => canonicalAorOfText(t), clock });
    await registry.add(ALICE, 'alice-pw', { aliases: ['tel:+15550001', 'sip:al@ps.test'] });
    await registry.add(BOB, 'bob-pw');
    await server.listen();
    alice = await SipPeer.start(net, 'alice');
    trusted = await SipPeer.start(net, 'scscf', '127.0.0.2');
    untrusted = await SipPeer.start(net, 'mallory', '127.0.0.3');
  });
  after(async () => {
    for (const p of [alice, trusted, untrusted]) await p.close();
    await server.close();
    await stores.close();
  });

  async function watcherOf(ex: Exchange): Promise<string | undefined> {
    const subs = await stores.subscriptions.listByResource(BOB, 'presence');
    return subs.find((s) => s.callId === ex.callId)?.watcher;
  }

  test('REGISTER without credentials gets 401 with a SHA-256 and an MD5 challenge (RFC 7616 §3.7), qop=auth', async () => {
    const ex = await exchange(alice, register(alice, ALICE));
    assert.deepEqual(statuses(ex), [401]);
    assert.deepEqual(challenges(ex.responses[0]!), [
      { algorithm: 'SHA-256', realm: 'ps.test', qop: ['auth'], stale: false },
      { algorithm: 'MD5', realm: 'ps.test', qop: ['auth'], stale: false },
    ]);
  });

  test('REGISTER answered with SHA-256 credentials is accepted; so is one answered with MD5', async () => {
    const sha = await exchange(alice, register(alice, ALICE), aliceClient());
    assert.deepEqual(statuses(sha), [401, 200]);
    const used = (req: SipRequest): string => {
      const c = digestCredentials(req.header(AuthorizationHeader)![0]!);
      assert.ok(c.ok);
      return c.value.algorithm;
    };
    assert.equal(used(sha.sent[1]!), 'SHA-256');
    const md5Only = new DigestClient({ username: 'alice', realm: 'ps.test', ha1: { MD5: ha1('alice', 'ps.test', 'alice-pw', 'MD5') } });
    const md5 = await exchange(alice, register(alice, ALICE), md5Only);
    assert.deepEqual(statuses(md5), [401, 200]);
    assert.equal(used(md5.sent[1]!), 'MD5');
    assert.equal((await stores.bindings.listByAor(ALICE)).length, 1);
  });

  test('a wrong password is challenged again, not stale (RFC 7616 §3.3), and nothing is registered', async () => {
    const ex = await exchange(alice, register(alice, BOB), new DigestClient({ username: 'bob', password: 'wrong' }), 2);
    assert.deepEqual(statuses(ex), [401, 401]);
    assert.ok(challenges(ex.responses[1]!).every((c) => !c.stale));
    assert.deepEqual(await stores.bindings.listByAor(BOB), []);
  });

  test('an expired nonce with a right digest gets a stale challenge; the client retries without asking and succeeds', async () => {
    const client = aliceClient();
    const spec = register(alice, ALICE);
    const callId = newCallId(alice.host);
    const tag = newTag();
    const first = await alice.send(make(alice, spec, 1, callId, tag), PS);
    assert.equal(first.status, 401);
    clock.advance(301_000);
    const late = make(alice, spec, 2, callId, tag);
    assert.ok(client.authorize(late, first));
    const stale = await alice.send(late, PS);
    assert.equal(stale.status, 401);
    assert.ok(challenges(stale).every((c) => c.stale));
    const again = make(alice, spec, 3, callId, tag);
    for (const line of late.headers.getAll('Authorization')) again.headers.append('Authorization', line);
    assert.ok(client.authorize(again, stale), 'a stale challenge is answered again (RFC 3261 §22.1)');
    assert.equal((await alice.send(again, PS)).status, 200);
  });

  test('REGISTER of another subscriber\'s AOR by an authenticated user gets 403 (RFC 3261 §10.3 step 4)', async () => {
    const ex = await exchange(alice, { ...register(alice, BOB), from: `<${ALICE}>` }, aliceClient());
    assert.deepEqual(statuses(ex), [401, 403]);
    assert.deepEqual(await stores.bindings.listByAor(BOB), []);
    const alias = await exchange(alice, register(alice, 'sip:al@ps.test'), aliceClient());
    assert.deepEqual(statuses(alias), [401, 200], 'an alias of the user may be registered');
  });

  test('PUBLISH is challenged; with credentials it is accepted and the publisher is the authenticated user', async () => {
    const ex = await exchange(alice, publish(`<${ALICE}>`), aliceClient());
    assert.deepEqual(statuses(ex), [401, 200]);
    const pubs = await stores.publications.listByResource(ALICE, 'presence');
    assert.deepEqual(pubs.map((p) => p.publisher), [ALICE]);
  });

  test('PUBLISH of alice\'s presence by bob, authenticated, is refused: the publisher is bob (403)', async () => {
    const ex = await exchange(alice, publish(`<${BOB}>`), new DigestClient({ username: 'bob', password: 'bob-pw' }));
    assert.deepEqual(statuses(ex), [401, 403]);
  });

  test('SUBSCRIBE is challenged; the watcher is the authenticated identity: the From if it is the user\'s, else the user\'s AOR', async () => {
    const own = await exchange(alice, subscribe(alice, `<${ALICE}>`), aliceClient());
    assert.deepEqual(statuses(own), [401, 200]);
    assert.equal(await watcherOf(own), ALICE);
    const alias = await exchange(alice, subscribe(alice, '<tel:+1-555-0001>'), aliceClient());
    assert.deepEqual(statuses(alias), [401, 200]);
    assert.equal(await watcherOf(alias), 'tel:+15550001');
    const claimed = await exchange(alice, subscribe(alice, `"Bob" <${BOB}>`), aliceClient());
    assert.deepEqual(statuses(claimed), [401, 200]);
    assert.equal(await watcherOf(claimed), ALICE, 'alice cannot watch as bob');
  });

  test('OPTIONS is never challenged', async () => {
    const ex = await exchange(alice, { method: 'OPTIONS', uri: BOB, from: `<${ALICE}>` });
    assert.deepEqual(statuses(ex), [200]);
  });

  test('a SUBSCRIBE from another domain\'s user is not challenged and is identified by its From', async () => {
    const ex = await exchange(alice, subscribe(alice, '<sip:carol@elsewhere.test>'));
    assert.deepEqual(statuses(ex), [200]);
    assert.equal(await watcherOf(ex), 'sip:carol@elsewhere.test');
  });

  test('P-Asserted-Identity from a trusted peer is believed, without a challenge (RFC 3325 §6)', async () => {
    const ex = await exchange(trusted, subscribe(trusted, `<${ALICE}>`, [['P-Asserted-Identity', '"Bob" <sip:bob@PS.test>, <tel:+15550002>']]));
    assert.deepEqual(statuses(ex), [200]);
    assert.equal(await watcherOf(ex), BOB);
    const none = await exchange(trusted, subscribe(trusted, '<sip:dave@elsewhere.test>'));
    assert.equal(await watcherOf(none), 'sip:dave@elsewhere.test', 'without the header the From names the sender');
  });

  test('P-Asserted-Identity from an untrusted peer is ignored: our user is challenged, another domain\'s keeps its From', async () => {
    const pai: Array<[string, string]> = [['P-Asserted-Identity', `<${BOB}>`]];
    const ours = await exchange(untrusted, subscribe(untrusted, `<${ALICE}>`, pai));
    assert.deepEqual(statuses(ours), [401]);
    const foreign = await exchange(untrusted, subscribe(untrusted, '<sip:mallory@elsewhere.test>', pai));
    assert.deepEqual(statuses(foreign), [200]);
    assert.equal(await watcherOf(foreign), 'sip:mallory@elsewhere.test');
  });

  test('Privacy: id makes an authenticated watcher anonymous (RFC 3325 §9.3)', async () => {
    const ex = await exchange(alice, subscribe(alice, `<${ALICE}>`, [['Privacy', 'id']]), aliceClient());
    assert.deepEqual(statuses(ex), [401, 200]);
    assert.equal(await watcherOf(ex), ANONYMOUS);
    const trustedAnon = await exchange(trusted, subscribe(trusted, `<${ALICE}>`, [['P-Asserted-Identity', `<${BOB}>`], ['Privacy', 'id;user']]));
    assert.equal(await watcherOf(trustedAnon), ANONYMOUS);
  });

  test('an anonymous From (RFC 3323 §4.1.1) is anonymous, by URI or by display name', async () => {
    const uri = await exchange(alice, subscribe(alice, '"Anonymous" <sip:anonymous@anonymous.invalid>'));
    assert.deepEqual(statuses(uri), [200]);
    assert.equal(await watcherOf(uri), ANONYMOUS);
    const name = await exchange(alice, subscribe(alice, '"anonymous" <sip:x9f@elsewhere.test>'));
    assert.equal(await watcherOf(name), ANONYMOUS);
  });
});

describe('auth none', () => {
  test('nothing is challenged; the From is believed', async () => {
    const net = new LoopNetwork();
    const stores = new MemoryStores();
    const config = validateConfig({ domain: 'ps.test', sip: { host: 'ps.test', port: 5060 }, store: { kind: 'memory' }, auth: { mode: 'none' } });
    const server = build(config, { loopNetwork: net, stores });
    await server.listen();
    const peer = await SipPeer.start(net, 'alice');
    try {
      assert.deepEqual(statuses(await exchange(peer, register(peer, ALICE))), [200]);
      assert.deepEqual(statuses(await exchange(peer, publish(`<${ALICE}>`))), [200]);
      const sub = await exchange(peer, subscribe(peer, `<${ALICE}>`));
      assert.deepEqual(statuses(sub), [200]);
      assert.equal((await stores.subscriptions.listByResource(BOB, 'presence'))[0]?.watcher, ALICE);
    } finally {
      await peer.close();
      await server.close();
      await stores.close();
    }
  });
});
