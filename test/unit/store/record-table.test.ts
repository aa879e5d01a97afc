import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordTable } from '../../../src/store/memory/record-table.js';

interface Rec {
  id: string;
  expiresAt: number;
}

const rec = (id: string, expiresAt = 100): Rec => ({ id, expiresAt });
const ids = (rs: Rec[]): string[] => rs.map((r) => r.id);

test('groups grow from one record to many and shrink back, keeping first-stored order', () => {
  const t = new RecordTable<Rec>((r) => r.expiresAt);
  t.set('a', 'g', rec('a'));
  assert.deepEqual(ids(t.list('g')), ['a']);
  t.set('b', 'g', rec('b'));
  t.set('c', 'g', rec('c'));
  t.set('d', 'h', rec('d'));
  assert.deepEqual(ids(t.list('g')), ['a', 'b', 'c']);
  t.delete('b');
  t.delete('a');
  assert.deepEqual(ids(t.list('g')), ['c']);
  t.set('a', 'g', rec('a'));
  assert.deepEqual(ids(t.list('g')), ['c', 'a'], 'a re-stored key is new: it comes last');
  t.delete('c');
  t.delete('a');
  assert.deepEqual(t.list('g'), []);
  assert.deepEqual(ids(t.list('h')), ['d']);
});

test('a record moved to another group leaves its old one, and keeps its place by first storing', () => {
  const t = new RecordTable<Rec>((r) => r.expiresAt);
  t.set('a', 'g', rec('a'));
  t.set('b', 'h', rec('b'));
  t.set('c', 'g', rec('c'));
  t.set('a', 'h', rec('a', 50));
  assert.deepEqual(ids(t.list('g')), ['c']);
  assert.deepEqual(ids(t.list('h')), ['a', 'b']);
  t.set('c', 'h', rec('c'));
  assert.deepEqual(t.list('g'), []);
  assert.deepEqual(ids(t.list('h')), ['a', 'b', 'c']);
  assert.deepEqual(ids(t.expired(100)), ['a', 'b', 'c']);
});

test('deleteGroup removes every record of a group of one or of many, and nothing else', () => {
  const t = new RecordTable<Rec>((r) => r.expiresAt);
  t.set('a', 'g', rec('a'));
  t.set('b', 'g', rec('b'));
  t.set('c', 'h', rec('c'));
  t.set('d', 'i', rec('d'));
  t.deleteGroup('g');
  t.deleteGroup('h');
  t.deleteGroup('none');
  assert.deepEqual(ids(t.all()), ['d']);
  assert.equal(t.get('a'), undefined);
  assert.deepEqual(ids(t.expired(100)), ['d']);
  assert.deepEqual(t.list('g'), []);
});
