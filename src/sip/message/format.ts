import { isToken } from '../parser/scanner.js';
import type { EventType, MediaType, NameAddr, Params, SubscriptionState, Uri, Via } from './types.js';

/**
 * Writers from structured header values (./types.ts) back to wire text. For every grammar in
 * `sip/parser/headers`, parsing what these write gives back the value they were given (parameter values
 * are written exactly as stored, so they must already be wire text: quoted where the grammar needs it).
 */

/** `;name=value` / `;name` for each parameter, in map order. */
export function formatParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}

/** A URI as wire text: sip/sips from its parts (RFC 3261 §19.1.1), tel from number and parameters. */
export function formatUri(uri: Uri): string {
  if ('text' in uri) return uri.text;
  if (uri.scheme === 'tel') return `tel:${uri.number}${formatParams(uri.params)}`;
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) out += `${uri.user}${uri.password !== undefined ? `:${uri.password}` : ''}@`;
  out += uri.host;
  if (uri.port !== undefined) out += `:${uri.port}`;
  out += formatParams(uri.params);
  if (uri.headers.length) out += `?${uri.headers.map(([n, v]) => `${n}=${v}`).join('&')}`;
  return out;
}

/**
 * A quoted-string (RFC 3261 §25.1) holding `text`: `"` and `\` and the control characters qdtext does not
 * allow are written as quoted-pairs. CR and LF cannot be quoted at all.
 * @throws RangeError when `text` holds CR or LF.
 */
function quoteText(text: string): string {
  if (/[\r\n]/.test(text)) throw new RangeError('a quoted-string cannot hold CR or LF');
  // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F); qdtext lacks %x00-08, %x0A-1F, %x22, %x5C, %x7F.
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/["\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '\\$&')}"`;
}

/**
 * `[display-name] <uri>;params` (RFC 3261 §20.10). The URI is always in angle brackets, so its own
 * parameters never read as header parameters. A display name made of tokens separated by single spaces
 * is written bare; anything else is a quoted-string.
 * @throws RangeError when the display name holds CR or LF (no wire form can carry them).
 */
export function formatNameAddr(na: NameAddr): string {
  let out = '';
  if (na.displayName !== undefined) {
    const bare = na.displayName !== '' && na.displayName.split(' ').every(isToken);
    out = `${bare ? na.displayName : quoteText(na.displayName)} `;
  }
  return `${out}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}

/** One Via value: `SIP/2.0/UDP host:port;params` (RFC 3261 §20.42). */
export function formatVia(via: Via): string {
  return `${via.protocol}/${via.transport} ${via.host}${via.port !== undefined ? `:${via.port}` : ''}${formatParams(via.params)}`;
}

/** `type/subtype;params` (RFC 3261 §20.15); Accept ranges carry their `q` in `params`. */
export function formatMediaType(m: MediaType): string {
  return `${m.type}/${m.subtype}${formatParams(m.params)}`;
}

/** `package.template;params` (RFC 6665 §8.2.1). */
export function formatEvent(e: EventType): string {
  return `${[e.package, ...e.templates].join('.')}${formatParams(e.params)}`;
}

/**
 * `state;expires=…;reason=…;retry-after=…;params` (RFC 6665 §8.2.3), from the fields; `params` holds the
 * other parameters.
 */
export function formatSubscriptionState(st: SubscriptionState): string {
  let out = st.state;
  if (st.expires !== undefined) out += `;expires=${st.expires}`;
  if (st.reason !== undefined) out += `;reason=${st.reason}`;
  if (st.retryAfter !== undefined) out += `;retry-after=${st.retryAfter}`;
  return out + formatParams(st.params);
}
