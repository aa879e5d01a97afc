import type { SipRequest, SipResponse } from '../message/message.js';
import { SipError } from '../message/sip-error.js';
import { formatNameAddr, formatUri } from '../message/format.js';
import type { NameAddr, Uri } from '../message/types.js';
import { ContactHeader } from '../parser/headers/contact.js';
import { CSeqHeader } from '../parser/headers/cseq.js';
import { CallIdHeader } from '../parser/headers/call-id.js';
import { FromHeader, ToHeader } from '../parser/headers/from-to.js';
import { RecordRouteHeader } from '../parser/headers/route.js';
import { parseUri } from '../parser/uri.js';
import type { TransportName } from '../transport/types.js';
import { detach } from '../../util/detach.js';

/**
 * The state of one dialog (RFC 3261 §12) as plain data, so it can be stored as is (the subscription
 * records of the notifier embed it). URIs are kept as wire text; parse them with `parseUri` when needed.
 * The strings are detached from the message they were read from (util/detach.ts), so a dialog kept in
 * memory does not keep that message's text.
 *
 * A null tag (RFC 2543 peers send From or To without one, RFC 3261 §12.1.1 / §12.1.2) is the empty
 * string, and requests built from the dialog then carry no tag parameter.
 */
export interface DialogState {
  /** Call-ID of the dialog. */
  callId: string;
  /** Our tag ('' for null). */
  localTag: string;
  /** The peer's tag ('' for null). */
  remoteTag: string;
  /** Our URI (From of our requests), as text. */
  localUri: string;
  /** The peer's URI (To of our requests), as text. */
  remoteUri: string;
  /** The peer's Contact URI (Request-URI of our requests), as text. */
  remoteTarget: string;
  /** Route set: name-addr texts with every URI and header parameter kept, first hop first. */
  routeSet: string[];
  /** CSeq number of the last request we sent in the dialog; undefined while "empty" (§12.1.1). */
  localSeq?: number;
  /** CSeq number of the last request the peer sent in the dialog; undefined while "empty" (§12.1.2). */
  remoteSeq?: number;
  /** The "secure" flag: the dialog was created by a sips Request-URI over TLS (§12.1.1, §12.1.2). */
  secure: boolean;
}

/** TLS and secure WebSocket are the transports that make a sips dialog "secure". */
function overTls(transport: TransportName): boolean {
  return transport === 'TLS' || transport === 'WSS';
}

/**
 * The single SIP or SIPS Contact URI of a dialog-creating message.
 * @throws SipError 400 when Contact is missing, `*`, holds several values or a non-SIP URI
 *   (RFC 3261 §8.1.1.8: it MUST contain exactly one SIP or SIPS URI).
 */
function contactUri(msg: SipRequest | SipResponse): Uri {
  const list = msg.required(ContactHeader);
  if (list.star || list.contacts.length !== 1) throw new SipError(400, 'Bad Contact header: exactly one URI needed');
  const uri = list.contacts[0]!.uri;
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') throw new SipError(400, 'Bad Contact header: not a SIP or SIPS URI');
  return uri;
}

function tagOf(na: NameAddr): string {
  return na.params.get('tag') ?? '';
}

/**
 * The dialog a UAS creates when it answers `req` with a dialog-creating 2xx carrying `localTag` in To
 * (RFC 3261 §12.1.1): route set = the request's Record-Route values in order, remote target = its
 * Contact URI, remote sequence number = its CSeq, local sequence number empty, secure when the
 * Request-URI is sips and the request arrived over TLS (`arrivedOver` TLS or WSS).
 *
 * A subscriber (RFC 6665 §4.4.1) builds its dialog from the first NOTIFY the same way, with the From
 * tag of its SUBSCRIBE as `localTag`.
 * @throws SipError 400 when Contact, Record-Route, From, To, Call-ID or CSeq is missing or malformed.
 */
export function uasDialogFromRequest(req: SipRequest, localTag: string, arrivedOver: TransportName): DialogState {
  const from = req.required(FromHeader);
  const to = req.required(ToHeader);
  const ruri = parseUri(req.uri);
  return {
    callId: detach(req.required(CallIdHeader)),
    localTag,
    // §12.1.1: a request without From tag has a null remote tag.
    remoteTag: detach(tagOf(from)),
    // §12.1.1: the remote URI MUST be the From URI, the local URI the To URI.
    localUri: detach(formatUri(to.uri)),
    remoteUri: detach(formatUri(from.uri)),
    // §12.1.1: the remote target MUST be the Contact URI of the request.
    remoteTarget: detach(formatUri(contactUri(req))),
    // §12.1.1: the route set MUST be the Record-Route URIs in order, with all parameters.
    routeSet: (req.header(RecordRouteHeader) ?? []).map((r) => detach(formatNameAddr(r))),
    // §12.1.1: the remote sequence number MUST be the CSeq of the request; the local one is empty.
    remoteSeq: req.required(CSeqHeader).seq,
    // §12.1.1: secure when the request arrived over TLS with a SIPS Request-URI.
    secure: ruri.ok && ruri.value.scheme === 'sips' && overTls(arrivedOver),
  };
}

/**
 * The dialog a UAC creates from a dialog-creating 2xx `res` to its request `req` (RFC 3261 §12.1.2):
 * route set = the response's Record-Route values in reverse order, remote target = its Contact URI,
 * local sequence number = the request's CSeq, remote sequence number empty, secure when the
 * Request-URI is sips and the request was sent over TLS (`sentOver` TLS or WSS).
 * @throws SipError 400 when the response lacks a readable Contact, Record-Route or To, or the request a
 *   readable From, Call-ID or CSeq.
 */
export function uacDialogFromResponse(req: SipRequest, res: SipResponse, sentOver: TransportName): DialogState {
  const from = req.required(FromHeader);
  const to = res.required(ToHeader);
  const ruri = parseUri(req.uri);
  return {
    callId: detach(req.required(CallIdHeader)),
    // §12.1.2: local tag = From tag of the request; remote tag = To tag of the response (null if none).
    localTag: detach(tagOf(from)),
    remoteTag: detach(tagOf(to)),
    // §12.1.2: remote URI = To URI, local URI = From URI.
    localUri: detach(formatUri(from.uri)),
    remoteUri: detach(formatUri(to.uri)),
    // §12.1.2: remote target MUST be the Contact URI of the response.
    remoteTarget: detach(formatUri(contactUri(res))),
    // §12.1.2: route set MUST be the Record-Route URIs of the response in reverse order.
    routeSet: (res.header(RecordRouteHeader) ?? []).map((r) => detach(formatNameAddr(r))).reverse(),
    // §12.1.2: the local sequence number MUST be the CSeq of the request; the remote one is empty.
    localSeq: req.required(CSeqHeader).seq,
    secure: ruri.ok && ruri.value.scheme === 'sips' && overTls(sentOver),
  };
}

/**
 * Completes a dialog-creating response of a UAS (RFC 3261 §12.1.1): copies every Record-Route line of
 * `req` into `res` in order and unchanged, and sets Contact to `<localContact>`. The caller picks a
 * sips `localContact` when §12.1.1 requires one (a sips Request-URI, top Record-Route or Contact).
 */
export function addDialogResponseHeaders(res: SipResponse, req: SipRequest, localContact: string): void {
  // §12.1.1: the UAS MUST copy all Record-Route values into the response and maintain their order.
  for (const rr of req.headers.getAll('Record-Route')) res.headers.append('Record-Route', rr);
  // §12.1.1: the UAS MUST add a Contact header field to the response.
  res.headers.set('Contact', `<${localContact}>`);
}

/**
 * The remote target after the target refresh request `req` (RFC 3261 §12.2.2: the UAS MUST replace it
 * with the Contact URI of the request, if present; SUBSCRIBE and NOTIFY are target refresh requests,
 * RFC 6665 §3.1, §3.2): that URI as text, or undefined when `req` has no Contact.
 * @throws SipError 400 when Contact is present but is not exactly one SIP or SIPS URI.
 */
export function refreshedTarget(req: SipRequest): string | undefined {
  return req.headers.has('Contact') ? detach(formatUri(contactUri(req))) : undefined;
}
