import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNodeSelector, parseXmlnsQuery } from '../../../src/xcap/node-selector.js';
import type { NodeSelector, SelectorError } from '../../../src/xcap/node-selector.js';

const D = 'urn:test:default';
const BINDINGS = new Map([
  ['a', 'urn:a'],
  ['b', 'urn:b'],
]);

function parse(s: string): NodeSelector | SelectorError {
  return parseNodeSelector(s, BINDINGS, D);
}

function ok(s: string): NodeSelector {
  const r = parse(s);
  assert.ok(!('status' in r), `${s}: ${JSON.stringify(r)}`);
  return r;
}

test('valid selectors: names, prefixes, wildcard, positions, attribute tests and their combinations', () => {
  const table: [string, unknown][] = [
    ['watcherinfo', [{ name: { kind: 'name', namespace: D, localName: 'watcherinfo' } }]],
    ['a:foo', [{ name: { kind: 'name', namespace: 'urn:a', localName: 'foo' } }]],
    ['*', [{ name: { kind: 'any' } }]],
    ['x[3]', [{ name: { kind: 'name', namespace: D, localName: 'x' }, position: 3 }]],
    ['*[2]', [{ name: { kind: 'any' }, position: 2 }]],
    ['x[@id="8ajksjda7s"]', [{ name: { kind: 'name', namespace: D, localName: 'x' }, attribute: { name: { namespace: null, localName: 'id', qname: 'id' }, value: '8ajksjda7s' } }]],
    ["x[@id='single']", [{ name: { kind: 'name', namespace: D, localName: 'x' }, attribute: { name: { namespace: null, localName: 'id', qname: 'id' }, value: 'single' } }]],
    ['*[2][@b:id="v"]', [{ name: { kind: 'any' }, position: 2, attribute: { name: { namespace: 'urn:b', localName: 'id', qname: 'b:id' }, value: 'v' } }]],
    ['b:x[1][@a="1"]', [{ name: { kind: 'name', namespace: 'urn:b', localName: 'x' }, position: 1, attribute: { name: { namespace: null, localName: 'a', qname: 'a' }, value: '1' } }]],
  ];
  for (const [text, steps] of table) {
    const r = ok(text);
    assert.deepEqual(
      r.steps.map(({ text: _t, ...rest }) => rest),
      steps,
      text,
    );
    assert.equal(r.terminal, undefined);
  }
});

test('multi-step selectors keep each step as written; quoted values may hold "/", "]" and references', () => {
  const r = ok('resource-lists/list[@name="a/b]c"]/entry[@uri=\'sip:x@y;p=&quot;q&quot;&amp;&#65;&#x42;\']');
  assert.deepEqual(
    r.steps.map((s) => s.text),
    ['resource-lists', 'list[@name="a/b]c"]', "entry[@uri='sip:x@y;p=&quot;q&quot;&amp;&#65;&#x42;']"],
  );
  assert.equal(r.steps[1]!.attribute!.value, 'a/b]c');
  assert.equal(r.steps[2]!.attribute!.value, 'sip:x@y;p="q"&AB');
  // A non-ASCII name (percent-decoded already).
  assert.equal((ok('caf\u00e9/\u30a2').steps[1]!.name as { localName: string }).localName, '\u30a2');
});

test('terminal selectors: attribute (no namespace unless prefixed) and namespace bindings', () => {
  assert.deepEqual(ok('x/@id').terminal, { kind: 'attribute', name: { namespace: null, localName: 'id', qname: 'id' } });
  assert.deepEqual(ok('x/y/@a:id').terminal, { kind: 'attribute', name: { namespace: 'urn:a', localName: 'id', qname: 'a:id' } });
  assert.deepEqual(ok('x/namespace::*').terminal, { kind: 'namespaces' });
  assert.equal(ok('x/namespace::*').steps.length, 1);
});

test('invalid selectors: undefined prefixes are 400 (RFC 4825 §8), empty steps 400, anything outside the grammar 404', () => {
  const table: [string, 400 | 404][] = [
    ['c:foo', 400],
    ['x[@c:id="1"]', 400],
    ['x/@c:id', 400],
    ['', 400],
    ['x//y', 400],
    ['x/', 400],
    ['/x', 400],
    ['x[0', 404],
    ['x[@id="1"][2]', 404],
    ['x[@id=1]', 404],
    ['x[@id="1"', 404],
    ['x[@id = "1"]', 404],
    ['x[last()]', 404],
    ['@id', 404],
    ['namespace::*', 404],
    ['x/@id/y', 404],
    ['x/namespace::*/y', 404],
    ['x/text()', 404],
    ['1x', 404],
    ['x[1][2]', 404],
    ['x:y:z', 404],
    ['x/@*', 404],
  ];
  for (const [text, status] of table) {
    const r = parse(text);
    assert.ok('status' in r, `${text} should be refused`);
    assert.equal(r.status, status, text);
  }
});

test('xmlns() query: bindings, whitespace, ^-escapes, balanced parentheses, other schemes ignored (RFC 4825 §6.4)', () => {
  const b = parseXmlnsQuery('xmlns(a=urn:test:namespace1-uri)xmlns(b=urn:test:namespace2-uri)');
  assert.deepEqual([...(b as Map<string, string>)], [
    ['a', 'urn:test:namespace1-uri'],
    ['b', 'urn:test:namespace2-uri'],
  ]);
  const c = parseXmlnsQuery(' xmlns( p = urn:x^(1^)(y) ) other(whatever^^) xmlns(p=urn:later) element(/1/2)');
  assert.deepEqual([...(c as Map<string, string>)], [['p', 'urn:later']]);
  assert.deepEqual([...(parseXmlnsQuery('xmlns(q=urn:x^(1^)(y))') as Map<string, string>)], [['q', 'urn:x(1)(y)']]);
  for (const bad of ['xmlns(a=urn:x', 'xmlns a=urn:x', 'xmlns(1a=urn:x)', 'xmlns(a=urn^x)', 'foo=bar', 'xmlns(a)']) {
    const r = parseXmlnsQuery(bad);
    assert.ok(!(r instanceof Map) && r.status === 400, bad);
  }
  assert.deepEqual([...(parseXmlnsQuery('') as Map<string, string>)], []);
});
