/**
 * Resource limits of the transport layer (STYLE habit 9: every limit explicit, each class gets its
 * slice). Sizes are in bytes, durations in milliseconds.
 */
export interface TransportLimits {
  /**
   * Largest SIP message accepted, in bytes (default 65,535, the UDP maximum of RFC 3261 §18.1.1). A larger
   * message is handed up as malformed with status 513; on a stream the connection is then closed.
   */
  maxMessageSize: number;
  /** Open stream connections (TCP, TLS, WS, WSS; accepted and opened) at most (default 10,000). */
  maxConnections: number;
  /**
   * Bytes held per stream connection while a message is incomplete (default 2 × maxMessageSize). Going
   * over it is a framing error: the connection is closed.
   */
  maxStreamBuffer: number;
  /**
   * A stream connection with no traffic either way for this long is closed (default 3,600,000 ms: one
   * hour, longer than the default presence subscription refresh of RFC 3856 §6.4, and far above the
   * 64×T1 that RFC 3261 §18 recommends as the minimum).
   */
  idleTimeoutMs: number;
  /** An outgoing TCP connection (with its TLS handshake) not established after this long fails (default 10,000 ms). */
  connectTimeoutMs: number;
}

/** The defaults documented on {@link TransportLimits}. */
export const DEFAULT_LIMITS: Readonly<TransportLimits> = Object.freeze({
  maxMessageSize: 65_535,
  maxConnections: 10_000,
  maxStreamBuffer: 2 * 65_535,
  idleTimeoutMs: 3_600_000,
  connectTimeoutMs: 10_000,
});

/**
 * Fills in defaults (maxStreamBuffer follows maxMessageSize when not given) and checks every value.
 * @throws RangeError when a limit is not a positive integer.
 */
export function resolveLimits(given: Partial<TransportLimits> = {}): Readonly<TransportLimits> {
  const maxMessageSize = given.maxMessageSize ?? DEFAULT_LIMITS.maxMessageSize;
  const limits: TransportLimits = {
    maxMessageSize,
    maxConnections: given.maxConnections ?? DEFAULT_LIMITS.maxConnections,
    maxStreamBuffer: given.maxStreamBuffer ?? 2 * maxMessageSize,
    idleTimeoutMs: given.idleTimeoutMs ?? DEFAULT_LIMITS.idleTimeoutMs,
    connectTimeoutMs: given.connectTimeoutMs ?? DEFAULT_LIMITS.connectTimeoutMs,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`transport limit ${name} must be a positive integer`);
  }
  return Object.freeze(limits);
}
