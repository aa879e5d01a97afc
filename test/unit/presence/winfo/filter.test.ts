import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWinfoFilter } from '../../../../src/presence/winfo/filter.js';

const ALICE = 'sip:alice@example.com';

function doc(inner: string, attrs = `uri="${ALICE}"`): Buffer {
  return Buffer.from(`<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter" xmlns:pf="urn:presenced:params:xml:ns:winfo-filter">
  <ns-bindings><ns-binding prefix="wi" urn="urn:ietf:params:xml:ns:watcherinfo"/><ns-binding prefix="x" urn="urn:other"/></ns-bindings>
  <filter id="1" ${attrs}>${inner}</filter></filter-set>`);
}

test('the accepted subset (docs/winfo-filters.md): selection, history, optional attributes', () => {
  const r = parseWinfoFilter(doc('<pf:watchers>defined-new</pf:watchers><pf:history>60</pf:history><what><include type="xpath">/wi:watcherinfo/wi:watcher-list/wi:watcher/@expiration</include><include>/watcherinfo/watcher-list/watcher/@status</include></what>'), ALICE);
  assert.ok(r.ok);
  assert.deepEqual({ ...r.filter, attributes: [...r.filter.attributes] }, { watchers: 'defined-new', historySeconds: 60, attributes: ['expiration'] });
  const all = parseWinfoFilter(doc('<what><include>/wi:watcherinfo/wi:watcher-list/wi:watcher</include></what>', ''), ALICE);
  assert.ok(all.ok);
  assert.deepEqual([all.filter.watchers, all.filter.attributes.size, all.filter.historySeconds], ['all', 3, undefined]);
  const empty = parseWinfoFilter(doc('<what/>'), ALICE);
  assert.ok(empty.ok && empty.filter.attributes.size === 3, 'RFC 4660 §5.4: an empty <what> is as if absent');
  const off = parseWinfoFilter(doc('<trigger/>', 'enabled="false"'), ALICE);
  assert.ok(off.ok && off.filter.watchers === 'all');
});

test('anything else is a defect (answered 488)', () => {
  const bad = [
    doc('<trigger/>'),
    doc('<what><exclude>/wi:watcherinfo</exclude></what>'),
    doc('<what><include>/x:watcherinfo/x:watcher-list/x:watcher</include></what>'),
    doc('<what><include>/wi:watcherinfo/wi:watcher-list/wi:watcher/@lang</include></what>'),
    doc('<what><include type="namespace">urn:x</include></what>'),
    doc('<pf:watchers>friends</pf:watchers>'),
    doc('<pf:history>-1</pf:history>'),
    doc('', 'uri="sip:carol@example.com"'),
    doc('', 'domain="example.com"'),
    Buffer.from('<filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"/>'),
    Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><filter-set xmlns="urn:ietf:params:xml:ns:simple-filter"/>'),
    Buffer.from('not xml'),
  ];
  for (const b of bad) assert.equal(parseWinfoFilter(b, ALICE).ok, false, b.toString());
});
