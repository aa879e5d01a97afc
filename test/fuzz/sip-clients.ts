import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { StreamFramer } from '../../src/sip/transport/stream-framer.js';

/**
 * Raw SIP peers for the server fuzz test: they send bytes as given (no parsing, no fixing) and log the
 * status line and Call-ID of every reply. Loopback only.
 */

/** One reply as seen on the wire. */
export interface Reply {
  status: number;
  reason: string;
  callId: string | undefined;
  transport: 'UDP' | 'TCP';
}

/**
 * Every reply received, with the problems found in them (a 500 from a failure of the server's own code,
 * a 400 not naming its defect, garbage). Requests the server sends (NOTIFY to a fuzzed SUBSCRIBE's
 * Contact) are counted, not answered: their client transactions simply time out.
 */
export class ReplyLog {
  readonly replies: Reply[] = [];
  readonly problems: string[] = [];
  /** Requests the server sent, per method. */
  readonly requests = new Map<string, number>();
  private lastAt = Date.now();

  /** Records one message from the server. */
  add(bytes: Buffer, transport: 'UDP' | 'TCP'): void {
    this.lastAt = Date.now();
    const head = bytes.toString('latin1', 0, Math.min(bytes.length, 4096));
    const request = /^([A-Z]+) \S+ SIP\/2\.0\r\n/.exec(head);
    if (request) {
      this.requests.set(request[1]!, (this.requests.get(request[1]!) ?? 0) + 1);
      return;
    }
    const line = /^SIP\/2\.0 (\d{3}) ([^\r\n]*)\r\n/.exec(head);
    if (!line) {
      this.problem(`unreadable ${transport} reply ${JSON.stringify(head.slice(0, 120))}`);
      return;
    }
    const status = Number(line[1]);
    const reason = line[2]!;
    const callId = /^(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*)/im.exec(head)?.[1];
    this.replies.push({ status, reason, callId, transport });
    // The UAS core's answer to a handler that threw, and the transaction layer's to a core that threw.
    if (status === 500 && reason === 'Server Internal Error') this.problem(`${transport} 500 ${reason}`);
    // Issue "hostile input": a malformed request gets 400 with the defect in the reason phrase.
    if (status === 400 && (reason.trim() === '' || reason === 'Bad Request')) this.problem(`${transport} 400 without a defect: '${reason}'`);
  }

  /** Replies per status code. */
  counts(): Record<number, number> {
    const out: Record<number, number> = {};
    for (const r of this.replies) out[r.status] = (out[r.status] ?? 0) + 1;
    return out;
  }

  /** The first reply carrying this Call-ID. */
  find(callId: string): Reply | undefined {
    return this.replies.find((r) => r.callId === callId);
  }

  /** Waits until no reply has arrived for `quietMs`, at most `maxMs`. */
  async quiet(quietMs: number, maxMs: number): Promise<void> {
    const end = Date.now() + maxMs;
    while (Date.now() < end && Date.now() - this.lastAt < quietMs) await sleep(20);
  }

  /** Waits (bounded) for a reply with this Call-ID. */
  async waitFor(callId: string, timeoutMs: number): Promise<Reply | undefined> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const r = this.find(callId);
      if (r) return r;
      await sleep(10);
    }
    return undefined;
  }

  private problem(text: string): void {
    if (this.problems.length < 50) this.problems.push(text);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A UDP peer on 127.0.0.1 that logs every datagram it receives as a reply. */
export class UdpPeer {
  sendErrors = 0;

  private constructor(
    private readonly socket: UdpSocket,
    readonly port: number,
  ) {}

  static async open(log: ReplyLog): Promise<UdpPeer> {
    const socket = createSocket('udp4');
    socket.on('message', (data: Buffer) => log.add(data, 'UDP'));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    socket.setRecvBufferSize(4 * 1024 * 1024);
    socket.setSendBufferSize(4 * 1024 * 1024);
    return new UdpPeer(socket, socket.address().port);
  }

  /** Sends one datagram; a failed send is counted, not thrown. */
  send(data: Buffer, port: number): Promise<void> {
    return new Promise((resolve) => {
      this.socket.send(data, port, '127.0.0.1', (err) => {
        if (err) this.sendErrors++;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** One TCP connection to the server; replies are framed by Content-Length and logged. */
export class TcpPeer {
  closed = false;

  private constructor(private readonly socket: Socket) {}

  static connect(port: number, log: ReplyLog): Promise<TcpPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      const peer = new TcpPeer(socket);
      const framer = new StreamFramer(
        { maxMessageSize: 1 << 20, maxStreamBuffer: 1 << 21 },
        {
          frame: (m) => log.add(m, 'TCP'),
          ping: () => undefined,
          fail: (status, defect) => log.add(Buffer.from(`unframeable reply: ${status} ${defect}`), 'TCP'),
        },
      );
      socket.setNoDelay(true);
      socket.on('data', (d: Buffer) => framer.push(d));
      socket.on('close', () => (peer.closed = true));
      socket.once('connect', () => {
        socket.on('error', () => undefined);
        resolve(peer);
      });
      socket.once('error', reject);
    });
  }

  /** Writes bytes; resolves once they are handed to the kernel, or at once when the connection is gone. */
  write(data: Buffer): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.write(data, () => resolve());
    });
  }

  /** Waits (bounded) until the server has closed the connection. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < end) await sleep(10);
    return this.closed;
  }

  /** Closes at once (a client vanishing mid-message). */
  destroy(): void {
    this.socket.destroy();
  }
}
