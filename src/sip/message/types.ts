/**
 * Structured values of SIP header fields and URIs (RFC 3261 §19, §20, §25; RFC 3966). These are plain
 * data: grammars in `sip/parser/headers` produce them and `sip/message/format` writes them back.
 *
 * Parameter maps are ordered, keyed by the lower-cased parameter name (parameter names are
 * case-insensitive, RFC 3261 §7.3.1); a value of `null` is a parameter with no value (`;lr`). Values keep
 * their wire text (escapes and quotes as received) so a proxy can forward them unchanged.
 */

/** Ordered generic parameters: lower-cased name to wire value, or null for a flag. */
export type Params = Map<string, string | null>;

/** A sip: or sips: URI (RFC 3261 §19.1). */
export interface SipUri {
  scheme: 'sip' | 'sips';
  /** User part as on the wire (escapes kept); undefined when there is no userinfo. */
  user?: string;
  /** Password part of userinfo (deprecated by RFC 3261 but parsed). */
  password?: string;
  /** Host: a name (lower-cased), an IPv4 address, or an IPv6 reference with its brackets. */
  host: string;
  /** Port, 1-65535, or undefined when absent. */
  port?: number;
  /** uri-parameters, e.g. transport, user, lr, maddr. */
  params: Params;
  /** URI headers (`?name=value&…`), name as written, value as on the wire. */
  headers: Array<[string, string]>;
}

/** A tel: URI (RFC 3966). */
export interface TelUri {
  scheme: 'tel';
  /** global-number (with leading +) or local-number, visual separators kept. */
  number: string;
  /** par: isub, ext, phone-context and other parameters. */
  params: Params;
}

/** Any other absolute URI (RFC 3986), kept as text: `mailto:`, `im:`, `pres:`, `urn:`, `http:`, … */
export interface OtherUri {
  scheme: string;
  /** The complete URI text. */
  text: string;
}

/** A URI in a Request-URI or a name-addr. */
export type Uri = SipUri | TelUri | OtherUri;

/** name-addr / addr-spec with header parameters (From, To, Contact, Route, P-Asserted-Identity, …). */
export interface NameAddr {
  /** Display name, unquoted and unescaped; undefined when absent. */
  displayName?: string;
  uri: Uri;
  /** Header parameters after the URI (tag, expires, q, +sip.instance, …). */
  params: Params;
}

/** One Via header field value (RFC 3261 §20.42, RFC 3581). */
export interface Via {
  /** Protocol name and version, normally `SIP/2.0`. */
  protocol: string;
  /** Transport in upper case: UDP, TCP, TLS, SCTP, WS, WSS, … */
  transport: string;
  /** sent-by host (IPv6 with brackets). */
  host: string;
  /** sent-by port, if present. */
  port?: number;
  /** Via parameters, including branch, received, rport, maddr, ttl. */
  params: Params;
}

/** CSeq (RFC 3261 §20.16): sequence number (0 to 2^31-1) and method. */
export interface CSeq {
  seq: number;
  method: string;
}

/** A media range with parameters (Content-Type, Accept entries). Type and subtype lower-cased. */
export interface MediaType {
  type: string;
  subtype: string;
  params: Params;
}

/** The Event header (RFC 6665 §8.2.1): package, template sub-packages, parameters (e.g. id). */
export interface EventType {
  /** Package name as received (compared byte by byte, RFC 6665 §8.2.1), e.g. `presence`. */
  package: string;
  /** Template packages in order, e.g. ['winfo'] for `presence.winfo`. */
  templates: string[];
  params: Params;
}

/** Subscription-State (RFC 6665 §8.2.3). */
export interface SubscriptionState {
  /** active | pending | terminated, or an extension value, lower-cased. */
  state: string;
  /** expires parameter in seconds, when present. */
  expires?: number;
  /** reason parameter, lower-cased, when present. */
  reason?: string;
  /** retry-after parameter in seconds, when present. */
  retryAfter?: number;
  params: Params;
}

/**
 * One Contact header field value (RFC 3261 §20.10; RFC 5626 §4): a name-addr whose well-known parameters
 * are also read out. `params` keeps every parameter as on the wire and is what a writer emits; the
 * fields below are views of it.
 */
export interface ContactEntry extends NameAddr {
  /** `expires` in seconds; a value above 2^32-1 reads as 2^32-1 (RFC 3261 §10.2.1). */
  expires?: number;
  /** `q` preference, 0 to 1 with at most three decimals. */
  q?: number;
  /** `+sip.instance` without its quotes and angle brackets, e.g. `urn:uuid:…` (RFC 5626 §10). */
  instance?: string;
  /** `reg-id`, 1 to 2^31-1 (RFC 5626 §10). */
  regId?: number;
}

/** The Contact header: `*` (all bindings, RFC 3261 §10.2.2) or a list of contacts. */
export type ContactList = { star: true } | { star: false; contacts: ContactEntry[] };

/**
 * One media-range of Accept (RFC 3261 §20.1) with its `q` value (1 when absent). Type or subtype `*` is a
 * wildcard. `params` keeps every parameter including `q`.
 */
export interface AcceptRange extends MediaType {
  q: number;
}

/** One Warning header field value (RFC 3261 §20.43). */
export interface WarningValue {
  /** warn-code, three digits (300-399 are SIP's own). */
  code: number;
  /** warn-agent: host[:port] or a pseudonym, as on the wire. */
  agent: string;
  /** warn-text, unquoted. */
  text: string;
}

/** Retry-After (RFC 3261 §20.33). */
export interface RetryAfter {
  /** Seconds after the response; values above 2^32-1 read as 2^32-1. */
  seconds: number;
  /** The comment without its outer parentheses, as on the wire. */
  comment?: string;
  /** `duration` parameter in seconds, when present. */
  duration?: number;
  /** Every parameter as on the wire, `duration` included. */
  params: Params;
}
