import { HeaderList } from '../message/headers.js';
import { SipRequest } from '../message/message.js';
import { formatUri } from '../message/format.js';
import type { NameAddr, Uri } from '../message/types.js';
import { RouteHeader } from '../parser/headers/route.js';
import { parseUri } from '../parser/uri.js';
import type { DialogState } from './dialog-state.js';

/** Largest CSeq sequence number (RFC 3261 §8.1.1.5: less than 2^31). */
const MAX_CSEQ = 0x7fffffff;

/**
 * The parsed route set of a dialog.
 * @throws Error when a stored value is not a name-addr (the dialog state is corrupt: a bug, not input).
 */
function routes(dialog: DialogState): NameAddr[] {
  return dialog.routeSet.map((text) => {
    const r = RouteHeader.parse([text]);
    if (!r.ok || r.value.length !== 1) throw new Error(`dialog route set holds an invalid value: ${text}`);
    return r.value[0]!;
  });
}

function remoteTarget(dialog: DialogState): Uri {
  const r = parseUri(dialog.remoteTarget);
  if (!r.ok) throw new Error(`dialog remote target is not a URI: ${dialog.remoteTarget}`);
  return r.value;
}

function isLooseRouter(na: NameAddr): boolean {
  return 'params' in na.uri && (na.uri.scheme === 'sip' || na.uri.scheme === 'sips') && na.uri.params.has('lr');
}

/**
 * A URI as it may stand in a Request-URI (RFC 3261 §19.1.1 table): without the `method` parameter and
 * without headers.
 */
function asRequestUri(uri: Uri): Uri {
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return uri;
  const sip = uri as Extract<Uri, { scheme: 'sip' | 'sips' }>;
  const params = new Map(sip.params);
  params.delete('method');
  return { ...sip, params, headers: [] };
}

function withTag(uri: string, tag: string): string {
  // RFC 3261 §12.2.1.1: a null tag means the tag parameter MUST be omitted.
  return tag === '' ? `<${uri}>` : `<${uri}>;tag=${tag}`;
}

/**
 * A request within `dialog` (RFC 3261 §12.2.1.1): Request-URI and Route from the remote target and the
 * route set (loose routing when the first route has `lr`, else the strict-routing rewrite), To with the
 * remote URI and tag, From with the local URI and tag, the dialog's Call-ID, `CSeq: <cseq> <method>`,
 * Max-Forwards 70 and, when given, `Contact: <localContact>` (required in target refresh requests such
 * as NOTIFY and SUBSCRIBE, RFC 6665 §3.1, §3.2; a sips URI when the dialog is secure).
 *
 * No Via is added: the sender knows the transport and local address the request leaves by, so it
 * prepends `Via: SIP/2.0/<transport> <host>:<port>` itself, and the transaction layer adds the branch.
 * The caller also advances its local sequence number: `cseq` must be one more than the last (§12.2.1.1).
 *
 * @param cseq the CSeq number, 1 to 2^31-1
 * @throws RangeError when `cseq` is out of range; Error when the dialog state holds unparsable URIs.
 */
export function buildInDialogRequest(dialog: DialogState, method: string, cseq: number, localContact?: string): SipRequest {
  if (!Number.isInteger(cseq) || cseq < 1 || cseq > MAX_CSEQ) throw new RangeError(`CSeq ${cseq} is not 1 to 2^31-1`);
  const set = routes(dialog);
  const target = remoteTarget(dialog);
  let requestUri: Uri;
  let route: string[];
  if (set.length === 0) {
    // §12.2.1.1: empty route set: the remote target is the Request-URI and there is no Route.
    requestUri = target;
    route = [];
  } else if (isLooseRouter(set[0]!)) {
    // §12.2.1.1: loose routing: Request-URI = remote target, Route = the route set in order.
    requestUri = target;
    route = dialog.routeSet.slice();
  } else {
    // §12.2.1.1: strict routing: Request-URI = first route (parameters not allowed there stripped),
    // Route = the rest of the route set, then the remote target as the last value.
    requestUri = asRequestUri(set[0]!.uri);
    route = [...dialog.routeSet.slice(1), `<${dialog.remoteTarget}>`];
  }
  const h = new HeaderList();
  if (route.length) h.append('Route', route.join(', '));
  h.append('Max-Forwards', '70');
  // §12.2.1.1: To = remote URI and tag, From = local URI and tag, Call-ID of the dialog.
  h.append('From', withTag(dialog.localUri, dialog.localTag));
  h.append('To', withTag(dialog.remoteUri, dialog.remoteTag));
  h.append('Call-ID', dialog.callId);
  // §12.2.1.1: the CSeq method MUST match the method of the request.
  h.append('CSeq', `${cseq} ${method}`);
  if (localContact !== undefined) h.append('Contact', `<${localContact}>`);
  return new SipRequest(method, formatUri(requestUri), h);
}

/**
 * Where a request within `dialog` goes first (RFC 3261 §12.2.1.1, §8.1.2): the URI of the first route
 * when the route set is not empty (the top Route of a loose route, the Request-URI of a strict one),
 * else the remote target.
 * @throws Error when the dialog state holds unparsable URIs.
 */
export function nextHop(dialog: DialogState): Uri {
  const set = routes(dialog);
  return set.length ? set[0]!.uri : remoteTarget(dialog);
}
