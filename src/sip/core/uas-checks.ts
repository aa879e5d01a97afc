import type { SipRequest } from '../message/message.js';
import { SipError } from '../message/sip-error.js';
import type { Uri } from '../message/types.js';
import { ContentEncodingHeader } from '../parser/headers/content-encoding.js';
import { ContentTypeHeader } from '../parser/headers/content-type.js';
import { MaxForwardsHeader } from '../parser/headers/max-forwards.js';
import { RequireHeader } from '../parser/headers/option-tags.js';
import { ViaHeader } from '../parser/headers/via.js';

/**
 * The request checks a UAS core makes before a method handler runs (RFC 3261 §8.2), in the RFC's order:
 * method (§8.2.1: 405 / 501 with Allow), Request-URI scheme and address (§8.2.2.1: 416, 404, and 483
 * when the request would have to be forwarded with Max-Forwards 0, §16.3), loop (a Via of our own,
 * 482), Require (§8.2.2.3: 420 with Unsupported), content (§8.2.3: 415 with Accept or Accept-Encoding).
 * Merged requests (§8.2.2.2, 482) are detected by the transaction layer.
 */

/** Methods RFC 3261 and its extensions define: a UAS that does not support one answers 405, others 501. */
const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'INFO', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'UPDATE',
  'MESSAGE', 'REFER', 'PUBLISH',
]);

/** What the UAS supports; built by the core from its registered method handlers. */
export interface UasPolicy {
  /** Methods with a handler, e.g. ['OPTIONS', 'SUBSCRIBE']. */
  readonly methods: readonly string[];
  /** URI schemes accepted in the Request-URI (lower case). */
  readonly schemes: readonly string[];
  /** Option tags understood in Require (RFC 3261 §20.32). */
  readonly supported: readonly string[];
  /** Body media types (`type/subtype`, lower case) each method accepts. Absent: no body type accepted. */
  accept(method: string): readonly string[];
  /** True when the Request-URI addresses this server (its domains, addresses, or a contact of its own). */
  isLocal(uri: Uri): boolean;
  /** True when a Via sent-by (host, port) is one of this server's own: a request carrying it has looped. */
  isOwnSentBy(host: string, port: number | undefined, transport: string): boolean;
}

/** Encodings the core accepts in Content-Encoding (RFC 3261 §20.12). */
const ACCEPTED_ENCODINGS = ['identity'];

/**
 * Runs the §8.2 checks. Returns the rejection to send, or undefined when the request may proceed.
 * Malformed headers needed by a check reject with 400 naming the header and the defect.
 */
export function checkRequest(req: SipRequest, policy: UasPolicy): SipError | undefined {
  try {
    return check(req, policy);
  } catch (e) {
    if (e instanceof SipError) return e;
    throw e;
  }
}

function check(req: SipRequest, policy: UasPolicy): SipError | undefined {
  const allow: Array<[string, string]> = [['Allow', policy.methods.join(', ')]];
  // §8.2.1: 405 for a method we recognise but do not support, 501 for one we do not know (RFC 4475 §3.1.2.18).
  if (!policy.methods.includes(req.method)) {
    return KNOWN_METHODS.has(req.method)
      ? new SipError(405, 'Method Not Allowed', allow)
      : new SipError(501, 'Not Implemented', allow);
  }

  // §8.2.2.1: the Request-URI must use a scheme we support and address us.
  const ruri = req.requestUri; // parsed once, by the parser's Request-URI check
  if (!ruri.ok) return new SipError(400, `Bad Request-URI: ${ruri.defect}`);
  if (!policy.schemes.includes(ruri.value.scheme)) return new SipError(416, 'Unsupported URI Scheme');
  if (!policy.isLocal(ruri.value)) {
    // We would have to forward it: §16.3 step 3 forbids that with Max-Forwards 0.
    if (req.header(MaxForwardsHeader) === 0) return new SipError(483, 'Too Many Hops');
    return new SipError(404, 'Not Found: domain not served here');
  }

  // A Via of our own below the top means the request has been through us already (§16.3 step 4).
  for (const via of req.required(ViaHeader).slice(1)) {
    if (policy.isOwnSentBy(via.host, via.port, via.transport)) return new SipError(482, 'Loop Detected');
  }

  // §8.2.2.3: Require is ignored on ACK and CANCEL.
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const required = req.header(RequireHeader) ?? [];
    const unsupported = required.filter((tag) => !policy.supported.includes(tag));
    if (unsupported.length) {
      return new SipError(420, 'Bad Extension', [['Unsupported', unsupported.join(', ')]]);
    }
  }

  // §8.2.3: a body of a type or encoding we do not understand is rejected with what we do accept.
  if (req.body.length) {
    const accept = policy.accept(req.method);
    // §20.15: a non-empty body MUST come with a Content-Type.
    const type = req.header(ContentTypeHeader);
    if (!type) return new SipError(400, 'Missing Content-Type header for a message body');
    const name = `${type.type}/${type.subtype}`;
    if (!accept.includes(name)) {
      return new SipError(415, `Unsupported Media Type: ${name}`, [['Accept', accept.join(', ')]]);
    }
    const encodings = req.header(ContentEncodingHeader) ?? [];
    const unknown = encodings.find((e) => !ACCEPTED_ENCODINGS.includes(e));
    if (unknown !== undefined) {
      return new SipError(415, `Unsupported Content-Encoding: ${unknown}`, [
        ['Accept-Encoding', ACCEPTED_ENCODINGS.join(', ')],
      ]);
    }
  }
  return undefined;
}
