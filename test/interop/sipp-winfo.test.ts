import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, ROOT, run, scenario, startServe } from './support.js';
import type { RunResult, ServeProcess } from './support.js';

// SIPp plays the PUA side of TS 23.141 A.2.5 over the network against `presenced serve` (issue 5): it
// subscribes to its watcher information (RFC 3857), a watcher (`presenced watch`) asks and the PUA sees
// it pending, the test approves it over XCAP (`presenced rules allow`) and the PUA sees it active,
// approved. The scenario paces the test through marker files (test/interop/scenarios/winfo-pua.xml).

const CLI = join(ROOT, 'dist/src/cli/main.js');
const BOB = 'sip:bob@localhost';

/** A SIPp run for a failure message: its exit code and its last screens. */
function explain(r: RunResult): string {
  return `sipp exit ${r.code}\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`;
}

/** Resolves once `path` exists; rejects when `sipp` ended first or after `timeoutMs`. */
async function marker(path: string, sipp: Promise<RunResult>, what: string, timeoutMs = 20_000): Promise<void> {
  let ended: RunResult | undefined;
  void sipp.then((r) => (ended = r));
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    if (existsSync(path)) return;
    if (ended) throw new Error(`SIPp ended before ${what}: ${explain(ended)}`);
  }
  throw new Error(`SIPp did not report ${what} in ${timeoutMs} ms`);
}

describe('SIPp as the PUA of A.2.5 (presence.winfo) against presenced serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'presenced-sipp-winfo-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ presence: { defaultSubHandling: 'confirm' } }));
  let server: ServeProcess;
  before(async () => {
    server = await startServe(['--config', config], ['UDP', 'TCP', 'HTTP']);
  });
  after(async () => {
    assert.equal(await server.stop(), 0, 'presenced exits cleanly on SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, transport] of [['UDP', 'u1'], ['TCP', 't1']] as const) {
    test(`over ${name}: full state, then the new watcher pending, then active and approved once allowed over XCAP`, async () => {
      const service = `alice-${name.toLowerCase()}`;
      const aor = `sip:${service}@localhost`;
      const ready = join(dir, `${service}.ready`);
      const pending = join(dir, `${service}.pending`);
      const args = [
        '-sf', scenario('winfo-pua.xml'), '-s', service, '-i', '127.0.0.1', '-p', String(await freePort()), '-t', transport,
        '-m', '1', '-timeout', '40s', '-timeout_error', '-nostdin', '-key', 'ready_file', ready, '-key', 'pending_file', pending,
        `127.0.0.1:${server.port}`,
      ];
      const sipp = run('sipp', args, 50_000);
      await marker(ready, sipp, 'its first NOTIFY');

      const watch = spawn(process.execPath, [CLI, 'watch', aor, '--from', BOB, '--server', `127.0.0.1:${server.port}`, '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let watchErr = '';
      watch.stderr.on('data', (d: Buffer) => (watchErr += d.toString()));
      const watchExited = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)));
      try {
        await marker(pending, sipp, 'the watcher pending');
        const allowed = await run(process.execPath, [CLI, 'rules', 'allow', aor, BOB, '--server', `http://127.0.0.1:${server.ports.HTTP}`], 15_000);
        assert.equal(allowed.code, 0, allowed.stderr);
        const r = await sipp;
        assert.equal(r.code, 0, explain(r));
      } finally {
        if (watch.exitCode === null && watch.signalCode === null) process.kill(watch.pid!, 'SIGTERM');
      }
      assert.equal(await watchExited, 0, watchErr);
    });
  }
});
