import { addressKey } from './address.js';
import type { Flow, TransportName } from './types.js';

/** One open stream connection (TCP, TLS, WS or WSS) as the transport layer tracks it. */
export interface Connection {
  readonly flow: Flow;
  /**
   * Writes one message. Resolves once it is handed to the socket.
   * @throws TransportError `EFLOWGONE` when the connection has closed.
   */
  send(data: Buffer): Promise<void>;
  /** Closes the connection at once; the table entry goes when the socket reports its close. */
  close(): void;
}

/**
 * The open connections, by flow id and by far end (transport, address, port), which is how RFC 3261 §18
 * indexes them for reuse: for an opened connection the destination, for an accepted one the source.
 */
export class ConnectionTable {
  private readonly byId = new Map<string, Connection>();
  private readonly byRemote = new Map<string, Connection>();

  constructor(private readonly max: number) {}

  /** Number of open connections. */
  get size(): number {
    return this.byId.size;
  }

  /** False when {@link TransportLimits.maxConnections} connections are open. */
  hasRoom(): boolean {
    return this.byId.size < this.max;
  }

  add(c: Connection): void {
    this.byId.set(c.flow.id, c);
    this.byRemote.set(remoteKey(c.flow.transport, c.flow.remoteAddress, c.flow.remotePort), c);
  }

  /** Forgets a connection (a newer one to the same far end stays indexed). */
  remove(c: Connection): void {
    this.byId.delete(c.flow.id);
    const key = remoteKey(c.flow.transport, c.flow.remoteAddress, c.flow.remotePort);
    if (this.byRemote.get(key) === c) this.byRemote.delete(key);
  }

  get(flowId: string): Connection | undefined {
    return this.byId.get(flowId);
  }

  /** The latest open connection of this transport to address:port. */
  find(transport: TransportName, address: string, port: number): Connection | undefined {
    return this.byRemote.get(remoteKey(transport, address, port));
  }

  /** Closes every connection. */
  closeAll(): void {
    for (const c of [...this.byId.values()]) c.close();
  }
}

/** The reuse key of a far end. */
export function remoteKey(transport: TransportName, address: string, port: number): string {
  return `${transport}|${addressKey(address)}|${port}`;
}
