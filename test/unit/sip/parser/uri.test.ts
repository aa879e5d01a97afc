import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUri } from '../../../../src/sip/parser/uri.js';
import { scanNameAddr } from '../../../../src/sip/parser/name-addr.js';
import { runGrammar } from '../../../../src/sip/parser/scanner.js';
import type { SipUri } from '../../../../src/sip/message/types.js';

function sipOk(text: string): SipUri {
  const r = parseUri(text);
  assert.ok(r.ok, r.ok ? '' : `${text}: ${r.defect}`);
  assert.ok(r.value.scheme === 'sip' || r.value.scheme === 'sips');
  return r.value as SipUri;
}

function defect(text: string): string {
  const r = parseUri(text);
  assert.equal(r.ok, false, text);
  return r.ok ? '' : r.defect;
}

test('SIP URI parts: userinfo, IPv6 host and port, parameters, headers', () => {
  const u = sipOk('SIP:Alice:pw@[2001:DB8::1]:5061;Transport=TCP;lr;%6D%61ddr=192.0.2.1?Subject=hi&Priority=');
  assert.deepEqual(
    [u.scheme, u.user, u.password, u.host, u.port],
    ['sip', 'Alice', 'pw', '[2001:db8::1]', 5061],
  );
  // Parameter names are case-insensitive and compared unescaped (RFC 3261 §19.1.4); values stay as sent.
  assert.deepEqual([...u.params], [['transport', 'TCP'], ['lr', null], ['maddr', '192.0.2.1']]);
  assert.deepEqual(u.headers, [['Subject', 'hi'], ['Priority', '']]);
  assert.equal(sipOk('sip:Example.COM.').host, 'example.com.');
});

test('SIP URI defects are named', () => {
  assert.match(defect('sip:host:0'), /port out of range/);
  assert.match(defect('sip:host:65536'), /port out of range/);
  assert.match(defect('sip:host:'), /missing port/);
  assert.match(defect('sip:host;;x'), /invalid uri-parameter/);
  assert.match(defect('sip:host;x='), /invalid uri-parameter/);
  assert.match(defect('sip:host;lr;LR'), /duplicate uri-parameter 'lr'/);
  assert.match(defect('sip:a%2@host'), /invalid user part/);
  assert.match(defect('sip:a b@host'), /invalid host|unexpected/);
  assert.match(defect('sip:@host'), /invalid user part/);
  assert.match(defect('sip:-host.com'), /invalid host name/);
  assert.match(defect('sip:host.1com'), /invalid host name/);
  assert.match(defect('sip:1.2.3.256'), /invalid IPv4 address/);
  assert.match(defect('sip:[1::2::3]'), /invalid IPv6 reference/);
  assert.match(defect('sip:[::1'), /unterminated IPv6 reference/);
  assert.match(defect('sip:fe80::1'), /IPv6 address without \[\]/);
  assert.match(defect('sip:host?x'), /invalid URI header/);
  assert.match(defect('sip:host?a=b&'), /invalid URI header/);
  assert.match(defect('sip:host>'), /unexpected '>'/);
  assert.match(defect('1sip:host'), /invalid URI scheme/);
  assert.match(defect(':host'), /missing URI scheme/);
});

test('other schemes are kept as RFC 3986 text', () => {
  assert.deepEqual(parseUri('urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6'), {
    ok: true,
    value: { scheme: 'urn', text: 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6' },
  });
  assert.deepEqual(parseUri('tel:+1-201-555-0123;ext=1'), {
    ok: true,
    value: { scheme: 'tel', number: '+1-201-555-0123', params: new Map([['ext', '1']]) },
  });
  assert.match(defect('mailto:a"b@example.com'), /invalid character in mailto URI/);
  assert.match(defect('im:%zz'), /invalid character in im URI/);
  assert.match(defect('pres:'), /empty pres URI/);
});

function nameAddr(text: string) {
  return runGrammar(text, (s) => {
    const v = scanNameAddr(s, 'To');
    s.end('To');
    return v;
  });
}

test('name-addr: quoted display names may hold < > and escapes; unquoted ones are tokens', () => {
  const q = nameAddr('"<sip:evil@example.com> \\"x\\"" <sip:real@example.com>;tag=1');
  assert.ok(q.ok);
  assert.equal(q.value.displayName, '<sip:evil@example.com> "x"');
  assert.equal((q.value.uri as SipUri).user, 'real');
  const t = nameAddr('Mr.  Watson\t<sip:w@example.com>');
  assert.ok(t.ok);
  assert.equal(t.value.displayName, 'Mr.  Watson');
  const bare = nameAddr('sip:w@example.com;tag=x;lr');
  assert.ok(bare.ok);
  assert.deepEqual([...bare.value.params], [['tag', 'x'], ['lr', null]]);
  assert.equal((bare.value.uri as SipUri).params.size, 0);
});

test('name-addr defects: unterminated quote, raw control character, spaces in <>, bad parameter values', () => {
  const cases: Array<[string, RegExp]> = [
    ['"Mr. J. User <sip:j.user@example.com>', /unterminated quoted display name/],
    ['"a\x01b" <sip:a@b>', /control character in quoted display name/],
    ['< sip:a@b>', /white space after '<'/],
    ['<sip:a@b >', /white space before '>'/],
    ['<sip:a@b', /expected '>'/],
    ['Bell, Alexander <sip:a@b>', /invalid display name/],
    ['"A" sip:a@b', /expected '<' after display name/],
    ['<sip:a@b>;tag="x', /unterminated quoted/],
    ['<sip:a@b>;tag=a<b', /unexpected '<b'/],
  ];
  for (const [text, re] of cases) {
    const r = nameAddr(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.match(r.defect, re, text);
  }
});
