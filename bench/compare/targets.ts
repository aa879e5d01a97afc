import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { processTree } from './procfs.js';

// The servers the benchmark drives (presenced, Kamailio, the Node ceiling responder), each a process
// this benchmark started, listening for SIP over UDP on 127.0.0.1.

/** A server under test. */
export interface Target {
  /** Column name in the table. */
  readonly name: string;
  /** Its UDP port on 127.0.0.1. */
  readonly port: number;
  /** The processes whose CPU and memory count (the main process and its descendants). */
  pids(): number[];
  /** The end of its output, for diagnostics. */
  output(): string;
  /** Stops it by PID (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** A port free for UDP and TCP on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((res, rej) => {
      const srv = createServer();
      srv.once('error', rej);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => res(p));
      });
    });
    const udpFree = await new Promise<boolean>((res) => {
      const s = createSocket('udp4');
      s.once('error', () => res(false));
      s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port found on 127.0.0.1');
}

/**
 * Sends OPTIONS to 127.0.0.1:`port` every 100 ms until any SIP response comes back; rejects after
 * `timeoutMs`. This is how the runner knows a server's workers are taking requests.
 */
export function waitForSip(port: number, timeoutMs = 15_000): Promise<void> {
  const sock = createSocket('udp4');
  return new Promise<void>((res, rej) => {
    let n = 0;
    const deadline = setTimeout(() => finish(new Error(`no answer to OPTIONS on 127.0.0.1:${port} in ${timeoutMs} ms`)), timeoutMs);
    const timer = setInterval(() => send(), 100);
    const finish = (e?: Error) => {
      clearTimeout(deadline);
      clearInterval(timer);
      sock.close();
      if (e) rej(e);
      else res();
    };
    const send = () => {
      n++;
      const local = sock.address().port;
      const text = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-probe-${process.pid}-${n}`,
        'Max-Forwards: 70',
        `From: <sip:probe@127.0.0.1:${local}>;tag=probe${n}`,
        `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: probe-${process.pid}-${n}@127.0.0.1`,
        `CSeq: ${n} OPTIONS`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      sock.send(text, port, '127.0.0.1');
    };
    sock.on('message', (m) => {
      if (m.subarray(0, 8).toString('latin1') === 'SIP/2.0 ') finish();
    });
    sock.bind(0, '127.0.0.1', () => send());
  });
}

/** Wraps a spawned server process as a {@link Target} once it answers SIP. */
async function asTarget(name: string, port: number, proc: ChildProcess): Promise<Target> {
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString('latin1')).slice(-8000));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const pids = processTree(proc.pid!);
    process.kill(proc.pid!, 'SIGTERM');
    const killer = setTimeout(() => {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, 5000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await Promise.race([
      waitForSip(port),
      exited.then(() => {
        throw new Error(`${name} exited before answering SIP`);
      }),
    ]);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${out}`);
  }
  return { name, port, pids: () => processTree(proc.pid!), output: () => out, stop };
}

/**
 * Starts `presenced serve` (built in dist/) with its default configuration (SQLite, durable) in a fresh
 * temporary directory, except `--auth none`: Kamailio's configuration challenges nobody either.
 */
export async function startPresenced(workDir: string): Promise<Target> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(workDir, 'presenced-data-'));
  const proc = spawn(process.execPath, [resolve('dist/src/cli/main.js'), 'serve', '--host', '127.0.0.1', '--sip-port', String(port), '--http-port', '0', '--data-dir', dataDir, '--auth', 'none'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return asTarget('presenced', port, proc);
}

/** Starts the Node ceiling responder (dist/bench/compare/ceiling.js). */
export async function startCeiling(): Promise<Target> {
  const port = await freePort();
  const proc = spawn(process.execPath, [resolve('dist/bench/compare/ceiling.js'), String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  return asTarget('Node ceiling', port, proc);
}

/** Starts any server command line that takes its port, as a {@link Target} (used for Kamailio). */
export async function startCommand(name: string, port: number, cmd: string, args: string[]): Promise<Target> {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return asTarget(name, port, proc);
}
