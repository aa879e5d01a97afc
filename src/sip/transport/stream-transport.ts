import { connect as netConnect, createServer as netServer, isIP } from 'node:net';
import type { Server, Socket } from 'node:net';
import { connect as tlsConnect, createServer as tlsServer } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { stripBrackets } from './address.js';
import type { Connection } from './connection-table.js';
import { remoteKey } from './connection-table.js';
import { asTransportError } from './errors.js';
import { closeServer, listenOn } from './net-server.js';
import { StreamConnection } from './stream-connection.js';
import type { TransportContext } from './transport-context.js';
import { TransportError } from './types.js';
import type { Flow, ListenAddress, ListenSpec, SendTarget, TlsCredentials } from './types.js';

/**
 * SIP over TCP or TLS (RFC 3261 §18, §26.2): listeners that accept connections, and outgoing connections
 * opened on demand. A request to a far end that already has an open connection reuses it (§18.1.1,
 * RFC 5923), whether this side opened it or accepted it; concurrent sends to one far end share one
 * connection attempt.
 *
 * For TLS the credentials of the first TLS listener also serve as client certificate and trusted CAs
 * when connecting out (mutual TLS between networks), overridden by the layer's `tlsClient` options.
 */
export class StreamTransport {
  private readonly servers: Server[] = [];
  private readonly connecting = new Map<string, Promise<Connection>>();
  private readonly pending = new Set<Socket>();
  private credentials: TlsCredentials | undefined;
  private closed = false;

  constructor(
    private readonly kind: 'TCP' | 'TLS',
    private readonly ctx: TransportContext,
    private readonly tlsClient: ConnectionOptions = {},
  ) {}

  async listen(spec: ListenSpec): Promise<ListenAddress> {
    let server: Server;
    if (this.kind === 'TLS') {
      const creds = spec.tls;
      if (!creds) throw new TransportError('a TLS listener needs tls.cert and tls.key', 'ENOCERT');
      const requestCert = creds.requestCert === true;
      server = tlsServer({ cert: creds.cert, key: creds.key, ca: creds.ca, requestCert, rejectUnauthorized: requestCert });
      server.on('secureConnection', (socket: Socket) => this.accept(socket));
      server.on('tlsClientError', (err: Error, socket: Socket) => {
        this.ctx.logger.debug({ err }, 'TLS handshake failed');
        socket.destroy();
      });
      this.credentials ??= creds;
    } else {
      server = netServer((socket) => this.accept(socket));
    }
    const bound = await listenOn(server, spec.host, spec.port);
    server.on('error', (err) => this.ctx.logger.error({ err, transport: this.kind }, 'listener error'));
    this.servers.push(server);
    return { transport: this.kind, address: bound.address, port: bound.port };
  }

  /**
   * Sends over the open connection to target address:port, else over a new one.
   * @throws TransportError `ECONNREFUSED`, `ETIMEDOUT` (connectTimeoutMs), `ECONNLIMIT`, a TLS verification
   * code, or `ECLOSED` once the layer is closing.
   */
  async send(target: SendTarget, data: Buffer): Promise<Flow> {
    const c = this.ctx.connections.find(this.kind, target.address, target.port) ?? (await this.connect(target));
    await c.send(data);
    return c.flow;
  }

  /** Stops listening and abandons connection attempts in progress. */
  async close(): Promise<void> {
    this.closed = true;
    for (const socket of this.pending) socket.destroy();
    await Promise.all(this.servers.splice(0).map(closeServer));
  }

  private accept(socket: Socket): void {
    if (this.closed || !socket.remoteAddress) {
      socket.destroy();
      return;
    }
    if (!this.ctx.connections.hasRoom()) {
      this.ctx.counters.connectionsRefused++;
      this.ctx.logger.warn({ transport: this.kind, remote: socket.remoteAddress }, 'connection limit reached: refused');
      socket.destroy();
      return;
    }
    new StreamConnection(socket, this.kind, this.ctx);
  }

  private connect(target: SendTarget): Promise<Connection> {
    const key = remoteKey(this.kind, target.address, target.port);
    let attempt = this.connecting.get(key);
    if (!attempt) {
      attempt = this.open(target).finally(() => this.connecting.delete(key));
      this.connecting.set(key, attempt);
    }
    return attempt;
  }

  private open(target: SendTarget): Promise<Connection> {
    const host = stripBrackets(target.address);
    const where = `${this.kind} connection to ${host}:${target.port}`;
    if (this.closed) return Promise.reject(new TransportError(`${where}: transport closed`, 'ECLOSED'));
    if (!this.ctx.connections.hasRoom()) {
      this.ctx.counters.connectionsRefused++;
      return Promise.reject(new TransportError(`${where}: connection limit reached`, 'ECONNLIMIT'));
    }
    const socket = this.kind === 'TLS'
      ? tlsConnect({ ...this.tlsOptions(), host, port: target.port, servername: serverName(target, host) })
      : netConnect({ host, port: target.port });
    const ready = this.kind === 'TLS' ? 'secureConnect' : 'connect';
    this.pending.add(socket);
    socket.setTimeout(this.ctx.limits.connectTimeoutMs);
    return new Promise((resolve, reject) => {
      const settle = (err?: TransportError): void => {
        this.pending.delete(socket);
        socket.off('error', onError).off('timeout', onTimeout).off('close', onClose).off(ready, onReady);
        if (!err && this.closed) err = new TransportError(`${where}: transport closed`, 'ECLOSED');
        if (err) {
          socket.on('error', () => undefined);
          socket.destroy();
          reject(err);
        } else {
          resolve(new StreamConnection(socket, this.kind, this.ctx));
        }
      };
      const onError = (err: Error): void => settle(asTransportError(err, `${where} failed`));
      const onTimeout = (): void => settle(new TransportError(`${where} timed out`, 'ETIMEDOUT'));
      const onClose = (): void => settle(new TransportError(`${where} closed`, 'ECLOSED'));
      const onReady = (): void => settle();
      socket.once('error', onError).once('timeout', onTimeout).once('close', onClose).once(ready, onReady);
    });
  }

  private tlsOptions(): ConnectionOptions {
    const c = this.credentials;
    const own: ConnectionOptions = c ? { cert: c.cert, key: c.key, ...(c.ca ? { ca: c.ca } : {}) } : {};
    return { ...own, ...this.tlsClient };
  }
}

/** SNI and certificate name: the target's serverName, else the host when it is a name (RFC 6066 forbids IPs in SNI). */
function serverName(target: SendTarget, host: string): string | undefined {
  if (target.serverName) return target.serverName;
  return isIP(host) ? undefined : host;
}
