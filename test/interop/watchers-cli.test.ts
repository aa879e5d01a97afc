import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, run, startServe } from './support.js';
import type { RunResult, ServeProcess } from './support.js';

// `presenced watchers` against `presenced serve` (issue 5 item 6, TS 23.141 A.2.5): Alice follows her
// watchers live, Bob asks and is shown pending, Alice approves him in one command, Bob's watch turns
// active and the watcher list shows him active, approved.

const CLI = join(ROOT, 'dist/src/cli/main.js');
const ALICE = 'sip:alice@localhost';
const BOB = 'sip:bob@localhost';

function tool(args: string[], timeoutMs = 15_000): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], timeoutMs);
}

/** A `presenced …` process in the background, its JSON lines parsed as they come. */
class Background {
  readonly lines: Array<Record<string, unknown>> = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly proc: ChildProcess;
  private wake: () => void = () => undefined;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
      this.wake();
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  /** Resolves with the first line satisfying `match` once it has come; rejects after `timeoutMs`. */
  async line(match: (l: Record<string, unknown>) => boolean, what: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line ${what} in ${timeoutMs} ms; lines: ${JSON.stringify(this.lines)}; stderr: ${this.stderr}`);
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** Ends it with SIGTERM (as Ctrl-C would) and resolves with its exit code. */
  terminate(): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) process.kill(this.proc.pid!, 'SIGTERM');
    return this.exited;
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) process.kill(this.proc.pid!, 'SIGKILL');
  }
}

describe('presenced watchers against presenced serve (confirm by default)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'presenced-watchers-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ presence: { defaultSubHandling: 'confirm' } }));
  let server: ServeProcess | undefined;
  const background: Background[] = [];
  after(async () => {
    for (const b of background) b.kill();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('A.2.5: --follow shows Bob pending, --approve lets him in, his watch turns active and the list shows him active, approved', async () => {
    server = await startServe(['--config', config], ['UDP', 'TCP', 'HTTP']);
    const sip = ['--server', `127.0.0.1:${server.port}`];
    const http = ['--http-server', `http://127.0.0.1:${server.ports.HTTP}`];

    const empty = await tool(['watchers', ALICE, ...sip]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, `${ALICE}: no watchers\n`);

    const follow = new Background(['watchers', ALICE, '--follow', '--json', ...sip]);
    background.push(follow);
    const watch = new Background(['watch', ALICE, '--from', BOB, '--json', ...sip]);
    background.push(watch);
    assert.equal((await watch.line(() => true, 'from the watch')).state, 'pending');

    const pending = await follow.line((l) => l.watcher === BOB, 'for Bob');
    assert.deepEqual([pending.status, pending.event, pending.pending, pending.resource], ['pending', 'subscribe', true, ALICE]);
    assert.match(String(pending.id), /^[A-Za-z0-9_-]+$/);

    const listed = await tool(['watchers', ALICE, ...sip]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${ALICE}: 1 watcher \\(1 pending\\)\\n {2}${BOB} PENDING, .* — approve with: presenced watchers ${ALICE} --approve ${BOB}\\n$`));

    const approved = await tool(['watchers', ALICE, '--approve', BOB, ...http]);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(approved.stdout, `${BOB}: not named in any rule -> allow (rule presenced_allow)\n`);

    const active = await watch.line((l) => l.state === 'active', 'active from the watch');
    assert.equal(active.state, 'active');
    const now = await follow.line((l) => l.watcher === BOB && l.status === 'active', 'for Bob active');
    assert.deepEqual([now.event, now.pending, now.id], ['approved', false, pending.id]);

    const json = await tool(['watchers', ALICE, '--json', ...sip]);
    assert.equal(json.code, 0, json.stderr);
    const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(rows.map((r) => [r.watcher, r.status, r.event]), [[BOB, 'active', 'approved']]);

    // --filter new lists only pending watchers (docs/winfo-filters.md): none any more.
    const fresh = await tool(['watchers', ALICE, '--filter', 'new', '--history', '3600', ...sip]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(fresh.stdout, `${ALICE}: no watchers\n`);

    assert.equal(await follow.terminate(), 0, follow.stderr);
    assert.equal(await watch.terminate(), 0, watch.stderr);
  });

  test('only the presentity sees its watchers (403); usage errors exit 2', async () => {
    assert.ok(server);
    const sip = ['--server', `127.0.0.1:${server.port}`];
    const bob = await tool(['watchers', ALICE, '--from', BOB, ...sip]);
    assert.equal(bob.code, 1);
    assert.match(bob.stderr, /403 .*only the presentity itself may see its watchers/);
    const two = await tool(['watchers', ALICE, '--approve', BOB, '--block', BOB]);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /one of --approve, --block and --polite-block at a time/);
    const badFilter = await tool(['watchers', ALICE, '--filter', 'everyone']);
    assert.equal(badFilter.code, 2);
    assert.match(badFilter.stderr, /give one of all, defined, new, defined-new/);
  });

  test('--block ends the watcher\'s subscription as rejected; the list shows it', async () => {
    assert.ok(server);
    const sip = ['--server', `127.0.0.1:${server.port}`];
    const http = ['--http-server', `http://127.0.0.1:${server.ports.HTTP}`];
    const carol = 'sip:carol@localhost';
    const watch = new Background(['watch', ALICE, '--from', carol, '--json', '--count', '2', ...sip]);
    background.push(watch);
    assert.equal((await watch.line(() => true, 'from the watch')).state, 'pending');
    const blocked = await tool(['watchers', ALICE, '--block', carol, ...http]);
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.match(blocked.stdout, /-> block/);
    const ended = await watch.line((l) => l.state === 'terminated', 'terminated from the watch');
    assert.equal(ended.reason, 'rejected');
    const text = await tool(['watchers', ALICE, ...sip]);
    assert.match(text.stdout, new RegExp(`^ {2}${carol} terminated \\(rejected\\)`, 'm'));
  });
});
