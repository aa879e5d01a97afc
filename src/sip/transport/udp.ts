import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { addressFamily, stripBrackets, unmapIPv4 } from './address.js';
import { asTransportError, errorCode } from './errors.js';
import { nextId } from './flow-id.js';
import type { TransportContext } from './transport-context.js';
import { TransportError } from './types.js';
import type { Flow, ListenAddress, SendTarget } from './types.js';

/** Largest UDP payload over IPv4: 65,535 minus the IP and UDP headers (RFC 3261 §18.1.1). */
const MAX_DATAGRAM = 65_507;

interface UdpSocket {
  /** `udp:<n>`: the first part of the id of every flow through this socket. */
  readonly key: string;
  readonly socket: Socket;
  readonly family: 4 | 6;
  /** Bound to `::` without ipv6Only, so it also carries IPv4 (as IPv4-mapped addresses). */
  readonly dualStack: boolean;
  readonly address: string;
  readonly port: number;
}

/**
 * SIP over UDP (RFC 3261 §18): one datagram is one message (no Content-Length needed, §18.3). A UDP flow
 * is the pair (local socket, remote address and port); its id is `udp:<n>|<address>|<port>`, and a send
 * with that `flowId` leaves from the same socket, as symmetric response routing needs (RFC 3581 §4).
 * Datagrams holding only CR/LF (keep-alives some clients send) are dropped.
 */
export class UdpTransport {
  private readonly sockets = new Map<string, UdpSocket>();

  constructor(
    private readonly ctx: TransportContext,
    /** SO_RCVBUF in bytes; the default is too small for tens of thousands of requests/s. */
    private readonly recvBufferSize: number,
  ) {}

  /** Binds a socket; the host must be an IP address (`0.0.0.0` / `::` for all). */
  async listen(host: string, port: number): Promise<ListenAddress> {
    const family = addressFamily(host);
    if (family === 0) throw new TransportError(`UDP needs an IP address to listen on, not '${host}'`, 'EBADADDR');
    const address = stripBrackets(host);
    const socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(asTransportError(err, `cannot listen on UDP ${address}:${port}`));
      };
      socket.once('error', onError);
      socket.bind({ address, port }, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    try {
      socket.setRecvBufferSize(this.recvBufferSize);
    } catch (err) {
      this.ctx.logger.warn({ err, size: this.recvBufferSize }, 'cannot set the UDP receive buffer size');
    }
    const bound = socket.address();
    const u: UdpSocket = {
      key: nextId('udp'),
      socket,
      family,
      dualStack: family === 6 && bound.address === '::',
      address: bound.address,
      port: bound.port,
    };
    socket.on('message', (data: Buffer, rinfo: RemoteInfo) => this.datagram(u, data, rinfo));
    socket.on('error', (err) => this.ctx.logger.warn({ err, socket: u.key }, 'UDP socket error'));
    this.sockets.set(u.key, u);
    return { transport: 'UDP', address: u.address, port: u.port };
  }

  /**
   * Sends one datagram from the socket named by `target.flowId`, else from the first socket of the
   * target's address family.
   * @throws TransportError `ENOLISTENER` (no socket for that family), `ETOOBIG`, or the socket's error code.
   */
  async send(target: SendTarget, data: Buffer): Promise<Flow> {
    if (data.length > MAX_DATAGRAM) {
      throw new TransportError(`${data.length} bytes do not fit in a UDP datagram`, 'ETOOBIG');
    }
    const family = addressFamily(target.address);
    const u = this.pick(target.flowId, family);
    if (!u) throw new TransportError(`no UDP socket can reach ${target.address}`, 'ENOLISTENER');
    const remote = stripBrackets(target.address);
    const to = u.family === 6 && family === 4 ? `::ffff:${remote}` : remote;
    await new Promise<void>((resolve, reject) => {
      const done = (err: Error | null): void => {
        if (!err) resolve();
        else reject(new TransportError(`UDP send to ${remote}:${target.port} failed: ${err.message}`, errorCode(err)));
      };
      try {
        u.socket.send(data, target.port, to, done);
      } catch (err) {
        done(err as Error);
      }
    });
    return flowOf(u, remote, target.port);
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    const all = [...this.sockets.values()];
    this.sockets.clear();
    await Promise.all(all.map((u) => new Promise<void>((resolve) => u.socket.close(() => resolve()))));
  }

  private datagram(u: UdpSocket, data: Buffer, rinfo: RemoteInfo): void {
    if (onlyLineEnds(data)) return;
    this.ctx.receive(data, flowOf(u, unmapIPv4(rinfo.address), rinfo.port), false);
  }

  private pick(flowId: string | undefined, family: 0 | 4 | 6): UdpSocket | undefined {
    if (flowId) {
      const bar = flowId.indexOf('|');
      const named = this.sockets.get(bar < 0 ? flowId : flowId.slice(0, bar));
      if (named && reaches(named, family)) return named;
    }
    let fallback: UdpSocket | undefined;
    for (const u of this.sockets.values()) {
      if (u.family === family || family === 0) return u;
      if (!fallback && reaches(u, family)) fallback = u;
    }
    return fallback;
  }
}

/** Whether a socket can send to an address of this family (0: a host name, resolved in the socket's family). */
function reaches(u: UdpSocket, family: 0 | 4 | 6): boolean {
  return family === 0 || family === u.family || (family === 4 && u.dualStack);
}

function flowOf(u: UdpSocket, remoteAddress: string, remotePort: number): Flow {
  return {
    id: `${u.key}|${remoteAddress}|${remotePort}`,
    transport: 'UDP',
    localAddress: u.address,
    localPort: u.port,
    remoteAddress,
    remotePort,
  };
}

function onlyLineEnds(data: Buffer): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0x0d && data[i] !== 0x0a) return false;
  return true;
}
