import { test } from 'node:test';
import assert from 'node:assert/strict';
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
