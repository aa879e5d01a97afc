import { z } from 'zod';

/**
 * The configuration of `presenced serve`: one validated, frozen object grouped by layer (STYLE habit 9).
 * Every limit is explicit. Durations are named with their unit (`…Ms`, `…Seconds`).
 */

const port = z.number().int().min(0).max(65535);

const sipSchema = z.strictObject({
  /** Address to bind SIP listeners to (0.0.0.0 / :: for all interfaces). */
  host: z.string().min(1).default('0.0.0.0'),
  /** UDP and TCP port (RFC 3261 default 5060). */
  port: port.default(5060),
  /** TLS port, or absent for no TLS listener (needs tls.cert and tls.key). */
  tlsPort: port.optional(),
  /** SIP over WebSocket port (RFC 7118), or absent. */
  wsPort: port.optional(),
  /** SIP over secure WebSocket port, or absent (needs tls.cert and tls.key). */
  wssPort: port.optional(),
  tls: z
    .strictObject({
      /** PEM certificate chain file. */
      cert: z.string().min(1),
      /** PEM private key file. */
      key: z.string().min(1),
      /** PEM CA bundle for verifying peers, optional. */
      ca: z.string().min(1).optional(),
    })
    .optional(),
  /** RFC 3261 §17 timer base values in milliseconds. */
  timers: z
    .strictObject({
      t1Ms: z.number().int().min(1).max(60_000).default(500),
      t2Ms: z.number().int().min(1).max(600_000).default(4000),
      t4Ms: z.number().int().min(1).max(600_000).default(5000),
    })
    .prefault({}),
  limits: z
    .strictObject({
      /** Largest SIP message accepted, bytes; larger gets 513. */
      maxMessageSize: z.number().int().min(1500).max(1_048_576).default(65_535),
      /** Concurrent stream connections (TCP, TLS, WS) accepted. */
      maxConnections: z.number().int().min(1).max(1_000_000).default(10_000),
      /** A stream connection without traffic for this long is closed, seconds. */
      idleTimeoutSeconds: z.number().int().min(1).max(86_400).default(1800),
    })
    .prefault({}),
  /** Server header value on responses. */
  serverName: z.string().min(1).default('presenced'),
});

/** The whole configuration. */
export const configSchema = z.strictObject({
  /** The SIP domain this server serves (the host part of its users' AORs). */
  domain: z.string().min(1).default('localhost'),
  sip: sipSchema.prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
});

/** Validated configuration (deeply read-only once loaded). */
export type Config = z.infer<typeof configSchema>;

/** Configuration as written in a file or given on the command line: every field optional. */
export type ConfigInput = z.input<typeof configSchema>;
