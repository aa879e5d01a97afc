import { isUtf8 } from 'node:buffer';
import { createServer as httpServer, STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { createServer as httpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import type { Connection } from './connection-table.js';
import { errorCode } from './errors.js';
import { streamFlow } from './flow-id.js';
import { closeServer, listenOn } from './net-server.js';
import type { TransportContext } from './transport-context.js';
import { TransportError } from './types.js';
import type { Flow, ListenAddress, ListenSpec } from './types.js';

/** The WebSocket subprotocol of RFC 7118 §4.1. */
const SUBPROTOCOL = 'sip';
const PONG = Buffer.from('\r\n');

/**
 * SIP over WebSocket (RFC 7118), WS on http and WSS on https. Only clients open WebSocket connections,
 * so a server sends over the flow a client opened; with that flow gone a request cannot be delivered
 * (`EFLOWGONE`). Plain HTTP requests get 426 Upgrade Required.
 */
export class WsTransport {
  private readonly servers: Server[] = [];
  private readonly wss: WebSocketServer;
  private closed = false;

  constructor(
    private readonly kind: 'WS' | 'WSS',
    private readonly ctx: TransportContext,
  ) {
    // A message between maxMessageSize and maxStreamBuffer reaches the parser and is answered 513; a
    // larger one makes `ws` close the connection (1009).
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: ctx.limits.maxStreamBuffer,
      handleProtocols: () => SUBPROTOCOL,
    });
  }

  async listen(spec: ListenSpec): Promise<ListenAddress> {
    let server: Server;
    if (this.kind === 'WSS') {
      const creds = spec.tls;
      if (!creds) throw new TransportError('a WSS listener needs tls.cert and tls.key', 'ENOCERT');
      const requestCert = creds.requestCert === true;
      server = httpsServer({ cert: creds.cert, key: creds.key, ca: creds.ca, requestCert, rejectUnauthorized: requestCert });
    } else {
      server = httpServer();
    }
    server.on('request', (_req, res) => {
      res.writeHead(426, { Upgrade: 'websocket', Connection: 'Upgrade', 'Content-Type': 'text/plain' });
      res.end('SIP over WebSocket (RFC 7118): open a WebSocket with subprotocol "sip"\n');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    server.on('clientError', (_err, socket: Duplex) => socket.destroy());
    const bound = await listenOn(server, spec.host, spec.port);
    server.on('error', (err) => this.ctx.logger.error({ err, transport: this.kind }, 'listener error'));
    this.servers.push(server);
    return { transport: this.kind, address: bound.address, port: bound.port };
  }

  /** Stops listening (open WebSocket connections are closed through the connection table). */
  async close(): Promise<void> {
    this.closed = true;
    const servers = this.servers.splice(0);
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map(closeServer));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.closed) return refuse(socket, 503, 'closing');
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    // RFC 7118 §4.1: the client MUST offer "sip" and the 101 MUST carry it, so a handshake without it is refused.
    if (!offered.includes(SUBPROTOCOL)) return refuse(socket, 400, 'the WebSocket subprotocol "sip" is required');
    if (!this.ctx.connections.hasRoom()) {
      this.ctx.counters.connectionsRefused++;
      this.ctx.logger.warn({ transport: this.kind, remote: req.socket.remoteAddress }, 'connection limit reached: refused');
      return refuse(socket, 503, 'too many connections');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.closed) ws.terminate();
      else new WsConnection(ws, req, this.kind, this.ctx);
    });
  }
}

/** Answers a WebSocket handshake with an HTTP error and closes the socket. */
function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    () => socket.destroy(),
  );
}

/**
 * One WebSocket connection: each WebSocket message (text or binary) is exactly one SIP message
 * (RFC 7118 §5), parsed without stream framing. CRLF keep-alives (RFC 7118 §6, RFC 5626 §4.4.1) get a
 * CRLF pong. Outgoing messages go as text frames, as binary frames when not valid UTF-8 (RFC 7118 §4.2).
 */
class WsConnection implements Connection {
  readonly flow: Flow;

  constructor(
    private readonly ws: WebSocket,
    req: IncomingMessage,
    transport: 'WS' | 'WSS',
    private readonly ctx: TransportContext,
  ) {
    const s = req.socket;
    this.flow = streamFlow(s, transport);
    s.setTimeout(ctx.limits.idleTimeoutMs);
    s.on('timeout', () => {
      ctx.logger.debug({ flow: this.flow.id }, 'idle connection closed');
      ws.terminate();
    });
    ws.on('message', (data: RawData) => this.message(toBuffer(data)));
    ws.on('error', (err) => {
      ctx.logger.debug({ err, flow: this.flow.id }, 'WebSocket error');
      ws.terminate();
    });
    ws.on('close', () => ctx.connections.remove(this));
    ctx.connections.add(this);
  }

  send(data: Buffer): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new TransportError(`flow ${this.flow.id} is closed`, 'EFLOWGONE'));
    }
    return new Promise((resolve, reject) => {
      this.ws.send(data, { binary: !isUtf8(data) }, (err) => {
        if (!err) resolve();
        else reject(new TransportError(`send on flow ${this.flow.id} failed: ${err.message}`, errorCode(err, 'EFLOWGONE')));
      });
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private message(data: Buffer): void {
    let lf = 0;
    for (let i = 0; i < data.length; i++) {
      const c = data[i];
      if (c === 0x0a) lf++;
      else if (c !== 0x0d) {
        this.ctx.receive(data, this.flow, false);
        return;
      }
    }
    // Only CR/LF: a keep-alive; a double CRLF is a ping.
    if (lf >= 2) this.ws.send(PONG, { binary: false });
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
