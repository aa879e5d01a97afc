import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { HssError } from '../../../src/hss/errors.js';
import type { HssErrorCode } from '../../../src/hss/errors.js';
import { SubscriberRegistry } from '../../../src/hss/subscriber-registry.js';
import { canonicalAorOfText } from '../../../src/sip/core/aor-text.js';
import { MemoryStores } from '../../../src/store/memory/memory-stores.js';
import { requestDigest } from '../../../src/util/digest/digest.js';
import { registryFixture } from './support.js';

const hex = (alg: string, s: string): string => createHash(alg).update(s).digest('hex');

function code(c: HssErrorCode): (err: unknown) => boolean {
  return (err) => err instanceof HssError && err.code === c;
}

test('add stores both HA1 values of RFC 7616 §3.4.2, H(username:realm:password), never the password', async () => {
  const { registry, stores } = registryFixture();
  const rec = await registry.add('sip:alice@example.com', 'pässword 1', { displayName: 'Alice' });
  assert.equal(rec.username, 'alice');
  assert.equal(rec.realm, 'example.com');
  assert.equal(rec.ha1Md5, hex('md5', 'alice:example.com:pässword 1'));
  assert.equal(rec.ha1Sha256, hex('sha256', 'alice:example.com:pässword 1'));
  assert.equal(rec.createdAt, 1_000_000);
  const stored = await stores.subscribers.get('sip:alice@example.com');
  assert.deepEqual(stored, rec);
  assert.ok(!JSON.stringify(stored).includes('pässword'));
  assert.equal(await registry.lookupHa1('alice', 'example.com', 'MD5'), rec.ha1Md5);
  assert.equal(await registry.lookupHa1('alice', 'example.com', 'SHA-256'), rec.ha1Sha256);
  assert.equal(await registry.lookupHa1('alice', 'example.org', 'MD5'), undefined);
  assert.equal(await registry.lookupHa1('bob', 'example.com', 'MD5'), undefined);
});

test('the stored HA1 answers the RFC 7616 §3.9.1 example responses (MD5 and SHA-256)', async () => {
  const registry = new SubscriberRegistry({
    store: new MemoryStores().subscribers,
    realm: 'http-auth@example.org',
    canonicalIdentity: (t) => canonicalAorOfText(t),
  });
  await registry.add('sip:Mufasa@example.org', 'Circle of Life');
  const request = {
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    qop: 'auth' as const,
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };
  const md5 = (await registry.lookupHa1('Mufasa', 'http-auth@example.org', 'MD5'))!;
  const sha = (await registry.lookupHa1('Mufasa', 'http-auth@example.org', 'SHA-256'))!;
  assert.equal(requestDigest({ ...request, algorithm: 'MD5', ha1: md5 }), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(
    requestDigest({ ...request, algorithm: 'SHA-256', ha1: sha }),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  );
});

test('add canonicalises the AOR and aliases; a username may be chosen; identities resolve to the subscriber', async () => {
  const { registry } = registryFixture();
  const rec = await registry.add(' sips:Bob@EXAMPLE.com:5061;transport=tls ', 'secret', {
    username: 'bob-private',
    aliases: ['tel:+1-555-0100', 'sip:+15550100@Example.com;user=phone'],
  });
  assert.equal(rec.aor, 'sip:Bob@example.com');
  assert.deepEqual(rec.aliases, ['tel:+15550100', 'sip:+15550100@example.com']);
  assert.equal(rec.ha1Md5, hex('md5', 'bob-private:example.com:secret'));
  for (const id of ['sip:Bob@example.com', 'tel:+15550100', 'sip:+15550100@example.com']) {
    assert.equal((await registry.resolveIdentity(id))?.aor, 'sip:Bob@example.com', id);
  }
  assert.equal(await registry.resolveIdentity('sip:bob@example.com'), undefined, 'the user part is case-sensitive');
  assert.deepEqual(await registry.identitiesOf('bob-private', 'example.com'), ['sip:Bob@example.com', 'tel:+15550100', 'sip:+15550100@example.com']);
  assert.equal(await registry.identitiesOf('Bob', 'example.com'), undefined);
  const tel = await registry.add('tel:+1-555-0199', 'pw');
  assert.equal(tel.aor, 'tel:+15550199');
  assert.equal(tel.username, '+15550199');
});

test('add refuses bad identities, passwords, usernames, an existing identity and a taken username or alias', async () => {
  const { registry } = registryFixture();
  await registry.add('sip:alice@example.com', 'pw', { aliases: ['tel:+15550001'] });
  await assert.rejects(registry.add('sip:example.com', 'pw'), code('ERR_HSS_BAD_IDENTITY'));
  await assert.rejects(registry.add('mailto:carol@example.com', 'pw'), code('ERR_HSS_BAD_IDENTITY'));
  await assert.rejects(registry.add('sip:carol@example.com', 'pw', { aliases: ['not a uri'] }), code('ERR_HSS_BAD_IDENTITY'));
  await assert.rejects(registry.add('sip:carol@example.com', 'pw', { aliases: ['sip:carol@EXAMPLE.com'] }), code('ERR_HSS_BAD_IDENTITY'));
  await assert.rejects(registry.add('sip:carol@example.com', ''), code('ERR_HSS_BAD_PASSWORD'));
  await assert.rejects(registry.add('sip:carol@example.com', 'x'.repeat(129)), code('ERR_HSS_BAD_PASSWORD'));
  await assert.rejects(registry.add('sip:carol@example.com', 'a\nb'), code('ERR_HSS_BAD_PASSWORD'));
  await assert.rejects(registry.add('sip:carol@example.com', 'pw', { username: '' }), code('ERR_HSS_BAD_USERNAME'));
  await assert.rejects(registry.add('sip:carol@example.com', 'pw', { displayName: 'x'.repeat(129) }), code('ERR_HSS_BAD_USERNAME'));
  await assert.rejects(registry.add('sip:alice@example.com', 'pw2'), code('ERR_HSS_EXISTS'));
  await assert.rejects(registry.add('tel:+15550001', 'pw2'), code('ERR_HSS_EXISTS'));
  await assert.rejects(registry.add('sip:carol@example.com', 'pw', { username: 'alice' }), code('ERR_HSS_CONFLICT'));
  await assert.rejects(registry.add('sip:carol@example.com', 'pw', { aliases: ['tel:+1555-0001'] }), code('ERR_HSS_CONFLICT'));
  assert.equal(await registry.count(), 1);
  const ok = await registry.add('sip:carol@example.com', 'x'.repeat(128));
  assert.equal(ok.ha1Md5, hex('md5', `carol:example.com:${'x'.repeat(128)}`));
});

test('passwd recomputes both HA1 values and keeps everything else; unknown AORs are refused', async () => {
  const { registry, clock } = registryFixture();
  const before = await registry.add('sip:alice@example.com', 'old', { aliases: ['tel:+1'], displayName: 'A' });
  clock.advance(5000);
  await registry.passwd('sip:alice@EXAMPLE.COM', 'new');
  const after = (await registry.get('sip:alice@example.com'))!;
  assert.deepEqual(after, {
    ...before,
    ha1Md5: hex('md5', 'alice:example.com:new'),
    ha1Sha256: hex('sha256', 'alice:example.com:new'),
    updatedAt: 1_005_000,
  });
  await assert.rejects(registry.passwd('sip:bob@example.com', 'x'), code('ERR_HSS_UNKNOWN'));
  await assert.rejects(registry.passwd('sip:alice@example.com', ''), code('ERR_HSS_BAD_PASSWORD'));
  assert.deepEqual(await registry.get('sip:alice@example.com'), after);
});

test('remove deletes a subscriber by its AOR (as typed); list and all page in AOR order', async () => {
  const { registry } = registryFixture();
  for (const u of ['dave', 'alice', 'carol', 'bob', 'eve']) await registry.add(`sip:${u}@example.com`, 'pw');
  assert.equal(await registry.remove('sip:carol@Example.COM:5060'), true);
  assert.equal(await registry.remove('sip:carol@example.com'), false);
  assert.deepEqual((await registry.list({ limit: 2 })).map((r) => r.username), ['alice', 'bob']);
  const all: string[] = [];
  for await (const r of registry.all(2)) all.push(r.username);
  assert.deepEqual(all, ['alice', 'bob', 'dave', 'eve']);
  assert.equal(await registry.count(), 4);
  await assert.rejects(registry.remove('nonsense'), code('ERR_HSS_BAD_IDENTITY'));
});
