import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// What grew between two V8 heap snapshots (written by run.ts --snapshots): live objects grouped by
// node type and constructor (or, for strings and code, by type), with count and self size added.
//   node dist/bench/memory/snapshot-diff.js <before.heapsnapshot> <after.heapsnapshot> [rows] [per]
// `per` (e.g. 10000) divides the sizes, to read bytes per record.

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Count and self size per group of one snapshot. */
export function groups(text: string): Map<string, { count: number; size: number }> {
  const s = JSON.parse(text) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = fields.length;
  const fType = fields.indexOf('type');
  const fName = fields.indexOf('name');
  const fSize = fields.indexOf('self_size');
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + fType]!]!;
    // Strings, code and numbers are grouped by type: their names are their contents.
    const byType = type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'code' || type === 'number';
    const key = byType ? `(${type})` : `${type}:${s.strings[s.nodes[i + fName]!]!.slice(0, 60)}`;
    const g = out.get(key) ?? { count: 0, size: 0 };
    g.count++;
    g.size += s.nodes[i + fSize]!;
    out.set(key, g);
  }
  return out;
}

/** The groups that grew most from `a` to `b`, by self size. */
export function diff(a: Map<string, { count: number; size: number }>, b: Map<string, { count: number; size: number }>): Array<{ key: string; count: number; size: number }> {
  const rows: Array<{ key: string; count: number; size: number }> = [];
  for (const [key, g] of b) {
    const prev = a.get(key) ?? { count: 0, size: 0 };
    rows.push({ key, count: g.count - prev.count, size: g.size - prev.size });
  }
  return rows.sort((x, y) => y.size - x.size);
}

const [beforeFile, afterFile, rowsArg, perArg] = process.argv.slice(2);
// Run as a command (not when imported by the tests).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && beforeFile && afterFile) {
  const rows = diff(groups(readFileSync(beforeFile, 'utf8')), groups(readFileSync(afterFile, 'utf8')));
  const per = Number(perArg ?? 1) || 1;
  let total = 0;
  for (const r of rows) total += r.size;
  process.stdout.write(`total self size added: ${total} bytes (${(total / per).toFixed(1)} per ${per})\n`);
  for (const r of rows.slice(0, Number(rowsArg ?? 40))) {
    process.stdout.write(`${(r.size / per).toFixed(1).padStart(10)}  ${(r.count / per).toFixed(2).padStart(8)}  ${r.key}\n`);
  }
}
