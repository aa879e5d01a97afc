import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { validateConfig } from '../../src/config/load.js';
import { build } from '../../src/server.js';
import type { PresencedServer } from '../../src/server.js';
import { MemoryStores } from '../../src/store/memory/memory-stores.js';
import { ha1, requestDigest } from '../../src/util/digest/digest.js';
import type { DigestAlgorithm } from '../../src/util/digest/digest.js';

/**
 * Issue 4 item 2 (access control) end to end on the HTTP port of `presenced serve` with `auth: digest`:
 * XCAP requests are challenged with HTTP Digest (RFC 7616, SHA-256 and MD5) against the subscribers'
 * credentials; a user's tree is its owner's alone (403 for others), the global tree is read-only
 * (RFC 4825 §5.7). One request goes over a real socket on 127.0.0.1; the rest use inject().
 */

const DOMAIN = 'example.test';
const ALICE = `sip:alice@${DOMAIN}`;
const BOB = `sip:bob@${DOMAIN}`;
const PASSWORD = 'wonderland-7';
const RULES_TYPE = 'application/auth-policy+xml';
const ALICE_RULES = `/xcap/pres-rules/users/${encodeURIComponent(ALICE)}/index`;
const BOB_RULES = `/xcap/pres-rules/users/${encodeURIComponent(BOB)}/index`;
const CAPS = '/xcap/xcap-caps/global/index';
const RULES = `<?xml version="1.0" encoding="UTF-8"?>
<cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy" xmlns:pr="urn:ietf:params:xml:ns:pres-rules">
  <cr:rule id="bob">
    <cr:conditions><cr:identity><cr:one id="${BOB}"/></cr:identity></cr:conditions>
    <cr:actions><pr:sub-handling>allow</pr:sub-handling></cr:actions>
  </cr:rule>
</cr:ruleset>
`;

interface Challenge {
  readonly algorithm: DigestAlgorithm;
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
}

/** The Digest challenges of a 401, by algorithm (RFC 7616 §3.3: one WWW-Authenticate per algorithm). */
function challengesOf(header: string | string[] | undefined): Map<string, Challenge> {
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const out = new Map<string, Challenge>();
  for (const line of lines) {
    assert.match(line, /^Digest /);
    const params = new Map<string, string>();
    for (const m of line.slice(7).matchAll(/([A-Za-z-]+)=(?:"([^"]*)"|([^\s,]+))/g)) params.set(m[1]!.toLowerCase(), m[2] ?? m[3]!);
    assert.match(params.get('qop') ?? '', /\bauth\b/);
    const algorithm = (params.get('algorithm') ?? 'MD5') as DigestAlgorithm;
    out.set(algorithm, { algorithm, realm: params.get('realm')!, nonce: params.get('nonce')!, opaque: params.get('opaque') });
  }
  return out;
}

/** Credentials answering `c` for `method` and the request-target `uri` (RFC 7616 §3.4). */
function authorization(c: Challenge, user: string, password: string, method: string, uri: string): string {
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const response = requestDigest({ algorithm: c.algorithm, ha1: ha1(user, c.realm, password, c.algorithm), method, uri, nonce: c.nonce, qop: 'auth', nc, cnonce });
  const opaque = c.opaque === undefined ? '' : `, opaque="${c.opaque}"`;
  return `Digest username="${user}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", algorithm=${c.algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"${opaque}`;
}

let server: PresencedServer;
let stores: MemoryStores;
let httpPort: number;

before(async () => {
  stores = new MemoryStores();
  server = build(validateConfig({
    domain: DOMAIN,
    nodeId: 'ps1',
    sip: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    store: { kind: 'memory' },
    auth: { mode: 'digest' },
  }), { stores });
  const bound = await server.listen();
  httpPort = bound.find((b) => b.transport === 'HTTP')!.port;
  await server.subscribers.add(ALICE, PASSWORD);
  await server.subscribers.add(BOB, 'looking-glass-9');
});

after(async () => {
  await server.close();
  await stores.close();
});

/** A request as `user` (or none): first without credentials, then answering the challenge with `algorithm`. */
async function request(method: string, url: string, opts: { user?: string; password?: string; algorithm?: DigestAlgorithm; body?: string } = {}) {
  const headers: Record<string, string> = opts.body === undefined ? {} : { 'content-type': RULES_TYPE };
  const challenge = await server.http!.inject({ method: method as 'GET', url, headers, ...(opts.body === undefined ? {} : { payload: opts.body }) });
  if (opts.user === undefined) return challenge;
  assert.equal(challenge.statusCode, 401);
  const c = challengesOf(challenge.headers['www-authenticate']).get(opts.algorithm ?? 'SHA-256')!;
  headers.authorization = authorization(c, opts.user, opts.password ?? PASSWORD, method, url);
  return server.http!.inject({ method: method as 'GET', url, headers, ...(opts.body === undefined ? {} : { payload: opts.body }) });
}

test('over a real socket: no credentials → 401 with Digest challenges for SHA-256 and MD5; with them → 404 for a missing document', async () => {
  const base = `http://127.0.0.1:${httpPort}`;
  const first = await fetch(base + ALICE_RULES);
  assert.equal(first.status, 401);
  await first.arrayBuffer();
  // fetch joins repeated WWW-Authenticate lines with ", "; split them again at each "Digest ".
  const challenges = challengesOf((first.headers.get('www-authenticate') ?? '').split(/,\s*(?=Digest )/));
  assert.deepEqual([...challenges.keys()].sort(), ['MD5', 'SHA-256']);
  assert.equal(challenges.get('SHA-256')!.realm, DOMAIN);
  const second = await fetch(base + ALICE_RULES, { headers: { authorization: authorization(challenges.get('SHA-256')!, 'alice', PASSWORD, 'GET', ALICE_RULES) } });
  assert.equal(second.status, 404);
  await second.arrayBuffer();
});

test("Alice writes and reads her pres-rules (201 with a strong ETag, then 200 with the same), with SHA-256 and with MD5", async () => {
  const put = await request('PUT', ALICE_RULES, { user: 'alice', body: RULES });
  assert.equal(put.statusCode, 201, put.body);
  const etag = put.headers.etag;
  assert.match(String(etag), /^"[^"]+"$/);
  const get = await request('GET', ALICE_RULES, { user: 'alice', algorithm: 'MD5' });
  assert.equal(get.statusCode, 200);
  assert.equal(get.headers.etag, etag);
  assert.equal(get.headers['content-type'], RULES_TYPE);
  assert.equal(get.body, RULES);
});

test("another user's document is forbidden (403), reading and writing", async () => {
  assert.equal((await request('GET', BOB_RULES, { user: 'alice' })).statusCode, 403);
  assert.equal((await request('PUT', BOB_RULES, { user: 'alice', body: RULES })).statusCode, 403);
  assert.equal((await request('GET', ALICE_RULES, { user: 'bob', password: 'looking-glass-9' })).statusCode, 403);
});

test('a wrong password is challenged again (401)', async () => {
  const r = await request('GET', ALICE_RULES, { user: 'alice', password: 'not-the-password' });
  assert.equal(r.statusCode, 401);
  assert.ok(challengesOf(r.headers['www-authenticate']).has('SHA-256'));
});

test('the global tree: xcap-caps readable with credentials, not without; a PUT there is 403', async () => {
  assert.equal((await request('GET', CAPS)).statusCode, 401);
  const caps = await request('GET', CAPS, { user: 'alice' });
  assert.equal(caps.statusCode, 200);
  assert.equal(caps.headers['content-type'], 'application/xcap-caps+xml');
  assert.match(caps.body, /<auid>pres-rules<\/auid>/);
  assert.equal((await request('PUT', '/xcap/pres-rules/global/index', { user: 'alice', body: RULES })).statusCode, 403);
  assert.equal((await request('PUT', CAPS, { user: 'alice', body: RULES })).statusCode, 403);
});
