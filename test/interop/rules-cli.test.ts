import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort, ROOT, run, startServe } from './support.js';
import type { RunResult, ServeProcess } from './support.js';

// `presenced rules` against `presenced serve`: a watcher held pending by the confirm default is approved,
// then blocked, with one command each, and sees it at once without a new SUBSCRIBE (issue 4 item 7).

const CLI = join(ROOT, 'dist/src/cli/main.js');
const ALICE = 'sip:alice@localhost';
const BOB = 'sip:bob@localhost';

function tool(args: string[], timeoutMs = 15_000): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], timeoutMs);
}

interface WatchLine {
  state: string;
  reason?: string;
  note: string | null;
}

/** `presenced watch --json` in the background, its lines parsed as they come. */
class Watcher {
  readonly lines: WatchLine[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly proc: ChildProcess;
  private wake: () => void = () => undefined;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [CLI, 'watch', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.lines.push(JSON.parse(line) as WatchLine);
      this.wake();
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  /** Resolves with line number `n` (0-based) once it has come; rejects after `timeoutMs`. */
  async line(n: number, timeoutMs = 10_000): Promise<WatchLine> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length <= n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no NOTIFY #${n + 1} in ${timeoutMs} ms; lines: ${JSON.stringify(this.lines)}; stderr: ${this.stderr}`);
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
    return this.lines[n]!;
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) process.kill(this.proc.pid!, 'SIGKILL');
  }
}

for (const auth of ['none', 'digest'] as const) {
  describe(`presenced rules against presenced serve --auth ${auth}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'presenced-rules-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ presence: { defaultSubHandling: 'confirm' } }));
    let server: ServeProcess | undefined;
    const watchers: Watcher[] = [];
    const creds = (user: string, password = 'secret'): string[] => (auth === 'digest' ? ['--user', user, '--password', password] : []);
    after(async () => {
      for (const w of watchers) w.kill();
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('allow: the pending watcher becomes active with the presence; block: its watch ends rejected; list shows it blocked', async () => {
      server = await startServe(['--config', config], ['UDP', 'TCP', 'HTTP'], 15_000, {
        auth,
        prepare: async (dataDir) => {
          if (auth === 'none') return;
          for (const user of ['alice', 'bob']) {
            const added = await tool(['users', 'add', `sip:${user}@localhost`, '--password', 'secret', '--data-dir', dataDir, '--config', config]);
            assert.equal(added.code, 0, added.stderr);
          }
        },
      });
      const sip = `127.0.0.1:${server.port}`;
      const http = ['--server', `http://127.0.0.1:${server.ports.HTTP}`];

      const published = await tool(['publish', ALICE, '--server', sip, '--once', '--note', 'at the desk', ...creds('alice')]);
      assert.equal(published.code, 0, published.stderr);

      const watcher = new Watcher([ALICE, '--from', BOB, '--server', sip, '--count', '3', ...creds('bob')]);
      watchers.push(watcher);
      assert.equal((await watcher.line(0)).state, 'pending');

      const allowed = await tool(['rules', 'allow', ALICE, BOB, ...http, ...creds('alice')]);
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.equal(allowed.stdout, `${BOB}: not named in any rule -> allow (rule presenced_allow)\n`);
      const active = await watcher.line(1);
      assert.equal(active.state, 'active');
      assert.equal(active.note, 'at the desk');

      const blocked = await tool(['rules', 'block', ALICE, BOB, ...http, ...creds('alice')]);
      assert.equal(blocked.code, 0, blocked.stderr);
      assert.equal(blocked.stdout, `${BOB}: allow (rule presenced_allow) -> block (rule presenced_block)\n`);
      // The operator default's granted-contacts list may still name bob: the user is told.
      assert.match(blocked.stderr, /warning: rule\(s\) wp_prs_grantedcontacts may still decide otherwise/);
      const ended = await watcher.line(2);
      assert.equal(ended.state, 'terminated');
      assert.equal(ended.reason, 'rejected');
      assert.equal(await watcher.exited, 0, watcher.stderr);

      const list = await tool(['rules', 'list', ALICE, ...http, ...creds('alice')]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, /^ {2}sip:bob@localhost +block +\(rule presenced_block\)$/m);
      const json = await tool(['rules', 'list', ALICE, '--json', ...http, ...creds('alice')]);
      const listing = JSON.parse(json.stdout) as { document: string; watchers: Array<{ watcher: string; handling: string }> };
      assert.equal(listing.document, 'ietf');
      assert.deepEqual(listing.watchers.find((w) => w.watcher === BOB)?.handling, 'block');

      const shown = await tool(['rules', 'show', ALICE, ...http, ...creds('alice')]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /<cr:rule id="presenced_block">[\s\S]*<cr:one id="sip:bob@localhost"\/>/);
    });

    test('reset writes the default rule set back; the same decision twice changes nothing', async () => {
      assert.ok(server);
      const http = ['--server', `http://127.0.0.1:${server.ports.HTTP}`];
      const reset = await tool(['rules', 'reset', ALICE, ...http, ...creds('alice')]);
      assert.equal(reset.code, 0, reset.stderr);
      const list = await tool(['rules', 'list', ALICE, ...http, ...creds('alice')]);
      assert.doesNotMatch(list.stdout, /sip:bob@localhost/);
      assert.match(list.stdout, /wp_prs_unlisted: confirm/);
      for (const expected of [/-> polite-block/, /already polite-block, nothing changed/]) {
        const r = await tool(['rules', 'polite-block', ALICE, BOB, '--oma', ...http, ...creds('alice')]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, expected);
      }
      // The OMA document now exists and is the one the commands (and the server) read first.
      const json = JSON.parse((await tool(['rules', 'list', ALICE, '--json', ...http, ...creds('alice')])).stdout) as { document: string };
      assert.equal(json.document, 'oma');
    });

    if (auth === 'digest') {
      test('refusals: a wrong password is 401, another user\'s rules 403; both exit 1 with the fix', async () => {
        assert.ok(server);
        const http = ['--server', `http://127.0.0.1:${server.ports.HTTP}`];
        const wrong = await tool(['rules', 'list', ALICE, ...http, ...creds('alice', 'wrong')]);
        assert.equal(wrong.code, 1);
        assert.match(wrong.stderr, /401: .*check --user and --password/);
        const other = await tool(['rules', 'allow', ALICE, 'sip:eve@localhost', ...http, ...creds('bob')]);
        assert.equal(other.code, 1);
        assert.match(other.stderr, /403: you may only edit your own rules/);
        const none = await tool(['rules', 'list', ALICE, ...http]);
        assert.equal(none.code, 1);
        assert.match(none.stderr, /401: .*give --user and --password/);
      });
    } else {
      test('usage errors exit 2; no server on the port exits 1 and names --http-port', async () => {
        const bad = await tool(['rules', 'allow', ALICE, 'not a uri']);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /give a URI/);
        const half = await tool(['rules', 'list', ALICE, '--user', 'alice']);
        assert.equal(half.code, 2);
        assert.match(half.stderr, /--user and --password .* go together/);
        const port = await freePort();
        const down = await tool(['rules', 'list', ALICE, '--server', `http://127.0.0.1:${port}`]);
        assert.equal(down.code, 1);
        assert.match(down.stderr, new RegExp(`ECONNREFUSED: is presenced serve running there, with --http-port ${port}\\?`));
      });
    }
  });
}
