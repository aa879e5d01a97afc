import type { Socket } from 'node:net';
import type { Connection } from './connection-table.js';
import { errorCode } from './errors.js';
import { streamFlow } from './flow-id.js';
import { StreamFramer } from './stream-framer.js';
import type { FramerSink } from './stream-framer.js';
import type { TransportContext } from './transport-context.js';
import { TransportError } from './types.js';
import type { Flow } from './types.js';

const PONG = Buffer.from('\r\n');

/**
 * One TCP or TLS connection carrying SIP (RFC 3261 §18): its flow, Content-Length framing, CRLF
 * keep-alive answers (RFC 5626 §4.4.1) and idle timeout. Registers itself in the connection table on
 * creation and leaves it when the socket closes. A socket error closes this connection only.
 */
export class StreamConnection implements Connection, FramerSink {
  readonly flow: Flow;
  private readonly framer: StreamFramer;
  /** False once a framing failure made the connection drain, or the socket closed. */
  private reading = true;

  constructor(
    private readonly socket: Socket,
    transport: 'TCP' | 'TLS',
    private readonly ctx: TransportContext,
  ) {
    this.flow = streamFlow(socket, transport);
    this.framer = new StreamFramer(ctx.limits, this);
    socket.setNoDelay(true);
    socket.setTimeout(ctx.limits.idleTimeoutMs);
    socket.on('timeout', () => {
      ctx.logger.debug({ flow: this.flow.id }, 'idle connection closed');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.framer.push(chunk));
    socket.on('error', (err) => {
      ctx.logger.debug({ err, flow: this.flow.id }, 'connection error');
      socket.destroy();
    });
    socket.on('close', () => {
      this.reading = false;
      ctx.connections.remove(this);
    });
    ctx.connections.add(this);
  }

  send(data: Buffer): Promise<void> {
    if (this.socket.destroyed || !this.socket.writable) {
      return Promise.reject(new TransportError(`flow ${this.flow.id} is closed`, 'EFLOWGONE'));
    }
    return new Promise((resolve, reject) => {
      this.socket.write(data, (err) => {
        if (!err) resolve();
        else reject(new TransportError(`send on flow ${this.flow.id} failed: ${err.message}`, errorCode(err, 'EFLOWGONE')));
      });
    });
  }

  close(): void {
    this.reading = false;
    this.socket.destroy();
  }

  /** @internal {@link FramerSink} */
  frame(message: Buffer): void {
    if (this.reading) this.ctx.receive(message, this.flow, true);
  }

  /** @internal {@link FramerSink}: RFC 5626 §4.4.1, a double-CRLF ping is answered with one CRLF. */
  ping(): void {
    if (this.reading && this.socket.writable) this.socket.write(PONG);
  }

  /**
   * @internal {@link FramerSink}: the stream cannot be framed any more. The failure goes up (so a 400 or
   * 513 can still be sent on this flow in the same turn of the event loop), then the connection ends.
   */
  fail(status: number, defect: string, bytes: Buffer, headComplete: boolean): void {
    if (!this.reading) return;
    this.reading = false;
    this.ctx.framingError(status, defect, bytes, headComplete, this.flow);
    setImmediate(() => {
      if (!this.socket.destroyed) this.socket.end(() => this.socket.destroy());
    });
  }
}
