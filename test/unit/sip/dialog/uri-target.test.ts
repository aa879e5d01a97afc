import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { uriTarget } from '../../../../src/sip/dialog/uri-target.js';
import type { HostResolver } from '../../../../src/sip/dialog/uri-target.js';
import type { Uri } from '../../../../src/sip/message/types.js';
import { parseUri } from '../../../../src/sip/parser/uri.js';
import { TransportError } from '../../../../src/sip/transport/types.js';

function uri(text: string): Uri {
  const r = parseUri(text);
  if (!r.ok) throw new Error(r.defect);
  return r.value;
}

/** A resolver that knows two names and records what it was asked. */
function resolver(asked: string[]): HostResolver {
  const table: Record<string, string> = { 'ua.test': '127.0.0.1', 'ua6.test': '::1' };
  return async (name) => {
    asked.push(name);
    const a = table[name];
    if (a === undefined) throw Object.assign(new Error(`${name} not found`), { code: 'ENOTFOUND' });
    return a;
  };
}

// RFC 3261 §8.1.2 / RFC 3263 §4 (without NAPTR and SRV): the transport, address and port of a URI.
describe('uriTarget', () => {
  test('an IPv4 URI: default transport, port 5060', async () => {
    assert.deepEqual(await uriTarget(uri('sip:alice@127.0.0.1'), 'UDP'), { transport: 'UDP', address: '127.0.0.1', port: 5060 });
    assert.deepEqual(await uriTarget(uri('sip:127.0.0.1:5070'), 'TCP'), { transport: 'TCP', address: '127.0.0.1', port: 5070 });
  });

  test('an IPv6 reference loses its brackets', async () => {
    assert.deepEqual(await uriTarget(uri('sip:alice@[::1]:5080'), 'UDP'), { transport: 'UDP', address: '::1', port: 5080 });
  });

  test('the transport parameter wins over the default; WS defaults to port 5060', async () => {
    assert.deepEqual(await uriTarget(uri('sip:a@127.0.0.1;transport=TCP'), 'UDP'), { transport: 'TCP', address: '127.0.0.1', port: 5060 });
    assert.deepEqual(await uriTarget(uri('sip:a@127.0.0.1;transport=ws'), 'UDP'), { transport: 'WS', address: '127.0.0.1', port: 5060 });
  });

  test('sips: TLS on 5061; sips with transport=tcp is TLS, with transport=ws is WSS', async () => {
    assert.deepEqual(await uriTarget(uri('sips:a@127.0.0.1'), 'UDP'), { transport: 'TLS', address: '127.0.0.1', port: 5061 });
    assert.deepEqual(await uriTarget(uri('sips:a@127.0.0.1;transport=tcp'), 'UDP'), { transport: 'TLS', address: '127.0.0.1', port: 5061 });
    assert.deepEqual(await uriTarget(uri('sips:a@127.0.0.1;transport=ws'), 'UDP'), { transport: 'WSS', address: '127.0.0.1', port: 5061 });
  });

  test('maddr overrides the host (§19.1.1)', async () => {
    const asked: string[] = [];
    const t = await uriTarget(uri('sip:a@ua.test:5090;maddr=::1'), 'UDP', resolver(asked));
    assert.deepEqual(t, { transport: 'UDP', address: '::1', port: 5090 });
    assert.deepEqual(asked, []);
  });

  test('a name is resolved (A/AAAA) and kept as the TLS server name', async () => {
    const asked: string[] = [];
    assert.deepEqual(await uriTarget(uri('sip:a@ua.test'), 'TCP', resolver(asked)), { transport: 'TCP', address: '127.0.0.1', port: 5060 });
    assert.deepEqual(await uriTarget(uri('sips:a@ua6.test'), 'TCP', resolver(asked)), {
      transport: 'TLS', address: '::1', port: 5061, serverName: 'ua6.test',
    });
    assert.deepEqual(asked, ['ua.test', 'ua6.test']);
  });

  test('the system resolver finds localhost on a loopback address', async () => {
    const t = await uriTarget(uri('sip:a@localhost:5099'), 'TCP');
    assert.ok(t.address === '127.0.0.1' || t.address === '::1', t.address);
    assert.equal(t.port, 5099);
  });

  test('LOOP keeps the name: it is the address on the in-memory network', async () => {
    const asked: string[] = [];
    const t = await uriTarget(uri('sip:alice@alice.test:49152;transport=loop'), 'TCP', resolver(asked));
    assert.deepEqual(t, { transport: 'LOOP', address: 'alice.test', port: 49152 });
    assert.deepEqual(asked, []);
  });

  test('an unresolvable name, a non-SIP URI and an unknown transport are TransportErrors', async () => {
    await assert.rejects(uriTarget(uri('sip:a@nowhere.test'), 'UDP', resolver([])), (e: unknown) => e instanceof TransportError && e.code === 'ENOTFOUND');
    await assert.rejects(uriTarget(uri('tel:+15551234'), 'UDP'), (e: unknown) => e instanceof TransportError && e.code === 'EBADURI');
    await assert.rejects(uriTarget(uri('sip:a@127.0.0.1;transport=sctp'), 'UDP'), (e: unknown) => e instanceof TransportError && e.code === 'EBADURI');
  });
});
