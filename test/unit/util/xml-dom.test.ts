import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { DOMParser } from '@xmldom/xmldom';
import { childElements, isElement, languageOf, oneLine, parseXmlDom, plainAttribute } from '../../../src/util/xml-dom.js';

const A = 'urn:example:a';
const B = 'urn:example:b';
const DOC = `<r xmlns="${A}" xmlns:b="${B}" xml:lang="en"><!-- c -->text<x id="1" b:id="2"/><b:y><z xml:lang="fr"/><w/></b:y></r>`;

function load(): ReturnType<DOMParser['parseFromString']> {
  return new DOMParser().parseFromString(DOC, 'application/xml');
}

test('childElements lists element children only, in order, of an element and of a document', () => {
  const doc = load();
  const root = doc.documentElement!;
  assert.deepEqual(childElements(doc).map((e) => e.localName), ['r']);
  assert.deepEqual(childElements(root).map((e) => e.localName), ['x', 'y']);
  assert.deepEqual(childElements(childElements(root)[0]!), []);
});

test('isElement compares the namespace and the local name, not the prefix', () => {
  const [x, y] = childElements(load().documentElement!);
  assert.equal(isElement(x!, A, 'x'), true);
  assert.equal(isElement(x!, B, 'x'), false);
  assert.equal(isElement(y!, B, 'y'), true);
  assert.equal(isElement(y!, B, 'b:y'), false);
});

test('plainAttribute reads attributes in no namespace only', () => {
  const [x, y] = childElements(load().documentElement!);
  assert.equal(plainAttribute(x!, 'id'), '1');
  assert.equal(plainAttribute(y!, 'id'), undefined);
  x!.removeAttribute('id');
  assert.equal(plainAttribute(x!, 'id'), undefined);
});

test('languageOf finds the nearest xml:lang, own or inherited', () => {
  const root = load().documentElement!;
  const [x, y] = childElements(root);
  const [z, w] = childElements(y!);
  assert.equal(languageOf(z!), 'fr');
  assert.equal(languageOf(w!), 'en');
  assert.equal(languageOf(x!), 'en');
  root.removeAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang');
  assert.equal(languageOf(w!), undefined);
});

test('parseXmlDom returns the document, or the parser message on any error or warning', () => {
  const doc = parseXmlDom(DOC);
  assert.notEqual(typeof doc, 'string');
  assert.equal(typeof doc === 'string' ? undefined : doc.documentElement?.localName, 'r');
  for (const bad of ['<a><b></a>', '<a x="1" x="2"/>', '<a/><b/>', '<p:a/>', '']) {
    const got = parseXmlDom(bad);
    assert.equal(typeof got, 'string', bad);
    assert.notEqual(got, '', bad);
  }
});

test('oneLine folds control characters into one space, trims and bounds the text', () => {
  assert.equal(oneLine(' a\r\n\tb\x00c \x7f', 100), 'a b c');
  assert.equal(oneLine('abcdef', 3), 'abc');
  assert.equal(oneLine('', 10), '');
});

test('xmldom builds its end-tag name expression once, and end tags are checked as before', () => {
  // The grammar module xmldom's parser reads `reg` from; util/xml-dom wraps it with a cache on import.
  const grammar = createRequire(import.meta.url)('@xmldom/xmldom/lib/grammar.js') as {
    reg: (...parts: unknown[]) => RegExp;
    QName_group: RegExp;
    S_OPT: RegExp;
  };
  const first = grammar.reg('^', grammar.QName_group, grammar.S_OPT, '$');
  assert.equal(grammar.reg('^', grammar.QName_group, grammar.S_OPT, '$'), first);
  assert.notEqual(grammar.reg('^', grammar.QName_group), first);
  assert.equal(first.global || first.sticky, false);
  for (const ok of ['<a></a>', '<a></a >', '<p:a xmlns:p="urn:x"></p:a\n>', '<a><b></b></a>']) {
    assert.notEqual(typeof parseXmlDom(ok), 'string', ok);
  }
  assert.match(String(parseXmlDom('<a></a x>')), /end tag name contains invalid characters/);
  assert.match(String(parseXmlDom('<a><b></a></b>')), /Opening and ending tag mismatch/);
  assert.match(String(parseXmlDom('<a></a\nb>')), /end tag name is followed by a line break/);
});

test('xmldom answers name checks from the names it found valid, and still refuses invalid names', () => {
  const grammar = createRequire(import.meta.url)('@xmldom/xmldom/lib/grammar.js') as { QName_exact: RegExp };
  const exact = grammar.QName_exact;
  assert.equal(exact.test('p:a'), true);
  assert.equal(exact.test('p:a'), true, 'the same answer once remembered');
  assert.equal(exact.test('1a'), false);
  assert.equal(exact.test('1a'), false, 'an invalid name is never remembered as valid');
  assert.equal(exact.test('a:b:c'), false);
  assert.notEqual(typeof parseXmlDom('<p:a xmlns:p="urn:x" p:b="1"><c/></p:a>'), 'string');
  assert.match(String(parseXmlDom('<a 1b="x"/>')), /./, 'an invalid attribute name is a defect');
  assert.match(String(parseXmlDom('<a><b:c:d/></a>')), /./, 'an invalid element name is a defect');
});
