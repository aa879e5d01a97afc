import type { NameAddr } from '../message/types.js';
import { isTokenChar } from './scanner.js';
import type { Scanner } from './scanner.js';
import { scanUri } from './uri.js';

/**
 * True when text[from, to) is `token *( LWS token )`: the unquoted display-name form of RFC 3261 §25.1.
 * Folding was undone when the header was read, so LWS is SP / HTAB here.
 */
function isTokenList(text: string, from: number, to: number): boolean {
  let inToken = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) inToken = false;
    else if (isTokenChar(c)) inToken = true;
    else return false;
  }
  return inToken || from === to;
}

/**
 * `( name-addr / addr-spec ) *( SEMI generic-param )` (RFC 3261 §25.1, used by From, To, Contact,
 * Route, Record-Route, Path, Service-Route, Reply-To, P-Asserted-Identity, P-Preferred-Identity).
 * name-addr = [ display-name ] LAQUOT addr-spec RAQUOT; display-name = *(token LWS) / quoted-string.
 * An unquoted display name directly followed by '<' is accepted (RFC 4475 §3.1.1.6); white space inside
 * the angle brackets is not (LAQUOT = SWS "<", RAQUOT = ">" SWS; RFC 4475 §3.1.2.14).
 */
export function scanNameAddr(s: Scanner, what: string): NameAddr {
  s.ws();
  const text = s.text;
  let displayName: string | undefined;
  if (text.charCodeAt(s.pos) === 0x22) {
    displayName = s.quotedContent('display name', what);
    s.ws();
    if (text.charCodeAt(s.pos) !== 0x3c) s.fail(`expected '<' after display name of ${what}`);
  } else {
    // Either `tokens <uri>` or a bare addr-spec: a '<' before any ':' (which would end a URI scheme).
    const lt = text.indexOf('<', s.pos);
    const colon = text.indexOf(':', s.pos);
    if (lt >= 0 && (colon < 0 || lt < colon)) {
      let end = lt;
      while (end > s.pos && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
      if (!isTokenList(text, s.pos, end)) s.fail(`invalid display name of ${what}`);
      if (end > s.pos) displayName = text.slice(s.pos, end);
      s.pos = lt;
    }
  }
  const bracketed = text.charCodeAt(s.pos) === 0x3c;
  if (bracketed) {
    s.pos++;
    const c = text.charCodeAt(s.pos);
    if (c === 32 || c === 9) s.fail(`white space after '<' in ${what}`);
  }
  const uri = scanUri(s, !bracketed);
  if (bracketed) {
    const c = text.charCodeAt(s.pos);
    if (c === 32 || c === 9) s.fail(`white space before '>' in ${what}`);
    if (c !== 0x3e) s.fail(`expected '>' after URI of ${what}`);
    s.pos++;
  }
  const params = new Map<string, string | null>();
  s.params(params, what);
  const out: NameAddr = { uri, params };
  if (displayName !== undefined) out.displayName = displayName;
  return out;
}
