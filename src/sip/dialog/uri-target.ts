import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Uri } from '../message/types.js';
import { TransportError } from '../transport/types.js';
import type { SendTarget, TransportName } from '../transport/types.js';

/** Resolves a host name to one IP address (IPv6 without brackets). */
export type HostResolver = (name: string) => Promise<string>;

/** A/AAAA through the system resolver (`getaddrinfo`, so /etc/hosts counts): the first address. */
const systemResolver: HostResolver = async (name) => (await dnsLookup(name)).address;

const TRANSPORT_PARAM: Readonly<Record<string, TransportName>> = {
  udp: 'UDP', tcp: 'TCP', tls: 'TLS', ws: 'WS', wss: 'WSS', loop: 'LOOP',
};

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * The transport a URI asks for: its `transport` parameter, made secure for a sips URI (sips with
 * transport=tcp is TLS, with transport=ws is WSS, RFC 3261 §19.1.2, RFC 7118 §5.2); without the
 * parameter, TLS for sips (WSS when the default is a WebSocket) and `defaultTransport` for sip.
 */
function transportOf(uri: Extract<Uri, { scheme: 'sip' | 'sips' }>, defaultTransport: TransportName): TransportName {
  const param = uri.params.get('transport');
  let t: TransportName;
  if (param === undefined || param === null) t = defaultTransport;
  else {
    const known = TRANSPORT_PARAM[param.toLowerCase()];
    if (!known) throw new TransportError(`unsupported transport '${param}' in URI`, 'EBADURI');
    t = known;
  }
  if (uri.scheme === 'sips') {
    if (t === 'WS') return 'WSS';
    if (t === 'UDP' || t === 'TCP') return 'TLS';
  }
  return t;
}

/**
 * Where to send a request addressed to a sip or sips `uri` (the next hop of RFC 3261 §8.1.2 / §12.2.1.1):
 *
 * - host: the `maddr` parameter when present (RFC 3261 §19.1.1), else the URI host;
 * - transport: see above; `defaultTransport` applies to a sip URI without `transport` (RFC 3263 §4.1
 *   would pick UDP; callers pass the transport of the flow the dialog was created on instead);
 * - port: the URI port, else 5061 for TLS and WSS and 5060 for the others (RFC 3263 §4.2);
 * - a host name is resolved to one address with an A/AAAA lookup (`resolve`, default the system
 *   resolver), and kept as `serverName` for TLS. RFC 3263 NAPTR and SRV lookups are not done: a name
 *   whose SIP service is only published in SRV records will not be reached. LOOP targets keep their
 *   name, which is the address on the in-memory network.
 *
 * @throws TransportError `EBADURI` for a URI that is not sip/sips or names an unknown transport,
 *   `ENOTFOUND` (or the resolver's code) when the name does not resolve.
 */
export async function uriTarget(uri: Uri, defaultTransport: TransportName, resolve: HostResolver = systemResolver): Promise<SendTarget> {
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') throw new TransportError(`cannot send to a ${uri.scheme} URI`, 'EBADURI');
  const sip = uri as Extract<Uri, { scheme: 'sip' | 'sips' }>;
  const transport = transportOf(sip, defaultTransport);
  const maddr = sip.params.get('maddr');
  const host = stripBrackets(maddr ?? sip.host);
  const port = sip.port ?? (transport === 'TLS' || transport === 'WSS' ? 5061 : 5060);
  if (isIP(host) !== 0 || transport === 'LOOP') return { transport, address: host, port };
  let address: string;
  try {
    address = await resolve(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TransportError(`cannot resolve ${host}: ${(err as Error).message}`, typeof code === 'string' ? code : 'ENOTFOUND');
  }
  return transport === 'TLS' || transport === 'WSS' ? { transport, address, port, serverName: host } : { transport, address, port };
}
