import type { MessageParseResult } from '../parser/parse-message.js';
import type { SipMessage } from '../message/message.js';

/**
 * Shared types of the transport layer (RFC 3261 §18). Transport names are written as in a Via header.
 */

/** A SIP transport, spelled as in the Via sent-protocol. `LOOP` is the in-memory transport. */
export type TransportName = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS' | 'LOOP';

/**
 * The path a message arrived on or left by: a connection for stream transports (TCP, TLS, WS, WSS), or
 * the (local socket, remote address and port) pair for UDP. A request toward a peer sent with the
 * `flowId` of its flow goes back over that same connection (RFC 5626, RFC 5923), which is how a NOTIFY
 * reaches a watcher behind NAT or on a WebSocket.
 */
export interface Flow {
  /** Opaque, unique for the life of the process, e.g. `tcp:17`. */
  readonly id: string;
  readonly transport: TransportName;
  /** Local address the message was received on / sent from (IPv6 without brackets). */
  readonly localAddress: string;
  readonly localPort: number;
  /** Remote address (IPv6 without brackets) and port. */
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** Where to send a message. */
export interface SendTarget {
  transport: TransportName;
  /** IP address or host name; IPv6 without brackets. */
  address: string;
  port: number;
  /**
   * Prefer this existing flow. For stream transports the message goes over that connection if it is
   * still open (else a new connection is opened to address:port, except for WS/WSS where a dead flow is a
   * {@link TransportError}); for UDP it selects the local socket.
   */
  flowId?: string;
  /**
   * TLS only: the name to send in SNI and to check the server certificate against (e.g. `home2.net` when
   * `address` is the IP address RFC 3263 resolution gave). Defaults to `address`.
   */
  serverName?: string;
}

/** Certificate and key of a TLS or WSS listener (PEM). */
export interface TlsCredentials {
  cert: string | Buffer;
  key: string | Buffer;
  /** Trusted CA certificates (PEM); also used to verify peers when this node connects out over TLS. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Ask every client for a certificate signed by `ca` and refuse those without one (mutual TLS). */
  requestCert?: boolean;
}

/** What to listen on: a transport, a local IP address (IPv6 without brackets) and a port (0 = ephemeral). */
export interface ListenSpec {
  transport: TransportName;
  host: string;
  port: number;
  /** Required for TLS and WSS. */
  tls?: TlsCredentials;
}

/** Where a listener was bound: the port is the real one when 0 was asked for. */
export interface ListenAddress {
  transport: TransportName;
  address: string;
  port: number;
}

/** A transport failure on send (connection refused or closed, unknown flow, socket error). */
export class TransportError extends Error {
  constructor(
    message: string,
    /** Stable code: `ECONNREFUSED`, `EFLOWGONE`, `ETOOBIG`, `ECLOSED`, … */
    readonly code: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/**
 * What the transport layer hands upward for each framed message: either a parsed message, or the parse
 * failure (with the partial message when the start line and headers could be read) so the layer above
 * can answer a malformed request with 400 and drop a malformed response.
 */
export type Inbound =
  | { kind: 'message'; message: SipMessage; flow: Flow }
  | { kind: 'malformed'; result: Extract<MessageParseResult, { ok: false }>; flow: Flow };

/** The part of the transport layer that the transaction layer needs (STYLE habit 2). */
export interface TransportSender {
  /**
   * Sends one serialised message. Resolves with the flow it left on; rejects with {@link TransportError}.
   */
  send(target: SendTarget, data: Buffer): Promise<Flow>;
  /** True for stream transports (TCP, TLS, WS, WSS, LOOP): Timers E/G/K/I are 0, A/B/F/J adapt (§17). */
  isReliable(transport: TransportName): boolean;
}
