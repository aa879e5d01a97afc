import type { HeaderGrammar } from '../../message/headers.js';
import type { Via } from '../../message/types.js';
import { isIPv4Address, normalizeIPv6 } from '../ip.js';
import { parseList } from '../scanner.js';
import type { Scanner } from '../scanner.js';
import { parseHost, scanPortNumber } from '../uri.js';

/** via-received = "received" EQUAL (IPv4address / IPv6address), with or without [] (RFC 5118 §4.5). */
function isReceived(v: string): boolean {
  if (isIPv4Address(v)) return true;
  const inner = v.charCodeAt(0) === 0x5b && v.charCodeAt(v.length - 1) === 0x5d ? v.slice(1, -1) : v;
  return normalizeIPv6(inner) !== undefined;
}

/** A decimal text of at most `maxDigits` digits (leading zeros allowed) no larger than `max`. */
function isNumberUpTo(v: string | null | undefined, max: number): boolean {
  if (!v) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return Number(v) <= max;
}

/**
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params ) (RFC 3261 §20.42, §25.1; RFC 3581 rport):
 * `SIP/2.0/UDP host:port;branch=…;received=…;rport`. LWS is allowed around the slashes and the colon.
 * rport may appear without a value in requests.
 */
function via(s: Scanner): Via {
  const name = s.token('protocol name in Via');
  s.expect('/', 'in Via sent-protocol');
  const version = s.token('protocol version in Via');
  s.expect('/', 'in Via sent-protocol');
  const transport = s.token('transport in Via').toUpperCase();
  s.ws();
  // sent-by = host [ COLON port ]; host is an IPv6reference with brackets here (RFC 5118 §4.5).
  const host = parseHost(s, 'Via sent-by');
  const port = s.eat(':') ? scanPortNumber(s, 'Via sent-by') : undefined;
  const params = new Map<string, string | null>();
  s.params(params, 'Via');
  if (params.has('ttl') && !isNumberUpTo(params.get('ttl'), 255)) s.fail('invalid ttl in Via');
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && !isNumberUpTo(rport, 65535)) s.fail('invalid rport in Via');
  if (params.get('branch') === null) s.fail('empty branch in Via');
  const received = params.get('received');
  if (received !== undefined && (received === null || !isReceived(received))) s.fail('invalid received in Via');
  // Nearly every Via says SIP/2.0: that one is not rebuilt from its parts.
  const protocol = name === 'SIP' && version === '2.0' ? 'SIP/2.0' : `${name.toUpperCase()}/${version}`;
  const v: Via = { protocol, transport, host, params };
  if (port !== undefined) v.port = port;
  return v;
}

/** Via (RFC 3261 §20.42): one or more via-parm, over any number of lines. */
export const ViaHeader: HeaderGrammar<Via[]> = {
  name: 'Via',
  parse: (values) => parseList(values, via, 'Via'),
};
