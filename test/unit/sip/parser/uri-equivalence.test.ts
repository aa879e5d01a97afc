import { test } from 'node:test';
import assert from 'node:assert/strict';
import { equivalentUris } from '../../../../src/sip/parser/uri-equivalence.js';
import { parseUri } from '../../../../src/sip/parser/uri.js';
import type { Uri } from '../../../../src/sip/message/types.js';

function uri(text: string): Uri {
  const r = parseUri(text);
  assert.ok(r.ok, text);
  return r.value;
}

// Contact URIs as registrars compare them (RFC 3261 §10.3 step 7 "using the URI comparison rules").
test('registered Contact URIs compare by RFC 3261 §19.1.4', () => {
  const same: Array<[string, string]> = [
    ['sip:bob@127.0.0.1:25120;transport=udp', 'sip:bob@127.0.0.1:25120;transport=UDP'],
    ['sip:bob@Host.Example.com;transport=tcp;ob', 'sip:bob@host.example.com;ob;transport=tcp'],
    ['sip:%62ob@192.0.2.4', 'sip:bob@192.0.2.4'],
    ['sip:bob@[2001:db8::1]:5060', 'sip:bob@[2001:DB8::1]:5060'],
  ];
  for (const [a, b] of same) assert.equal(equivalentUris(uri(a), uri(b)), true, `${a} = ${b}`);
  const different: Array<[string, string]> = [
    ['sip:bob@127.0.0.1:25120', 'sip:bob@127.0.0.1:25121'],
    ['sip:bob@127.0.0.1', 'sip:bob@127.0.0.1:5060'],
    ['sip:bob@127.0.0.1;transport=tcp', 'sip:bob@127.0.0.1'],
    ['sip:Bob@127.0.0.1', 'sip:bob@127.0.0.1'],
    ['sip:bob@127.0.0.1', 'sips:bob@127.0.0.1'],
    ['pres:bob@example.com', 'pres:bob@example.com'],
  ];
  for (const [a, b] of different) assert.equal(equivalentUris(uri(a), uri(b)), false, `${a} != ${b}`);
});
