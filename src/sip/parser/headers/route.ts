import type { HeaderGrammar } from '../../message/headers.js';
import type { NameAddr } from '../../message/types.js';
import { scanNameAddr } from '../name-addr.js';
import { parseList } from '../scanner.js';
import type { Scanner } from '../scanner.js';

/**
 * True when the value at the scanner position is in name-addr form (`"Display" <uri>`, `tokens <uri>` or
 * `<uri>`) rather than a bare addr-spec: a quote comes first, or a `<` comes before any `:` of a scheme.
 * Skips leading white space; does not consume anything else.
 */
export function isNameAddrAhead(s: Scanner): boolean {
  s.ws();
  if (s.peek() === '"') return true;
  const lt = s.text.indexOf('<', s.pos);
  const colon = s.text.indexOf(':', s.pos);
  return lt >= 0 && (colon < 0 || lt < colon);
}

function list(name: string): HeaderGrammar<NameAddr[]> {
  const element = (s: Scanner): NameAddr => {
    // route-param / rec-route / path-value / sr-value = name-addr *( SEMI rr-param ): no bare addr-spec.
    if (!isNameAddrAhead(s)) s.fail(`${name} value must be a name-addr in <…>`);
    return scanNameAddr(s, name);
  };
  return { name, parse: (values) => parseList(values, element, name) };
}

/** Route (RFC 3261 §20.34): name-addr values with rr-params, in order, merged across lines. */
export const RouteHeader = list('Route');

/** Record-Route (RFC 3261 §20.30): name-addr values with rr-params, in order, merged across lines. */
export const RecordRouteHeader = list('Record-Route');

/** Path (RFC 3327 §4): name-addr values with rr-params, in order, merged across lines. */
export const PathHeader = list('Path');

/** Service-Route (RFC 3608 §5): name-addr values with rr-params, in order, merged across lines. */
export const ServiceRouteHeader = list('Service-Route');
