import { addDialogResponseHeaders } from '../../sip/dialog/dialog-state.js';
import type { SipRequest, SipResponse } from '../../sip/message/message.js';
import { createResponse } from '../../sip/message/response.js';
import { SipError } from '../../sip/message/sip-error.js';
import { AcceptHeader, accepts } from '../../sip/parser/headers/accept.js';
import { ContentTypeHeader } from '../../sip/parser/headers/content-type.js';
import { ExpiresHeader } from '../../sip/parser/headers/expires.js';
import type { EventPackage, ExpiryPolicy, SubscribeBody } from '../event-package.js';

/**
 * What a SUBSCRIBE asks for and what the notifier grants (RFC 6665 §4.2.1.1): the NOTIFY body types,
 * the SUBSCRIBE body, and the duration. Each function either returns the granted value or throws the
 * {@link SipError} to answer with.
 */

/** Below this many seconds, and only below it, 423 may be sent (RFC 6665 §4.2.1.1: "smaller than one hour"). */
const ONE_HOUR = 3600;

function typeOf(mediaType: string): [string, string] {
  const [type = '', subtype = ''] = mediaType.split(';', 1)[0]!.trim().toLowerCase().split('/');
  return [type, subtype];
}

/**
 * The package's NOTIFY types the subscriber accepts, in the package's order of preference (the first is
 * the one to send). Without Accept, only the package's default, its first type (RFC 6665 §3.1.3,
 * §5.4.5). Several Accept lines count as one list (linphone sends one line per type); q=0 excludes a
 * type.
 * @throws SipError 406 when Accept allows none of them (RFC 6665 §4.1.2.1), 400 for a malformed Accept.
 */
export function negotiateAccept(req: SipRequest, pkg: EventPackage): string[] {
  const ranges = req.header(AcceptHeader);
  if (ranges === undefined) return [pkg.notifyTypes[0]!];
  const ok = pkg.notifyTypes.filter((t) => accepts(ranges, ...typeOf(t)));
  // RFC 6665 §4.1.2.1: an Accept without a type the notifier can generate gets 406 (Not Acceptable).
  if (!ok.length) throw new SipError(406, `Not Acceptable: ${pkg.name} is sent as ${pkg.notifyTypes.join(', ')}`);
  return ok;
}

/**
 * The body of a SUBSCRIBE (e.g. an event filter) to store for a subscription to `resource`: as received
 * with its Content-Type, or as the package's `acceptSubscribeBody` makes it from it and `previous` (the
 * body the subscription holds); undefined when the request has none.
 * @throws SipError 415 with Accept listing the package's SUBSCRIBE body types when the type is not one
 *   of them (RFC 3261 §21.4.13: a 415 MUST list the acceptable formats), 400 for a bad Content-Type, or
 *   what the package's check throws (e.g. 488, RFC 4660 §5.4).
 */
export function subscribeBody(
  req: SipRequest, pkg: EventPackage, resource: string, previous?: SubscribeBody,
): { contentType: string; data: Buffer } | undefined {
  if (!req.body.length) return undefined;
  const ct = req.required(ContentTypeHeader);
  const type = `${ct.type}/${ct.subtype}`;
  if (!pkg.subscribeBodyTypes.some((t) => t.toLowerCase() === type)) {
    throw new SipError(415, 'Unsupported Media Type', [['Accept', pkg.subscribeBodyTypes.join(', ')]]);
  }
  const body = { contentType: req.headers.get('Content-Type')!, data: req.body };
  if (!pkg.acceptSubscribeBody) return body;
  const stored = pkg.acceptSubscribeBody(body, previous, resource, req);
  return { contentType: stored.contentType, data: stored.data };
}

/**
 * The granted duration in seconds: the package default without Expires (RFC 6665 §3.1.1), 0 for 0
 * (unsubscribe or fetch), the request's value capped at the package maximum otherwise (RFC 6665
 * §4.2.1.1: the notifier MAY shorten, MUST NOT lengthen).
 * @throws SipError 423 with Min-Expires when 0 < Expires < the package minimum and Expires < 3600
 *   (RFC 6665 §4.2.1.1 allows 423 in exactly that case; a longer request below a minimum above one
 *   hour is granted as asked), 400 for a malformed Expires.
 */
export function grantExpires(req: SipRequest, policy: ExpiryPolicy): number {
  const asked = req.header(ExpiresHeader);
  if (asked === undefined) return Math.min(policy.default, policy.max);
  if (asked === 0) return 0;
  if (asked < policy.min && asked < ONE_HOUR) {
    throw new SipError(423, 'Interval Too Brief', [['Min-Expires', String(policy.min)]]);
  }
  return Math.min(asked, policy.max);
}

/**
 * The 2xx to a SUBSCRIBE: the granted Expires, seconds (RFC 6665 §3.1.1 MUST), Record-Route copied and
 * Contact `localTarget` (RFC 3261 §12.1.1), and To tag `toTag` for a new dialog.
 */
export function subscribeOk(req: SipRequest, granted: number, localTarget: string, toTag?: string): SipResponse {
  const res = createResponse(req, 200, undefined, toTag);
  res.headers.append('Expires', String(granted));
  addDialogResponseHeaders(res, req, localTarget);
  return res;
}
