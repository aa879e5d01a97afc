import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Test support for interop tests: runs `presenced serve` and third-party SIP tools on loopback. */

/** Repository root (tests run from it). */
export const ROOT = process.cwd();

/** A `presenced serve` process started by a test. */
export interface ServeProcess {
  readonly proc: ChildProcess;
  /** The bound SIP port (UDP and TCP). */
  readonly port: number;
  /** Other bound listeners by transport name, e.g. { WS: 40123 }. */
  readonly ports: Record<string, number>;
  /** The process's PID (for reading its CPU time from /proc). */
  readonly pid: number;
  /** Its data directory (a temporary one, removed by stop()), e.g. for `presenced users add --data-dir`. */
  readonly dataDir: string;
  /**
   * Stops the process with SIGTERM (by its PID), waits for it to exit and removes its data directory;
   * returns its exit code.
   */
  stop(): Promise<number | null>;
}

/** Options of {@link startServe}. */
export interface StartServeOptions {
  /** `--auth`: none (the default here) or digest against the subscribers of the data directory. */
  readonly auth?: 'none' | 'digest';
  /** Runs before the server starts, e.g. `presenced users add … --data-dir <dataDir>`. */
  readonly prepare?: (dataDir: string) => Promise<void>;
}

/**
 * Starts `presenced serve --host 127.0.0.1 --sip-port 0 --auth none …` (or `--auth digest`) and resolves
 * once every listener has logged its bound port. Rejects if the process exits first or nothing is bound
 * within `timeoutMs`.
 */
export async function startServe(extraArgs: string[] = [], expect = ['UDP', 'TCP'], timeoutMs = 15_000, options: StartServeOptions = {}): Promise<ServeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'presenced-serve-'));
  await options.prepare?.(dataDir);
  const auth = options.auth ?? 'none';
  const proc = spawn(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'serve', '--host', '127.0.0.1', '--sip-port', '0', '--http-port', '0', '--data-dir', dataDir, '--auth', auth, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ports: Record<string, number> = {};
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`presenced serve did not bind ${expect.join(', ')} in ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    const early = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`presenced serve exited with ${code} before listening; stderr: ${stderr}`));
    };
    proc.once('exit', early);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      let entry: { msg?: string; transport?: string; port?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg !== 'listening' || !entry.transport || entry.port === undefined) return;
      ports[entry.transport] = entry.port;
      if (expect.every((t) => ports[t] !== undefined)) {
        clearTimeout(timer);
        proc.off('exit', early);
        resolve({
          proc,
          port: ports.UDP ?? ports.TCP!,
          ports,
          pid: proc.pid!,
          dataDir,
          stop: async () => {
            if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, 'SIGTERM');
            const code = await exited;
            rmSync(dataDir, { recursive: true, force: true });
            return code;
          },
        });
      }
    });
  });
}

/** A port that is free for both UDP and TCP on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port found');
}

/** Result of a finished child process. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed after `timeoutMs`), capturing its output. */
export function run(cmd: string, args: string[], timeoutMs = 60_000, cwd?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => process.kill(proc.pid!, 'SIGKILL'), timeoutMs);
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Path of a SIPp scenario file kept in test/interop/scenarios/. */
export function scenario(name: string): string {
  return join(ROOT, 'test', 'interop', 'scenarios', name);
}
