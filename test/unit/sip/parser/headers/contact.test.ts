import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContactHeader } from '../../../../../src/sip/parser/headers/contact.js';
import type { ContactEntry, ContactList, SipUri } from '../../../../../src/sip/message/types.js';
import { defect, ok, parseLines } from './grammar-helpers.js';

function contacts(list: ContactList): ContactEntry[] {
  assert.equal(list.star, false);
  return list.star ? [] : list.contacts;
}

test('RFC 3261 §20.10 example: two contacts with display names, q and expires', () => {
  const [a, b] = contacts(ok(ContactHeader,
    '"Mr. Watson" <sip:watson@worcester.bell-telephone.com> ;q=0.7; expires=3600, "Mr. Watson" <mailto:watson@bell-telephone.com> ;q=0.1'));
  assert.equal(a!.displayName, 'Mr. Watson');
  assert.equal((a!.uri as SipUri).host, 'worcester.bell-telephone.com');
  assert.equal(a!.q, 0.7);
  assert.equal(a!.expires, 3600);
  assert.equal(b!.uri.scheme, 'mailto');
  assert.equal(b!.q, 0.1);
  assert.equal(b!.expires, undefined);
});

test('compact form m, and the linphone capture Contact', () => {
  const r = parseLines(ContactHeader, ['m', '<sips:bob@192.0.2.4>;expires=60']);
  assert.ok(r.ok && r.value && !r.value.star);
  assert.equal(r.value.contacts[0]!.expires, 60);
  const [c] = contacts(ok(ContactHeader, '<sip:alice4f3f@127.0.0.1:25100;transport=udp>;expires=60'));
  assert.equal((c!.uri as SipUri).params.get('transport'), 'udp');
  assert.equal((c!.uri as SipUri).port, 25100);
  assert.equal(c!.expires, 60);
});

test('star alone is { star: true }; beside anything else it is a defect', () => {
  assert.deepEqual(ok(ContactHeader, '*'), { star: true });
  assert.match(defect(ContactHeader, '*', '<sip:a@example.com>'), /only Contact value/);
  assert.match(defect(ContactHeader, '*, <sip:a@example.com>'), /only Contact value/);
  assert.match(defect(ContactHeader, '<sip:a@example.com>, *'), /only Contact value/);
  assert.ok(defect(ContactHeader, '*;expires=0'));
});

test('bare addr-spec: parameters after the URI are header parameters (§20.10)', () => {
  const [c] = contacts(ok(ContactHeader, 'sip:alice@example.com;expires=30;transport=tcp'));
  assert.equal((c!.uri as SipUri).params.size, 0);
  assert.equal(c!.expires, 30);
  assert.equal(c!.params.get('transport'), 'tcp');
});

test('commas inside a quoted display name and inside <> do not separate values', () => {
  const list = contacts(ok(ContactHeader, '"Doe, John" <sip:a,b@example.com>;q=1, <sip:k@example.org>'));
  assert.equal(list.length, 2);
  assert.equal(list[0]!.displayName, 'Doe, John');
  assert.equal((list[0]!.uri as SipUri).user, 'a,b');
  assert.equal(list[0]!.q, 1);
  assert.equal((list[1]!.uri as SipUri).host, 'example.org');
});

test('values are merged across lines in order', () => {
  const list = contacts(ok(ContactHeader, '<sip:a@example.com>', '<sip:b@example.com>, sip:c@example.com'));
  assert.deepEqual(list.map((c) => (c.uri as SipUri).user), ['a', 'b', 'c']);
});

test('RFC 5626 +sip.instance and reg-id', () => {
  const [c] = contacts(ok(ContactHeader,
    '<sip:line1@192.0.2.2;transport=tcp>; reg-id=1;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"'));
  assert.equal(c!.regId, 1);
  assert.equal(c!.instance, 'urn:uuid:00000000-0000-1000-8000-000A95A0E128');
  assert.equal(c!.params.get('+sip.instance'), '"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"');
  assert.match(defect(ContactHeader, '<sip:a@b.example>;+sip.instance=urn:uuid:1'), /sip.instance/);
  assert.match(defect(ContactHeader, '<sip:a@b.example>;+sip.instance="urn:uuid:1"'), /sip.instance/);
  assert.match(defect(ContactHeader, '<sip:a@b.example>;reg-id=0'), /reg-id/);
  assert.match(defect(ContactHeader, '<sip:a@b.example>;reg-id=2147483648'), /reg-id/);
  assert.equal(contacts(ok(ContactHeader, '<sip:a@b.example>;reg-id=2147483647'))[0]!.regId, 2147483647);
});

test('q is a qvalue: 0 to 1 with at most three decimals', () => {
  for (const q of ['0', '0.', '0.5', '0.123', '1', '1.000']) {
    assert.equal(contacts(ok(ContactHeader, `<sip:a@b.example>;q=${q}`))[0]!.q, Number(q));
  }
  for (const q of ['1.5', '0.1234', '2', '-0.1', 'x', '.5']) {
    assert.match(defect(ContactHeader, `<sip:a@b.example>;q=${q}`), /qvalue/, q);
  }
  assert.match(defect(ContactHeader, '<sip:a@b.example>;q'), /qvalue/);
});

test('expires: delta-seconds; above 2^32-1 reads as 2^32-1 (RFC 3261 §10.2.1, RFC 4475 scalar02)', () => {
  assert.equal(contacts(ok(ContactHeader, '<sip:user@host129.example.com>;expires=280297596632815'))[0]!.expires, 0xffffffff);
  assert.equal(contacts(ok(ContactHeader, '<sip:a@b.example>;expires=0'))[0]!.expires, 0);
  assert.match(defect(ContactHeader, '<sip:a@b.example>;expires=soon'), /expires/);
  assert.match(defect(ContactHeader, '<sip:a@b.example>;expires'), /expires/);
});

test('malformed values are defects, never exceptions', () => {
  for (const v of ['', '<sip:a@b.example', '"unterminated <sip:a@b.example>', '<sip:a@b.example>,', 'just words']) {
    assert.ok(defect(ContactHeader, v), v);
  }
});
