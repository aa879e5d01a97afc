import type { HeaderGrammar } from '../../message/headers.js';
import type { Via } from '../../message/types.js';
import { parseList } from '../scanner.js';
import type { Scanner } from '../scanner.js';
import { parseHost, parsePort } from '../uri.js';

/**
 * Via (RFC 3261 §20.42, §25.1; RFC 3581 rport): `SIP/2.0/UDP host:port;branch=…;received=…;rport`.
 * LWS is allowed around the slashes. rport may appear without a value in requests.
 */
function via(s: Scanner): Via {
  const name = s.token('protocol name in Via');
  s.expect('/', 'in Via sent-protocol');
  const version = s.token('protocol version in Via');
  s.expect('/', 'in Via sent-protocol');
  const transport = s.token('transport in Via').toUpperCase();
  s.ws();
  const host = parseHost(s, 'Via sent-by');
  s.ws();
  const port = parsePort(s, 'Via sent-by');
  const params = new Map<string, string | null>();
  s.params(params, 'Via');
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || !/^\d{1,3}$/.test(ttl) || Number(ttl) > 255)) s.fail('invalid ttl in Via');
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && (!/^\d{1,5}$/.test(rport) || Number(rport) > 65535)) {
    s.fail('invalid rport in Via');
  }
  if (params.get('branch') === null) s.fail('empty branch in Via');
  const received = params.get('received');
  if (received === null) s.fail('empty received in Via');
  const v: Via = { protocol: `${name.toUpperCase()}/${version}`, transport, host, params };
  if (port !== undefined) v.port = port;
  return v;
}

export const ViaHeader: HeaderGrammar<Via[]> = {
  name: 'Via',
  parse: (values) => parseList(values, via, 'Via'),
};
