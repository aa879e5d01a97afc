import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, perItem, perTransaction } from '../../../bench/memory/figures.js';
import type { Phase } from '../../../bench/memory/figures.js';
import type { MemoryReading } from '../../../bench/memory/protocol.js';
import { diff, groups } from '../../../bench/memory/snapshot-diff.js';

// The pure parts of bench/memory: per-item figures, the table, and heap snapshot grouping.

const MiB = 1048576;

function reading(v: Partial<MemoryReading>): MemoryReading {
  return {
    heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, rss: 0, pss: 0, spaces: {},
    serverTransactions: 0, clientTransactions: 0, cpuUs: 0, ...v,
  };
}

function phase(label: string, successful: number, v: Partial<Record<'start' | 'end' | 'busy' | 'raw' | 'after', Partial<MemoryReading>>>): Phase {
  return {
    label, successful,
    start: reading(v.start ?? {}), end: reading(v.end ?? {}), busy: reading(v.busy ?? {}), raw: reading(v.raw ?? {}), after: reading(v.after ?? {}),
  };
}

test('per item: collected readings against the previous phase, raw RSS against its raw one, CPU over the batch only', () => {
  const warm = phase('warm', 100, { after: { heapUsed: 10 * MiB, external: MiB, rss: 50 * MiB, pss: 40 * MiB }, raw: { rss: 60 * MiB } });
  const measured = phase('measured', 1000, {
    start: { cpuUs: 5_000_000 }, end: { cpuUs: 5_300_000 },
    after: { heapUsed: 10 * MiB + 300_000, external: MiB + 1000, rss: 52 * MiB, pss: 41 * MiB, cpuUs: 9_000_000 },
    raw: { rss: 70 * MiB },
  });
  assert.deepEqual(perItem(warm, measured), {
    heap: 300, external: 1, rss: Math.round((2 * MiB) / 1000), rssRaw: Math.round((10 * MiB) / 1000), pss: Math.round(MiB / 1000), cpuUs: 300,
  });
  assert.ok(Number.isNaN(perItem(warm, phase('none', 0, {})).heap), 'no successful call: no figure');
});

test('per transaction: what the busy reading holds above the drained one, over the transactions it counted', () => {
  const p = phase('p', 10, {
    busy: { heapUsed: 5000, external: 1000, serverTransactions: 3, clientTransactions: 1 },
    after: { heapUsed: 1000, external: 1000 },
  });
  assert.equal(perTransaction(p), 1000);
  assert.ok(Number.isNaN(perTransaction(phase('idle', 10, {}))));
});

test('the table has a row per phase in MiB, with the transactions alive after each batch', () => {
  const start = reading({ heapUsed: 2 * MiB, rss: 100 * MiB });
  const text = formatTable(start, [phase('publish', 10, { busy: { serverTransactions: 7, clientTransactions: 2, heapUsed: 9 * 100 }, after: { heapUsed: 3 * MiB }, raw: { rss: 120 * MiB } })]);
  const rows = text.split('\n');
  assert.match(rows[0]!, /^after\s+calls ok\s+heapUsed/);
  assert.match(rows[1]!, /^start\s+-\s+2\.0 /);
  assert.match(rows[2]!, /^publish\s+10\s+3\.0 .* 120\.0 .*\s7\+2\s/);
});

/** A heap snapshot with the given nodes (type index, name, self size) and no edges. */
function snapshot(nodes: Array<[number, string, number]>): string {
  const strings = [...new Set(nodes.map((n) => n[1]))];
  return JSON.stringify({
    snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'], node_types: [['hidden', 'array', 'string', 'object', 'code']] } },
    nodes: nodes.flatMap(([type, name, size], i) => [type, strings.indexOf(name), i + 1, size, 0]),
    strings,
  });
}

test('snapshot groups: objects by constructor, strings and code by type; the diff sorts by growth', () => {
  const before = groups(snapshot([[3, 'Foo', 40], [2, 'abc', 16]]));
  const after = groups(snapshot([[3, 'Foo', 40], [3, 'Foo', 40], [3, 'Bar', 24], [2, 'abc', 16], [2, 'defgh', 24], [4, 'fn', 100]]));
  assert.deepEqual(after.get('object:Foo'), { count: 2, size: 80 });
  assert.deepEqual(after.get('(string)'), { count: 2, size: 40 });
  assert.deepEqual(diff(before, after).slice(0, 4), [
    { key: '(code)', count: 1, size: 100 },
    { key: 'object:Foo', count: 1, size: 40 },
    { key: 'object:Bar', count: 1, size: 24 },
    { key: '(string)', count: 1, size: 24 },
  ]);
});
