import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import {
  credentialsOf,
  openClientStack,
  parseAor,
  parseCount,
  parseExpires,
  parseServer,
  parseTransport,
  parseUriOption,
} from '../../../src/cli/client-stack.js';
import type { ClientStack, ClientTransport } from '../../../src/cli/client-stack.js';
import { HeaderList } from '../../../src/sip/message/headers.js';
import { SipRequest } from '../../../src/sip/message/message.js';
import type { SipResponse } from '../../../src/sip/message/message.js';
import { newBranch, newCallId, newTag } from '../../../src/util/ids.js';

/** Asserts that `fn` throws an InvalidArgumentError whose message matches `fix`. */
function rejects(fn: () => unknown, fix: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof InvalidArgumentError && fix.test(e.message));
}

describe('shared option parsing', () => {
  test('--server: host[:port], bracketed IPv6, default port 5060', () => {
    assert.deepEqual(parseServer('127.0.0.1'), { host: '127.0.0.1', port: 5060 });
    assert.deepEqual(parseServer('127.0.0.1:5070'), { host: '127.0.0.1', port: 5070 });
    assert.deepEqual(parseServer('sip.example.com:5080'), { host: 'sip.example.com', port: 5080 });
    assert.deepEqual(parseServer('[::1]:5070'), { host: '::1', port: 5070 });
    assert.deepEqual(parseServer('[::1]'), { host: '::1', port: 5060 });
    for (const bad of ['', ':5060', '127.0.0.1:0', '127.0.0.1:65536', 'host:port', '::1', '[nothost]:5060', 'a b', 'sip:host']) {
      rejects(() => parseServer(bad), /host\[:port\], e\.g\. 127\.0\.0\.1:5060/);
    }
  });

  test('--transport: udp or tcp in any case', () => {
    assert.equal(parseTransport('udp'), 'UDP');
    assert.equal(parseTransport('TCP'), 'TCP');
    rejects(() => parseTransport('tls'), /give udp or tcp/);
  });

  test('an AOR: sip/sips with a user part; a bare user@host gets sip:', () => {
    assert.equal(parseAor('sip:alice@example.com'), 'sip:alice@example.com');
    assert.equal(parseAor('sips:alice@example.com'), 'sips:alice@example.com');
    assert.equal(parseAor('alice@localhost'), 'sip:alice@localhost');
    for (const bad of ['alice', 'sip:example.com', 'tel:+15551234567', 'mailto:alice@example.com', 'sip:alice@', '']) {
      rejects(() => parseAor(bad), /e\.g\. sip:alice@example\.com/);
    }
  });

  test('--contact: any URI', () => {
    assert.equal(parseUriOption('sip:alice@192.0.2.10'), 'sip:alice@192.0.2.10');
    assert.equal(parseUriOption('tel:+15551234567'), 'tel:+15551234567');
    rejects(() => parseUriOption('not a uri'), /give a URI/);
  });

  test('--expires: whole seconds, 1 to 2^32-1; 0 points at --once/--fetch', () => {
    assert.equal(parseExpires('3600'), 3600);
    assert.equal(parseExpires('4294967295'), 4294967295);
    rejects(() => parseExpires('0'), /--once or --fetch/);
    for (const bad of ['-1', '1.5', 'soon', '4294967296', '']) rejects(() => parseExpires(bad), /whole number of seconds/);
  });

  test('--count: 1 to 1000000', () => {
    assert.equal(parseCount('3'), 3);
    for (const bad of ['0', '-2', 'x', '1000001']) rejects(() => parseCount(bad), /1 to 1000000/);
  });

  test('--user and --password go together', () => {
    assert.equal(credentialsOf({}), undefined);
    assert.deepEqual(credentialsOf({ user: 'alice', password: 'pw' }), { username: 'alice', password: 'pw' });
    rejects(() => credentialsOf({ user: 'alice' }), /give both, or neither/);
    rejects(() => credentialsOf({ password: 'pw' }), /give both, or neither/);
  });
});

/** Sends OPTIONS from `from` to the URI `uri` (its transaction layer targets `from.target`). */
function options(from: ClientStack, uri: string): Promise<SipResponse> {
  const h = new HeaderList();
  const { host, port } = from.sentBy;
  h.append('Via', `SIP/2.0/${from.target.transport} ${host}:${port};branch=${newBranch()}`);
  h.append('Max-Forwards', '70');
  h.append('From', `<sip:probe@${host}>;tag=${newTag()}`);
  h.append('To', `<${uri}>`);
  h.append('Call-ID', newCallId(host));
  h.append('CSeq', '1 OPTIONS');
  return new Promise((resolve, reject) => {
    from.transactions.sendRequest(new SipRequest('OPTIONS', uri, h), from.target, {
      onResponse: (res) => {
        if (res.status >= 200) resolve(res);
      },
      onTimeout: () => reject(new Error('OPTIONS timed out')),
      onTransportError: reject,
    });
  });
}

describe('openClientStack', () => {
  for (const transport of ['UDP', 'TCP'] as ClientTransport[]) {
    test(`${transport}: binds loopback on an ephemeral port; requests to its Contact reach its UAS core`, async () => {
      const a = await openClientStack({ server: { host: '127.0.0.1', port: 5060 }, transport });
      try {
        assert.equal(a.sentBy.host, '127.0.0.1');
        assert.ok(a.sentBy.port! > 0);
        assert.deepEqual(a.target, { transport, address: '127.0.0.1', port: 5060 });
        const contact = a.contact('alice');
        assert.equal(contact, `sip:alice@127.0.0.1:${a.sentBy.port};transport=${transport.toLowerCase()}`);
        // A second stack whose "server" is the first one: the first must take requests to its Contact as its own.
        const b = await openClientStack({ server: { host: '127.0.0.1', port: a.sentBy.port! }, transport });
        try {
          const res = await options(b, contact);
          assert.equal(res.status, 200);
          assert.match(res.headers.get('Allow') ?? '', /OPTIONS/);
        } finally {
          await b.close();
        }
      } finally {
        await a.close();
        await a.close();
      }
    });
  }

  test('a host name is resolved; a handler given is registered with the UAS core', async () => {
    const stack = await openClientStack({
      server: { host: 'localhost', port: 5060 },
      transport: 'UDP',
      handlers: [{ method: 'NOTIFY', handle: () => assert.fail('not called') }],
    });
    try {
      assert.ok(['127.0.0.1', '::1'].includes(stack.target.address), stack.target.address);
      assert.ok(stack.core.allow.includes('NOTIFY'));
    } finally {
      await stack.close();
    }
  });
});
