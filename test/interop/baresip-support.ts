import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support.js';

/**
 * Runs baresip 1.0.0 (Debian package baresip-core) headless on loopback for interop tests and drives it
 * through its ctrl_tcp module: JSON commands `{"command","params","token"}` framed as netstrings
 * (`<length>:<json>,`), answered by `{"response":true,"ok","data","token"}`; events
 * (`{"event":true,…}`) arrive on the same connection and are ignored.
 */

/** Where baresip keeps its modules in the Debian package. */
const MODULE_PATH = '/usr/lib/baresip/modules';

/** What a baresip instance is configured with. */
export interface BaresipOptions {
  /** One line of its `accounts` file, e.g. `<sip:alice@localhost>;outbound="sip:127.0.0.1:5060";pubint=60`. */
  account: string;
  /** Lines of its `contacts` file, e.g. `"Alice" <sip:alice@localhost>;presence=p2p`. */
  contacts?: string[];
  /** Seconds after which baresip quits on its own (`-t`), a bound should the test not stop it. */
  lifetimeSeconds?: number;
}

/** A running baresip. */
export interface Baresip {
  readonly proc: ChildProcess;
  /** Everything it printed so far (stdout and stderr, with its SIP trace). */
  output(): string;
  /** Runs a command (e.g. `contacts`, `presence_offline`); resolves with its text, rejects if refused. */
  command(name: string, params?: string, timeoutMs?: number): Promise<string>;
  /** Closes the control connection, stops baresip by its PID (SIGTERM, SIGKILL after `graceMs`) and removes its directory. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * A baresip configuration with only what presence needs: SIP on an ephemeral port of 127.0.0.1, the
 * account and contact loaders, the presence module (PUBLISH, SUBSCRIBE to `;presence=p2p` contacts),
 * and ctrl_tcp on 127.0.0.1:`ctrlPort`. No audio or video modules.
 */
function configText(ctrlPort: number): string {
  return [
    'poll_method epoll',
    'sip_listen 127.0.0.1:0',
    'net_interface 127.0.0.1',
    `module_path ${MODULE_PATH}`,
    'module_tmp uuid.so',
    'module_tmp account.so',
    'module_app contact.so',
    'module_app presence.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
    '',
  ].join('\n');
}

/** Reads netstrings (`<length>:<bytes>,`) from a stream; calls `onMessage` with each payload. */
function netstringReader(onMessage: (payload: string) => void): (chunk: Buffer) => void {
  let buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const colon = buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(buffer.subarray(0, colon).toString('latin1'));
      if (!Number.isInteger(length) || buffer.length < colon + 1 + length + 1) return;
      onMessage(buffer.subarray(colon + 1, colon + 1 + length).toString('utf8'));
      buffer = buffer.subarray(colon + 1 + length + 1);
    }
  };
}

/** Connects to 127.0.0.1:`port`, retrying every 100 ms until `deadline` (ms since epoch) or `gone()`. */
async function connectWhenListening(port: number, deadline: number, gone: () => string | undefined): Promise<Socket> {
  for (;;) {
    const socket = await new Promise<Socket | undefined>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(s));
      s.once('error', () => {
        s.destroy();
        resolve(undefined);
      });
    });
    if (socket) return socket;
    const why = gone();
    if (why) throw new Error(why);
    if (Date.now() > deadline) throw new Error(`baresip ctrl_tcp did not listen on 127.0.0.1:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts baresip with a fresh configuration directory; resolves once its control connection is open. */
export async function startBaresip(opts: BaresipOptions, timeoutMs = 10_000): Promise<Baresip> {
  const dir = mkdtempSync(join(tmpdir(), 'presenced-baresip-'));
  const ctrlPort = await freePort();
  writeFileSync(join(dir, 'config'), configText(ctrlPort));
  writeFileSync(join(dir, 'accounts'), `${opts.account}\n`);
  // An absent contacts file would be replaced by baresip's template of example contacts.
  writeFileSync(join(dir, 'contacts'), (opts.contacts ?? []).map((c) => `${c}\n`).join(''));

  const proc = spawn('baresip', ['-f', dir, '-s', '-t', String(opts.lifetimeSeconds ?? 60)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  let spawnError: Error | undefined;
  proc.once('error', (e) => (spawnError = e));
  const exited = new Promise<void>((resolve) => proc.once('close', () => resolve()));
  const gone = () => {
    if (spawnError) return `baresip could not start: ${spawnError.message}`;
    if (proc.exitCode !== null || proc.signalCode !== null) return `baresip exited (${proc.exitCode ?? proc.signalCode}):\n${output}`;
    return undefined;
  };

  const kill = async (graceMs: number) => {
    if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) {
      process.kill(proc.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, 'SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  let ctrl: Socket;
  try {
    ctrl = await connectWhenListening(ctrlPort, Date.now() + timeoutMs, gone);
  } catch (e) {
    await kill(1000);
    throw e;
  }
  ctrl.on('error', () => ctrl.destroy());

  const pending = new Map<string, { resolve: (data: string) => void; reject: (e: Error) => void }>();
  ctrl.on(
    'data',
    netstringReader((payload) => {
      const msg = JSON.parse(payload) as { response?: boolean; ok?: boolean; data?: string; token?: string };
      if (!msg.response || msg.token === undefined) return;
      const waiter = pending.get(msg.token);
      if (!waiter) return;
      pending.delete(msg.token);
      if (msg.ok) waiter.resolve(msg.data ?? '');
      else waiter.reject(new Error(`baresip refused the command: ${msg.data ?? ''}`));
    }),
  );
  let next = 0;

  return {
    proc,
    output: () => output,
    command(name, params = '', cmdTimeoutMs = 5000) {
      const token = `t${++next}`;
      const json = Buffer.from(JSON.stringify({ command: name, params, token }), 'utf8');
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(token);
          reject(new Error(`baresip did not answer ${name} within ${cmdTimeoutMs} ms`));
        }, cmdTimeoutMs);
        pending.set(token, {
          resolve: (data) => {
            clearTimeout(timer);
            resolve(data);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        ctrl.write(Buffer.concat([Buffer.from(`${json.length}:`, 'latin1'), json, Buffer.from(',', 'latin1')]));
      });
    },
    async stop(graceMs = 5000) {
      ctrl.destroy();
      await kill(graceMs);
    },
  };
}

/**
 * The presence status baresip shows for a contact in the text of its `contacts` command, e.g.
 * `>      \x1b[32mOnline\x1b[;m Alice <sip:alice@localhost>`: `Online`, `Offline`, `Busy` or `Unknown`,
 * or undefined when the contact is not listed.
 */
export function contactStatus(contactsText: string, uri: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const plain = contactsText.replace(/\x1b\[[0-9;]*m/g, '');
  for (const line of plain.split('\n')) {
    if (!line.includes(`<${uri}>`)) continue;
    return /\b(Online|Offline|Busy|Unknown)\b/.exec(line)?.[1];
  }
  return undefined;
}
