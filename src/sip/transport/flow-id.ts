import type { Socket } from 'node:net';
import { unmapIPv4 } from './address.js';
import type { Flow } from './types.js';

/**
 * Flow and socket identifiers (`tcp:17`, `udp:3`): a prefix and a counter shared by every transport
 * layer in the process, so an id names one flow for the life of the process (see `Flow.id`); and the
 * flow of a connected stream socket under a new id.
 */
let counter = 0;

/** The next identifier with this prefix, e.g. `nextId('tcp')` → `tcp:17`. */
export function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}:${counter}`;
}

/**
 * The flow of a connected TCP, TLS or WebSocket connection's socket, under a new id (`tcp:17`, `wss:4`):
 * addresses as the socket reports them, IPv4-mapped IPv6 addresses as IPv4; '' and 0 when the socket
 * no longer knows them.
 */
export function streamFlow(socket: Socket, transport: 'TCP' | 'TLS' | 'WS' | 'WSS'): Flow {
  return {
    id: nextId(transport.toLowerCase()),
    transport,
    localAddress: unmapIPv4(socket.localAddress ?? ''),
    localPort: socket.localPort ?? 0,
    remoteAddress: unmapIPv4(socket.remoteAddress ?? ''),
    remotePort: socket.remotePort ?? 0,
  };
}
