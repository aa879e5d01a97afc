import { z } from 'zod';
import { parseCidr } from '../util/cidr.js';

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
  /**
   * Trusted peers (e.g. the S-CSCF), as IP addresses or CIDR networks: requests from them are not
   * challenged and their P-Asserted-Identity is believed (RFC 3325 §6); from anyone else it is ignored.
   */
  trustedPeers: z
    .array(z.string().refine((s) => parseCidr(s) !== undefined, { message: 'must be an IP address or CIDR network, e.g. 10.0.0.0/8' }))
    .max(1000)
    .default([]),
});

const authSchema = z.strictObject({
  /**
   * `digest` (default): REGISTER, and PUBLISH and SUBSCRIBE from our domain's users, are challenged
   * (RFC 3261 §22) against the subscribers' credentials (`presenced users`). `none`: nobody is
   * challenged and the From is believed — for lab networks only; announced as a warning at start.
   */
  mode: z.enum(['digest', 'none']).default('digest'),
  /** The digest realm (RFC 3261 §22.1); default the SIP domain. Changing it invalidates every password. */
  realm: z.string().min(1).optional(),
  /** How long a nonce is good for, seconds; an older one gets a stale challenge (RFC 7616 §3.3). */
  nonceTtlSeconds: z.number().int().min(10).max(3600).default(300),
});

/** Allowed durations in seconds (RFC 6665 §4.2.1.1, RFC 3903 §6, RFC 3261 §10.3). */
function expiry(def: number, min: number, max: number) {
  return z
    .strictObject({
      defaultSeconds: z.number().int().min(1).max(4_294_967_295).default(def),
      minSeconds: z.number().int().min(1).max(4_294_967_295).default(min),
      maxSeconds: z.number().int().min(1).max(4_294_967_295).default(max),
    })
    .prefault({})
    .refine((e) => e.minSeconds <= e.defaultSeconds && e.defaultSeconds <= e.maxSeconds, {
      message: 'needs minSeconds <= defaultSeconds <= maxSeconds',
    });
}

const presenceSchema = z.strictObject({
  /**
   * What happens to a watcher no rule names (until pres-rules land, the only rule; TS 23.141 §7):
   * allow, confirm (held pending), or block. A presentity may always watch itself.
   */
  defaultSubHandling: z.enum(['allow', 'confirm', 'block']).default('allow'),
  /** Subscription durations (RFC 3856 §6.4: default 3600 s). */
  subscriptionExpires: expiry(3600, 60, 86_400),
  /** Publication durations (RFC 3903 §6). */
  publicationExpires: expiry(3600, 60, 86_400),
  /** Largest PIDF document accepted in a PUBLISH, bytes (413 above). */
  maxDocumentBytes: z.number().int().min(1024).max(1_048_576).default(65_536),
  /** Composition precedence between source kinds, first wins (TS 23.141 §5.1). */
  precedence: z
    .array(z.enum(['user', 'network', 'external']))
    .length(3)
    .refine((a) => new Set(a).size === 3, { message: 'must name user, network and external once each' })
    .default(['user', 'network', 'external']),
  /** How pres-rules are evaluated (issue 4; TS 23.141 §7, RFC 4745 §10). */
  authorization: z
    .strictObject({
      /**
       * `ts23141`: blocking, personal, then general lists, the first list with a match decides;
       * `rfc4745`: every matching rule combines (RFC 4745 §10).
       */
      order: z.enum(['ts23141', 'rfc4745']).default('ts23141'),
      /**
       * A presentity without a pres-rules document gets the operator's default rule set (the OMA
       * wp_prs_* rules: allow own, granted contacts, blocked contacts, confirm the unlisted, block
       * anonymous) instead of `defaultSubHandling`.
       */
      defaultRules: z.boolean().default(false),
    })
    .prefault({}),
  /**
   * How long a subscription may stay pending (unauthorised, e.g. a watcher the rules say to confirm),
   * seconds from the SUBSCRIBE that created it; then it ends with reason=giveup (RFC 6665 §4.1.3). RFC
   * 3857 §4.7.1 asks for a large value, so that a presentity who logs in days later still sees who asked:
   * 7 days by default. 0: no such timer (a pending subscription lasts as long as it is refreshed).
   */
  pendingTimeoutSeconds: z.number().int().min(0).max(2_592_000).default(604_800),
  /** Watcher information (RFC 3857, RFC 3858; issue 5). */
  winfo: z
    .strictObject({
      /**
       * How long past watchers, fetches and subscriptions are kept and shown to the presentity, seconds
       * (TS 23.141 §5.1: a maximum period the operator configures); older entries are purged. Default 7 days.
       */
      historySeconds: z.number().int().min(60).max(31_536_000).default(604_800),
    })
    .prefault({}),
  /**
   * Local notification rate policy (TS 23.141 §5.1: rate-limiting by local policy; RFC 6446 rates are
   * agreed within it). 0 ms: no limit, so a single change is never delayed; set the presentity interval
   * to 5000 for RFC 3856 §6.10 (at most one notification per presentity every five seconds). A change
   * held back is sent, with the newest state, when the interval ends.
   */
  rateControl: z
    .strictObject({
      /** Least time between two NOTIFYs of one subscription, ms (0-3,600,000). */
      minIntervalPerWatcherMs: z.number().int().min(0).max(3_600_000).default(0),
      /** Least time between two rounds of NOTIFYs about one presentity's changes, ms (0-3,600,000). */
      minIntervalPerPresentityMs: z.number().int().min(0).max(3_600_000).default(0),
    })
    .prefault({}),
  /**
   * Most NOTIFY transactions in progress at once (1-100,000): a change fanned out to more watchers goes
   * out as answers come back, each watcher's NOTIFY waiting its turn with the newest state, instead of in
   * one burst that overflows the receivers' sockets and then retransmits (RFC 3261 §17.1.2.2).
   */
  maxNotifiesInFlight: z.number().int().min(1).max(100_000).default(256),
  /** Identities (AORs) whose PUBLISHes count as the presence network agent's (TS 23.141 §5.2.2). */
  networkAgents: z.array(z.string().min(1)).default([]),
  /** Identities (AORs) whose PUBLISHes count as external agents' (TS 23.141 §5.2.3). */
  externalAgents: z.array(z.string().min(1)).default([]),
});

const registrarSchema = z.strictObject({
  /** Binding durations (RFC 3261 §10.3 step 7). */
  expires: expiry(3600, 60, 86_400),
  /** Most bindings one address-of-record may hold. */
  maxBindingsPerAor: z.number().int().min(1).max(1000).default(20),
});

const storeSchema = z.strictObject({
  /** Where durable state lives: `sqlite` (the embedded default) or `memory` (lost on exit; labs, tests). */
  kind: z.enum(['sqlite', 'memory']).default('sqlite'),
  /** Directory of the SQLite database (created if missing). */
  dataDir: z.string().min(1).default('./data'),
  /**
   * SQLite synchronous mode: NORMAL survives a crash of the process (kill -9); FULL also survives a
   * crash of the operating system, at about half the write rate.
   */
  synchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
});

const httpSchema = z.strictObject({
  /** Address the HTTP port (XCAP, the API) binds to; default: the SIP host. */
  host: z.string().min(1).optional(),
  /** HTTP port of XCAP (Ut, RFC 4825) and the API; 0 picks a free port. */
  port: port.default(8080),
});

const xcapSchema = z.strictObject({
  /** The XCAP root path (RFC 4825 §6.1). */
  root: z
    .string()
    .regex(/^\/[A-Za-z0-9._~/-]*[A-Za-z0-9._~-]$/, 'a path starting with / without a trailing / or a query')
    .default('/xcap'),
  /** Largest XCAP request body, bytes (413 above). */
  maxBodyBytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
});

/** The whole configuration. */
export const configSchema = z.strictObject({
  /** The SIP domain this server serves (the host part of its users' AORs). */
  domain: z.string().min(1).default('localhost'),
  /** This node's id, part of every entity tag (globally unique tags, DESIGN.md §4). Default: host name. */
  nodeId: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'letters, digits and - only, at most 32').optional(),
  sip: sipSchema.prefault({}),
  http: httpSchema.prefault({}),
  xcap: xcapSchema.prefault({}),
  presence: presenceSchema.prefault({}),
  registrar: registrarSchema.prefault({}),
  auth: authSchema.prefault({}),
  store: storeSchema.prefault({}),
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
