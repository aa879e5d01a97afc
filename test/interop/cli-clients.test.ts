import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, ROOT, run, startServe } from './support.js';
import type { RunResult, ServeProcess } from './support.js';

// `presenced publish` and `presenced watch`, the real binaries, against `presenced serve`.

const CLI = join(ROOT, 'dist/src/cli/main.js');

/** A client tool left running in the background; its stdout is collected line by line. */
class Tool {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly proc: ChildProcess;
  private waiters: Array<() => void> = [];

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.lines.push(line);
      for (const w of this.waiters) w();
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  /**
   * Resolves once a line from index `from` on matches `pred` (checking the lines so far first); rejects
   * after `timeoutMs`.
   */
  waitFor(pred: (line: string) => boolean, what: string, timeoutMs = 10_000, from = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.lines.slice(from).find(pred);
        if (hit === undefined) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(hit);
        return true;
      };
      const waiter = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no line with ${what} in ${timeoutMs} ms; stdout: ${this.lines.join('\n')}; stderr: ${this.stderr}`));
      }, timeoutMs);
      if (!check()) this.waiters.push(waiter);
    });
  }

  /** Sends a signal to this process (by its PID) if it still runs. */
  signal(sig: NodeJS.Signals): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) process.kill(this.proc.pid!, sig);
  }

  /** Resolves with the exit code; kills the process (by its PID) when it has not exited within `timeoutMs`. */
  async exit(timeoutMs = 10_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const code = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (code !== 'late') return code;
    this.signal('SIGKILL');
    throw new Error(`still running after ${timeoutMs} ms; stdout: ${this.lines.join('\n')}; stderr: ${this.stderr}`);
  }
}

/** Runs a client tool to completion (bounded). */
function tool(args: string[], timeoutMs = 15_000): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], timeoutMs);
}

interface WatchLine {
  state: string;
  reason?: string;
  basic: string | null;
  note: string | null;
  activities: string[];
  tuples: Array<{ id: string; basic: string | null; contact: string | null; note: string | null }>;
}

const json = (line: string): WatchLine => JSON.parse(line) as WatchLine;

describe('presenced publish and watch against presenced serve', () => {
  let server: ServeProcess;
  const started: Tool[] = [];
  const start = (args: string[]): Tool => {
    const t = new Tool(args);
    started.push(t);
    return t;
  };
  before(async () => {
    // Publications of at least 6 s, so a refresh comes within seconds (refreshDelay(6) = 3 s).
    const dir = mkdtempSync(join(tmpdir(), 'presenced-cli-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ presence: { publicationExpires: { minSeconds: 6 } } }));
    server = await startServe(['--config', config]);
  });
  after(async () => {
    for (const t of started) t.signal('SIGKILL');
    await server.stop();
  });

  test('watch --count 3 --json sees the first state, then publish --once open with a note, then closed; --fetch prints the state', async () => {
    const at = `127.0.0.1:${server.port}`;
    const watcher = start(['watch', 'sip:alice@localhost', '--server', at, '--count', '3', '--json']);
    const first = json(await watcher.waitFor(() => true, 'the first NOTIFY'));
    assert.equal(first.state, 'active');
    assert.deepEqual(first.tuples, []);

    const open = await tool(['publish', 'sip:alice@localhost', '--server', at, '--once', '--status', 'open', '--note', 'hi']);
    assert.equal(open.code, 0, open.stderr);
    assert.match(open.stdout, /^published sip:alice@localhost \(etag \S+, expires 3600 s\)\n$/);
    await watcher.waitFor((l) => json(l).basic === 'open', 'open');
    const closed = await tool(['publish', 'sip:alice@localhost', '--server', at, '--once', '--status', 'closed', '--activity', 'meal']);
    assert.equal(closed.code, 0, closed.stderr);

    assert.equal(await watcher.exit(), 0, watcher.stderr);
    assert.equal(watcher.lines.length, 3, watcher.lines.join('\n'));
    const [, second, third] = watcher.lines.map(json);
    assert.equal(second!.state, 'active');
    assert.equal(second!.basic, 'open');
    assert.equal(second!.note, 'hi');
    assert.equal(second!.tuples.length, 1);
    assert.equal(third!.basic, 'closed');
    assert.deepEqual(third!.activities, ['meal']);
    // The same tuple id: the later publication replaced the earlier status.
    assert.deepEqual(third!.tuples.map((t) => [t.id, t.basic]), [[second!.tuples[0]!.id, 'closed']]);

    const fetched = await tool(['watch', 'sip:alice@localhost', '--server', at, '--fetch']);
    assert.equal(fetched.code, 0, fetched.stderr);
    assert.match(fetched.stdout, /^\d\d:\d\d:\d\d sip:alice@localhost closed \(activities: meal\) \[1 tuple\]\n$/);
    const fetchedJson = await tool(['watch', 'sip:alice@localhost', '--server', at, '--fetch', '--json', '--transport', 'tcp']);
    assert.equal(fetchedJson.code, 0, fetchedJson.stderr);
    const line = json(fetchedJson.stdout.trim());
    assert.equal(line.state, 'terminated');
    assert.equal(line.reason, 'timeout');
    assert.equal(line.basic, 'closed');
  });

  test('publish without --once refreshes; SIGTERM removes the state (the watcher sees the tuple go); watch unsubscribes on SIGTERM', async () => {
    const at = `127.0.0.1:${server.port}`;
    const watcher = start(['watch', 'sip:bob@localhost', '--server', at, '--transport', 'tcp']);
    await watcher.waitFor((l) => l.includes('no presence information [0 tuples]'), 'the first NOTIFY');

    const publisher = start(['publish', 'sip:bob@localhost', '--server', at, '--expires', '6', '--note', 'in a meeting', '--activity', 'busy']);
    await publisher.waitFor((l) => /^published sip:bob@localhost \(etag \S+, expires 6 s\)$/.test(l), 'published');
    await watcher.waitFor((l) => l.endsWith('sip:bob@localhost open — "in a meeting" (activities: busy) [1 tuple]'), 'the open tuple');
    await publisher.waitFor((l) => /^refreshed sip:bob@localhost \(etag \S+, expires 6 s\)$/.test(l), 'a refresh', 10_000);

    const shown = watcher.lines.length;
    publisher.signal('SIGTERM');
    assert.equal(await publisher.exit(), 0, publisher.stderr);
    assert.equal(publisher.lines.at(-1), 'removed sip:bob@localhost');
    await watcher.waitFor((l) => l.includes('no presence information [0 tuples]'), 'the tuple gone', 10_000, shown);

    watcher.signal('SIGTERM');
    assert.equal(await watcher.exit(), 0, watcher.stderr);
    assert.match(watcher.lines.at(-1)!, /subscription terminated/);
  });

  test('exit status: 2 for bad usage with the fix, 1 when the server cannot be reached', async () => {
    const bad = await tool(['publish', 'sip:alice@localhost', '--status', 'away']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /give open \(reachable\) or closed/);
    const noServer = await tool(['publish', 'sip:alice@localhost', '--server', `127.0.0.1:${await freePort()}`, '--transport', 'tcp', '--once']);
    assert.equal(noServer.code, 1);
    assert.match(noServer.stderr, /failed: 503 .*check --server and --transport/);
  });
});
