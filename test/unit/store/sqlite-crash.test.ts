import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openSqliteStores } from '../../../src/store/sqlite/sqlite-stores.js';
import { publication, subscription } from '../../contracts/fixtures.js';

const WRITER = join(process.cwd(), 'dist/test/unit/store/crash-writer.js');
const dir = mkdtempSync(join(tmpdir(), 'presenced-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the writer on `path`, SIGKILLs it by PID once it acknowledged `killAfter` writes; returns every acknowledgement line. */
async function writeUntilKilled(path: string, killAfter: number): Promise<{ lines: string[]; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [WRITER, path, '1000000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const guard = setTimeout(() => process.kill(child.pid!, 'SIGKILL'), 20_000);
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    lines.push(line);
    if (lines.length === killAfter) process.kill(child.pid!, 'SIGKILL');
  }
  const signal = await exited;
  clearTimeout(guard);
  assert.ok(lines.length >= killAfter, `the writer acknowledged only ${lines.length} writes; stderr: ${stderr}`);
  return { lines, signal };
}

test('every write acknowledged before a kill -9 is there after reopening (WAL, synchronous NORMAL)', async () => {
  const path = join(dir, 'crash.db');
  const { lines, signal } = await writeUntilKilled(path, 600);
  assert.equal(signal, 'SIGKILL');
  assert.ok(!lines.includes('done'), 'the writer was killed mid-way');
  assert.ok(existsSync(`${path}-wal`), 'the acknowledged writes were still in the WAL when the process died');

  const stores = openSqliteStores(path);
  let checked = 0;
  const lastCSeq = new Map<string, number>();
  for (const line of lines) {
    const [, kind, key, value] = line.split(' ');
    const i = Number(key!.replace(/^\D+/, ''));
    if (kind === 'pub') {
      assert.deepEqual(await stores.publications.get(key!), publication(i, { body: Buffer.from([i & 0xff, 0xff, 0x00, 0xc3]) }), line);
    } else if (kind === 'sub') {
      const got = await stores.subscriptions.get(key!);
      assert.deepEqual(got && { ...got, localCSeq: 0 }, subscription(i), line);
    } else {
      assert.equal(kind, 'cseq', line);
      const got = await stores.subscriptions.get(key!);
      assert.ok(got && got.localCSeq >= Number(value), line);
      lastCSeq.set(key!, Number(value));
    }
    checked++;
  }
  assert.ok(checked >= 600);
  assert.ok(lastCSeq.get('sub-0')! > 32, 'sub-0 went through several reserved blocks of CSeqs');
  // RFC 3261 §12.2.1.1: a restart never reuses a CSeq of a NOTIFY.
  for (const [id, cseq] of lastCSeq) assert.ok((await stores.subscriptions.nextLocalCSeq(id))! > cseq, id);
  await stores.close();
});
