import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../../util/logger.js';
import { silentLogger } from '../../util/logger.js';
import { ConnectionTable } from './connection-table.js';
import { asTransportError } from './errors.js';
import { InboundPipeline } from './inbound.js';
import type { InboundListener } from './inbound.js';
import { resolveLimits } from './limits.js';
import type { TransportLimits } from './limits.js';
import { LoopTransport } from './loop.js';
import type { LoopNetwork } from './loop.js';
import { StreamTransport } from './stream-transport.js';
import type { TransportStats } from './transport-context.js';
import { TransportError } from './types.js';
import type { Flow, ListenAddress, ListenSpec, SendTarget, TransportName, TransportSender } from './types.js';
import { UdpTransport } from './udp.js';
import { WsTransport } from './ws.js';

/** Options of a {@link TransportLayer}. */
export interface TransportLayerOptions {
  logger?: Logger;
  /** Limits; unset ones take the defaults of `DEFAULT_LIMITS`. */
  limits?: Partial<TransportLimits>;
  /**
   * SO_RCVBUF of UDP sockets in bytes (default 4 MiB: Node's default of about 208 kB drops datagrams
   * above roughly 18,000 requests/s).
   */
  udpRecvBufferSize?: number;
  /**
   * Options for outgoing TLS connections (`ca`, `cert`, `key`, `rejectUnauthorized`, …), applied over the
   * credentials of the first TLS listener.
   */
  tlsClient?: ConnectionOptions;
  /** The in-memory network that LOOP listeners join; required to listen on LOOP. */
  loopNetwork?: LoopNetwork;
}

const DEFAULT_UDP_RECV_BUFFER = 4 * 1024 * 1024;

/**
 * The SIP transport layer (RFC 3261 §18): UDP, TCP, TLS, WS, WSS (RFC 7118) and the in-memory LOOP,
 * behind one {@link TransportSender}. Every framed message goes through one inbound path (parse,
 * received/rport on requests) to {@link onInbound}; flows are reused for requests toward a peer
 * (RFC 5626, RFC 5923). Build it, set `onInbound`, then `listen`; `close` releases everything.
 */
export class TransportLayer implements TransportSender {
  private readonly pipeline: InboundPipeline;
  private readonly connections: ConnectionTable;
  private readonly udp: UdpTransport;
  private readonly tcp: StreamTransport;
  private readonly tls: StreamTransport;
  private readonly ws: WsTransport;
  private readonly wss: WsTransport;
  private readonly loop: LoopTransport;
  private closing: Promise<void> | undefined;

  constructor(opts: TransportLayerOptions = {}) {
    const limits = resolveLimits(opts.limits);
    this.connections = new ConnectionTable(limits.maxConnections);
    this.pipeline = new InboundPipeline(limits, opts.logger ?? silentLogger, this.connections);
    this.udp = new UdpTransport(this.pipeline, opts.udpRecvBufferSize ?? DEFAULT_UDP_RECV_BUFFER);
    this.tcp = new StreamTransport('TCP', this.pipeline);
    this.tls = new StreamTransport('TLS', this.pipeline, opts.tlsClient);
    this.ws = new WsTransport('WS', this.pipeline);
    this.wss = new WsTransport('WSS', this.pipeline);
    this.loop = new LoopTransport(opts.loopNetwork, this.pipeline);
  }

  /**
   * Receives every framed message: `{ kind: 'message' }` when it parsed, `{ kind: 'malformed' }` with the
   * parse failure (status 400/505/513 and the partial message when its headers could be read) when not.
   * Called synchronously from socket events; a listener that throws or rejects is logged, never fatal.
   */
  get onInbound(): InboundListener {
    return this.pipeline.listener;
  }

  set onInbound(listener: InboundListener) {
    this.pipeline.listener = listener;
  }

  /** Counters since creation and the connections open now (a fresh snapshot on each read). */
  get stats(): TransportStats {
    return { ...this.pipeline.counters, connectionsOpen: this.connections.size };
  }

  /**
   * Starts a listener. Port 0 binds an ephemeral port, reported in the result. Any number of listeners,
   * IPv4 and IPv6, may coexist.
   * @throws TransportError `EADDRINUSE` and other bind errors, `ENOCERT` (TLS/WSS without credentials),
   * `ENOLOOP` (LOOP without a loop network), `ECLOSED` after close.
   */
  async listen(spec: ListenSpec): Promise<ListenAddress> {
    if (this.closing) throw new TransportError('transport layer closed', 'ECLOSED');
    switch (spec.transport) {
      case 'UDP':
        return this.udp.listen(spec.host, spec.port);
      case 'TCP':
        return this.tcp.listen(spec);
      case 'TLS':
        return this.tls.listen(spec);
      case 'WS':
        return this.ws.listen(spec);
      case 'WSS':
        return this.wss.listen(spec);
      case 'LOOP':
        return this.loop.listen(spec.host, spec.port);
    }
  }

  /**
   * Sends one serialised message. A `flowId` naming an open connection wins over the transport named in
   * the target (RFC 5626 flow reuse); a gone stream flow falls back to address:port (RFC 3261 §18.2.2),
   * except for WS/WSS, which only clients can open.
   * @throws TransportError (`EFLOWGONE`, `ECONNREFUSED`, `ETIMEDOUT`, `ENOLISTENER`, `ETOOBIG`,
   * `ECONNLIMIT`, `ECLOSED`, …); never any other error.
   */
  async send(target: SendTarget, data: Buffer): Promise<Flow> {
    try {
      const flow = await this.dispatch(target, data);
      this.pipeline.counters.messagesOut++;
      return flow;
    } catch (err) {
      this.pipeline.counters.sendErrors++;
      throw asTransportError(err, `send to ${target.transport} ${target.address}:${target.port} failed`);
    }
  }

  /** True for the transports with reliable delivery: TCP, TLS, WS, WSS and LOOP (RFC 3261 §17, RFC 7118 §5). */
  isReliable(transport: TransportName): boolean {
    return transport !== 'UDP';
  }

  /** Closes every listener, connection and socket. Safe to call more than once; later calls wait for the first. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async dispatch(target: SendTarget, data: Buffer): Promise<Flow> {
    if (this.closing) throw new TransportError('transport layer closed', 'ECLOSED');
    const open = target.flowId ? this.connections.get(target.flowId) : undefined;
    if (open) {
      await open.send(data);
      return open.flow;
    }
    switch (target.transport) {
      case 'UDP':
        return this.udp.send(target, data);
      case 'TCP':
        return this.tcp.send(target, data);
      case 'TLS':
        return this.tls.send(target, data);
      case 'WS':
      case 'WSS':
        return this.sendWebSocket(target, data);
      case 'LOOP':
        return this.loop.send(target, data);
    }
  }

  /** WebSocket: only over a connection the client opened, found by flow or by its address and port. */
  private async sendWebSocket(target: SendTarget, data: Buffer): Promise<Flow> {
    const c = this.connections.find(target.transport, target.address, target.port);
    if (!c) {
      const what = target.flowId ? `flow ${target.flowId}` : `${target.address}:${target.port}`;
      throw new TransportError(`no open ${target.transport} connection for ${what}`, 'EFLOWGONE');
    }
    await c.send(data);
    return c.flow;
  }

  private async shutdown(): Promise<void> {
    this.connections.closeAll();
    await Promise.all([this.udp.close(), this.tcp.close(), this.tls.close(), this.ws.close(), this.wss.close(), this.loop.close()]);
  }
}
