import { formatUri } from '../../sip/message/format.js';
import type { SipRequest } from '../../sip/message/message.js';
import type { SipUri, Uri } from '../../sip/message/types.js';
import { ContactHeader } from '../../sip/parser/headers/contact.js';
import { RecordRouteHeader } from '../../sip/parser/headers/route.js';
import { parseUri } from '../../sip/parser/uri.js';
import type { Flow } from '../../sip/transport/types.js';
import type { SubscriptionRecord } from '../../store/ports.js';

/**
 * The notifier's own Contact (its local target) in a subscription dialog: sent in the 2xx to SUBSCRIBE
 * and in every NOTIFY (a target refresh request, RFC 6665 §3.2), so in-dialog SUBSCRIBEs come back to
 * this server. It is also the Via sent-by of the NOTIFYs.
 *
 * The address is the local address and port of the flow the SUBSCRIBE arrived on: the one address the
 * subscriber is known to reach. When that address is a wildcard (a UDP socket bound to 0.0.0.0 or ::
 * can report it), the host and port of the Request-URI stand in, since the subscriber reached us by them.
 */

const WILDCARDS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0', '']);

/** The record's `extra` key under which the local target is kept (the store ports have no field for it). */
const EXTRA_KEY = 'localTarget';

function isSips(uri: Uri | undefined): boolean {
  return uri?.scheme === 'sips';
}

/**
 * RFC 3261 §12.1.1: the Contact of the response MUST be a SIPS URI when the request had a SIPS URI in
 * the Request-URI, or in the top Record-Route, or (without Record-Route) in the Contact.
 */
function needsSips(req: SipRequest, ruri: Uri | undefined): boolean {
  if (isSips(ruri)) return true;
  const rr = req.header(RecordRouteHeader);
  if (rr?.length) return isSips(rr[0]!.uri);
  const contact = req.header(ContactHeader);
  return !contact?.star && isSips(contact?.contacts[0]?.uri);
}

function transportParam(flow: Flow, sips: boolean): string | undefined {
  switch (flow.transport) {
    case 'UDP':
      return undefined;
    case 'TLS':
      return sips ? undefined : 'tls';
    case 'WSS':
      // RFC 7118 §5.2: sips with transport=ws means WebSocket over TLS.
      return sips ? 'ws' : 'wss';
    default:
      return flow.transport.toLowerCase();
  }
}

/**
 * The local target URI for a dialog created or refreshed by `req`, which arrived on `flow`, e.g.
 * `sip:192.0.2.1:5060`, `sip:[2001:db8::1]:5060;transport=tcp`, `sips:192.0.2.1:5061`.
 */
export function localTargetFor(flow: Flow, req: SipRequest): string {
  const parsed = parseUri(req.uri);
  const ruri = parsed.ok ? parsed.value : undefined;
  const sips = needsSips(req, ruri);
  let host = flow.localAddress;
  let port: number | undefined = flow.localPort;
  if (WILDCARDS.has(host) && ruri && (ruri.scheme === 'sip' || ruri.scheme === 'sips')) {
    host = (ruri as SipUri).host;
    port = (ruri as SipUri).port;
  } else if (host.includes(':')) {
    host = `[${host}]`;
  }
  const uri: SipUri = { scheme: sips ? 'sips' : 'sip', host, params: new Map(), headers: [] };
  if (port !== undefined) uri.port = port;
  const transport = transportParam(flow, sips);
  if (transport !== undefined) uri.params.set('transport', transport);
  return formatUri(uri);
}

/** `extra` of a record with the local target set. */
export function withLocalTarget(extra: Record<string, unknown> | undefined, target: string): Record<string, unknown> {
  return { ...extra, [EXTRA_KEY]: target };
}

/**
 * The local target kept in a record. A record without one (not written by the notifier) falls back to
 * the host and port of its local URI (the To URI of the SUBSCRIBE: one of our domains or addresses).
 */
export function localTargetOf(record: Readonly<SubscriptionRecord>): string {
  const kept = record.extra?.[EXTRA_KEY];
  if (typeof kept === 'string') return kept;
  const local = parseUri(record.localUri);
  if (local.ok && (local.value.scheme === 'sip' || local.value.scheme === 'sips')) {
    const { scheme, host, port } = local.value as SipUri;
    return formatUri({ scheme, host, ...(port !== undefined ? { port } : {}), params: new Map(), headers: [] });
  }
  throw new Error(`subscription ${record.id} has no SIP local URI to contact it by`);
}
