import type { NameAddr } from '../message/types.js';
import { unquote } from './scanner.js';
import type { Scanner } from './scanner.js';
import { scanUri } from './uri.js';

/**
 * `( name-addr / addr-spec ) *( SEMI generic-param )` (RFC 3261 §25.1, used by From, To, Contact,
 * Route, Record-Route, Path, Service-Route, Reply-To, P-Asserted-Identity, P-Preferred-Identity).
 * name-addr = [ display-name ] LAQUOT addr-spec RAQUOT; display-name = *(token LWS) / quoted-string.
 */
export function scanNameAddr(s: Scanner, what: string): NameAddr {
  s.ws();
  let displayName: string | undefined;
  let bracketed = false;
  if (s.peek() === '"') {
    displayName = unquote(s.quoted(`display name of ${what}`));
    s.ws();
    if (s.peek() !== '<') s.fail(`expected '<' after display name of ${what}`);
  } else {
    // Either `tokens <uri>` or a bare addr-spec: look for '<' before any ':' that starts a scheme.
    const lt = s.text.indexOf('<', s.pos);
    const colon = s.text.indexOf(':', s.pos);
    if (lt >= 0 && (colon < 0 || lt < colon)) {
      const name = s.text.slice(s.pos, lt).trim();
      if (name && !/^[A-Za-z0-9\-.!%*_+`'~]+(?:[ \t]+[A-Za-z0-9\-.!%*_+`'~]+)*$/.test(name)) {
        s.fail(`invalid display name of ${what}`);
      }
      if (name) displayName = name;
      s.pos = lt;
    }
  }
  if (s.peek() === '<') {
    bracketed = true;
    s.pos++;
    s.ws();
  }
  const uri = scanUri(s, !bracketed);
  if (bracketed) {
    s.ws();
    if (s.peek() !== '>') s.fail(`expected '>' after URI of ${what}`);
    s.pos++;
  }
  const params = new Map<string, string | null>();
  s.params(params, what);
  const out: NameAddr = { uri, params };
  if (displayName !== undefined) out.displayName = displayName;
  return out;
}
