import type { Logger } from '../../util/logger.js';
import type { ConnectionTable } from './connection-table.js';
import type { TransportLimits } from './limits.js';
import type { Flow } from './types.js';

/** Event counters of a transport layer since it was created. */
export interface TransportCounters {
  /** Well-formed messages handed up. */
  messagesIn: number;
  /** Messages sent. */
  messagesOut: number;
  /** Malformed requests handed up (the layer above answers them, RFC 3261 §18.3). */
  malformedRequests: number;
  /** Malformed responses handed up (the layer above drops them, RFC 3261 §18.3). */
  malformedResponses: number;
  /** Streams that could not be framed (missing or bad Content-Length, too large); each closed its connection. */
  framingErrors: number;
  /** Connections refused or not opened because maxConnections were open. */
  connectionsRefused: number;
  /** Sends that failed with a TransportError. */
  sendErrors: number;
}

/** {@link TransportCounters} and the number of stream connections open now. */
export interface TransportStats extends TransportCounters {
  connectionsOpen: number;
}

/**
 * What the individual transports (udp, stream, ws, loop) get from the layer: limits, logger, counters,
 * the connection table, and the inbound path that parses a framed message and hands it up.
 */
export interface TransportContext {
  readonly limits: Readonly<TransportLimits>;
  readonly logger: Logger;
  readonly counters: TransportCounters;
  readonly connections: ConnectionTable;
  /**
   * Parses one framed message and hands it up. `stream` is true for Content-Length framed input (TCP,
   * TLS), false for datagrams and message-oriented transports (UDP, WS, LOOP).
   */
  receive(data: Buffer, flow: Flow, stream: boolean): void;
  /** Hands up a stream framing failure as a malformed message (see `FramerSink.fail`). */
  framingError(status: number, defect: string, bytes: Buffer, headComplete: boolean, flow: Flow): void;
}
