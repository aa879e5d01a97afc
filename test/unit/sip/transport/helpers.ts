import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { TransportLayer } from '../../../../src/sip/transport/transport-layer.js';
import type { Inbound } from '../../../../src/sip/transport/types.js';

/** A SIP request as wire text. `via` is the whole top Via value. */
export function request(opts: { method?: string; via: string; body?: string; contentLength?: boolean; callId?: string }): string {
  const method = opts.method ?? 'OPTIONS';
  const body = opts.body ?? '';
  const cl = opts.contentLength === false ? '' : `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  return (
    `${method} sip:ps@example.com SIP/2.0\r\nVia: ${opts.via}\r\nMax-Forwards: 70\r\n` +
    `From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:ps@example.com>\r\nCall-ID: ${opts.callId ?? 'call-1'}\r\n` +
    `CSeq: 1 ${method}\r\n${cl}\r\n${body}`
  );
}

/** A 200 OK to a request with this top Via. */
export function response(via: string, callId = 'call-1'): string {
  return (
    `SIP/2.0 200 OK\r\nVia: ${via}\r\nFrom: <sip:alice@example.com>;tag=a1\r\nTo: <sip:ps@example.com>;tag=b1\r\n` +
    `Call-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`
  );
}

/** Collects what a transport layer hands up; `next()` waits (bounded) for the next one. */
export class InboundQueue {
  private readonly items: Inbound[] = [];
  private waiter: (() => void) | undefined;

  constructor(layer: TransportLayer) {
    layer.onInbound = (i) => {
      this.items.push(i);
      this.waiter?.();
    };
  }

  get length(): number {
    return this.items.length;
  }

  async next(timeoutMs = 3000): Promise<Inbound> {
    if (!this.items.length) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no inbound message in time')), timeoutMs);
        this.waiter = () => {
          clearTimeout(t);
          this.waiter = undefined;
          resolve();
        };
      });
    }
    return this.items.shift()!;
  }
}

/** Polls `cond` every 5 ms until it holds, at most `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A raw TCP client that records what it receives and whether the server closed. */
export class RawClient {
  readonly socket: Socket;
  received = '';
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => (this.received += d.toString('latin1')));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static connect(host: string, port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  destroy(): void {
    this.socket.destroy();
  }
}
