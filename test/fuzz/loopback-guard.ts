import { Socket as DgramSocket } from 'node:dgram';
import { Socket as NetSocket } from 'node:net';

/**
 * A safety interlock for the server under fuzz: fuzzed Via headers carry `maddr`, `received` and host
 * names that RFC 3261 §18.2.2 makes the server send responses to (e.g. `maddr=255.255.255.255` of RFC 4475
 * bcast.dat). Tests may only send to loopback, so this replaces nothing of ours: it wraps Node's UDP send
 * and TCP connect so that any other destination is refused as an unreachable address would be, and
 * counted by destination. Install it in the server's process before the server starts.
 *
 * @returns the refused destinations (`udp 192.0.2.1`, `tcp example.com`) with how often each was refused.
 */
export function installLoopbackGuard(): Map<string, number> {
  const refused = new Map<string, number>();
  const note = (what: string): void => {
    refused.set(what, (refused.get(what) ?? 0) + 1);
  };

  const send = DgramSocket.prototype.send as (this: DgramSocket, ...args: unknown[]) => void;
  DgramSocket.prototype.send = function guardedSend(this: DgramSocket, ...args: unknown[]): void {
    const address = args.find((a, i) => i > 0 && typeof a === 'string') as string | undefined;
    if (address !== undefined && !isLoopback(address)) {
      note(`udp ${address}`);
      const cb = args[args.length - 1];
      const err = Object.assign(new Error(`loopback guard: ${address} is not a loopback address`), { code: 'ENETUNREACH' });
      if (typeof cb === 'function') process.nextTick(cb as (e: Error) => void, err);
      return;
    }
    send.apply(this, args);
  } as typeof DgramSocket.prototype.send;

  const connect = NetSocket.prototype.connect as (this: NetSocket, ...args: unknown[]) => NetSocket;
  NetSocket.prototype.connect = function guardedConnect(this: NetSocket, ...args: unknown[]): NetSocket {
    const first = args[0];
    const host = typeof first === 'object' && first !== null
      ? ((first as { host?: string; path?: string }).path ? 'localhost' : ((first as { host?: string }).host ?? 'localhost'))
      : typeof args[1] === 'string' ? args[1] : 'localhost';
    if (!isLoopback(host)) {
      note(`tcp ${host}`);
      const err = Object.assign(new Error(`loopback guard: ${host} is not a loopback address`), { code: 'ECONNREFUSED' });
      process.nextTick(() => this.destroy(err));
      return this;
    }
    return connect.apply(this, args);
  } as typeof NetSocket.prototype.connect;
  return refused;
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped and bracketed) and the name localhost. */
function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  return a === 'localhost' || a === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}
