import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeNodeSelector, encodeSegment, parseXcapUri } from '../../../src/xcap/uri.js';
import type { XcapUri } from '../../../src/xcap/uri.js';

function ok(raw: string, root = '/xcap'): XcapUri {
  const r = parseXcapUri(raw, root);
  assert.ok(r.ok, `${raw}: ${JSON.stringify(r)}`);
  return r.uri;
}

test('document selectors: users and global trees; the XUI raw or percent-encoded decodes once to the same value', () => {
  const plainXui = ok('/xcap/resource-lists/users/sip:joe@example.com/index');
  assert.deepEqual(
    { auid: plainXui.auid, tree: plainXui.tree, xui: plainXui.xui, name: plainXui.name },
    { auid: 'resource-lists', tree: 'users', xui: 'sip:joe@example.com', name: 'index' },
  );
  assert.equal(plainXui.nodeSelector, undefined);
  assert.equal(plainXui.rawDirectoryPath, '/xcap/resource-lists/users/sip:joe@example.com');
  const encoded = ok('/xcap/resource-lists/users/sip%3Ajoe%40example.com/index');
  assert.equal(encoded.xui, 'sip:joe@example.com');
  assert.equal(encoded.rawDocumentPath, '/xcap/resource-lists/users/sip%3Ajoe%40example.com/index');
  // RFC 4825 §6.2: '/' and '?' of a SIP URI user part are percent-encoded in the XUI segment.
  assert.equal(ok('/xcap/pres-rules/users/sip:a%2Fb%3Fc@example.com/index').xui, 'sip:a/b?c@example.com');
  // Decoded exactly once: %2541 is "%41", not "A".
  assert.equal(ok('/xcap/pres-rules/users/sip:%2541@example.com/index').xui, 'sip:%41@example.com');
  const g = ok('/xcap/xcap-caps/global/index');
  assert.deepEqual({ tree: g.tree, xui: g.xui, name: g.name, dir: g.rawDirectoryPath }, { tree: 'global', xui: '', name: 'index', dir: '/xcap/xcap-caps/global' });
  assert.equal(ok('/xcap/test/users/sip:joe@example.com/dir/doc').name, 'dir/doc');
  assert.equal(ok('/other/root/a/global/doc', '/other/root').auid, 'a');
});

test('node selector after the first ~~ (also %7E%7E), decoded once as a whole; the query decoded once', () => {
  const u = ok('/xcap/resource-lists/users/sip:bill@example.com/index/~~/resource-lists/list%5b@name=%22friends%22%5d/entry');
  assert.equal(u.nodeSelector, 'resource-lists/list[@name="friends"]/entry');
  assert.equal(u.rawDocumentPath, '/xcap/resource-lists/users/sip:bill@example.com/index');
  assert.equal(ok('/xcap/a/global/index/%7E%7E/x').nodeSelector, 'x');
  assert.equal(ok('/xcap/a/global/index/%7e%7E/x/~~/y').nodeSelector, 'x/~~/y');
  // A '/' encoded inside a quoted value stays inside it; "%2522" decodes to "%22", not to a quote.
  assert.equal(ok('/xcap/a/global/index/~~/x%5b@u=%22a%2Fb%2522%22%5d').nodeSelector, 'x[@u="a/b%22"]');
  const q = ok('/xcap/test/users/sip:joe@example.com/index/~~/foo/a:bar/b:baz?xmlns(a=urn:test:namespace1-uri)xmlns(b=urn:test:namespace1-uri)');
  assert.equal(q.query, 'xmlns(a=urn:test:namespace1-uri)xmlns(b=urn:test:namespace1-uri)');
  assert.equal(ok('/xcap/t/global/i/~~/a:x?xmlns%28a%3Durn%3Ax%29').query, 'xmlns(a=urn:x)');
  assert.equal(ok('/xcap/t/global/i/~~/caf%C3%A9').nodeSelector, 'caf\u00e9');
});

test('targets that are not documents are 404; bad percent-encoding is 400', () => {
  const table: [string, 400 | 404][] = [
    ['/xcap', 404],
    ['/xcap/', 404],
    ['/xcapx/a/global/i', 404],
    ['/xcap/resource-lists', 404],
    ['/xcap/resource-lists/users', 404],
    ['/xcap/resource-lists/users/sip:joe@example.com', 404],
    ['/xcap/resource-lists/users/sip:joe@example.com/', 404],
    ['/xcap/resource-lists/users//index', 404],
    ['/xcap/resource-lists/global', 404],
    ['/xcap/resource-lists/other/x/index', 404],
    ['/xcap/resource-lists/users/sip:joe@example.com/~~/x', 404],
    ['/xcap//global/index', 404],
    ['/xcap/a/global/d%2Fe', 404],
    ['/xcap/a/global/index/~~/x%E0%A4', 400],
    ['/xcap/a/users/sip:%ZZ@x/index', 400],
    ['/xcap/a/global/index/~~/x?xmlns(a=%FF)', 400],
  ];
  for (const [raw, status] of table) {
    const r = parseXcapUri(raw, '/xcap');
    assert.ok(!r.ok, `${raw} should be refused`);
    assert.equal(r.status, status, raw);
  }
});

test('encoding for URIs in responses: non-pchar octets percent-encoded (RFC 4825 §6.3)', () => {
  assert.equal(encodeNodeSelector(['resource-lists', 'list[@name="l1"]']), 'resource-lists/list%5B@name=%22l1%22%5D');
  assert.equal(encodeSegment('\u00c0\u30a2 a/b'), '%C3%80%E3%82%A2%20a%2Fb');
  assert.equal(encodeSegment("sip:a@b;x=1&y='2'(*)!$+,~._-"), "sip:a@b;x=1&y='2'(*)!$+,~._-");
});
