import { isIPv4, isIPv6 } from 'node:net';
import type { ParseResult } from '../message/headers.js';
import type { Params, SipUri, TelUri, Uri } from '../message/types.js';
import type { Scanner} from './scanner.js';
import { runGrammar } from './scanner.js';

/**
 * URI grammars: SIP/SIPS (RFC 3261 §19.1, §25.1), tel (RFC 3966) and any other absolute URI (RFC 3986).
 */

// user = 1*( unreserved / escaped / user-unreserved ); user-unreserved = & = + $ , ; ? /
const USER_CHAR = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2})+$/;
// password = *( unreserved / escaped / & = + $ , )
const PASSWORD_CHAR = /^(?:[A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-Fa-f]{2})*$/;
// paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $
const PARAM_CHAR = /^(?:[A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-Fa-f]{2})+$/;
// hname/hvalue = hnv-unreserved / unreserved / escaped; hnv-unreserved = [ ] / ? : + $
const HNV_CHAR = /^(?:[A-Za-z0-9\-_.!~*'()[\]/?:+$]|%[0-9A-Fa-f]{2})*$/;
const HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+\-.]*$/;


/** Validates and normalises a host: names lower-cased, IPv6 references kept with brackets. */
export function parseHost(s: Scanner, what: string): string {
  if (s.peek() === '[') {
    const end = s.text.indexOf(']', s.pos);
    if (end < 0) s.fail(`unterminated IPv6 reference in ${what}`);
    const inner = s.text.slice(s.pos + 1, end);
    if (!isIPv6(inner)) s.fail(`invalid IPv6 reference in ${what}`);
    s.pos = end + 1;
    return `[${inner.toLowerCase()}]`;
  }
  const start = s.pos;
  while (!s.eof && /[A-Za-z0-9.-]/.test(s.peek())) s.pos++;
  const host = s.text.slice(start, s.pos);
  if (!host) s.fail(`missing host in ${what}`);
  if (/^[0-9.]+$/.test(host)) {
    if (!isIPv4(host)) s.fail(`invalid IPv4 address in ${what}`);
    return host;
  }
  if (!HOSTNAME.test(host)) s.fail(`invalid host name in ${what}`);
  return host.toLowerCase();
}

/** An optional `:port`; fails on a port outside 1-65535. */
export function parsePort(s: Scanner, what: string): number | undefined {
  if (s.peek() !== ':') return undefined;
  s.pos++;
  const start = s.pos;
  while (!s.eof && s.peek() >= '0' && s.peek() <= '9') s.pos++;
  const digits = s.text.slice(start, s.pos);
  if (!digits) s.fail(`missing port in ${what}`);
  const port = Number(digits);
  if (port < 1 || port > 65535) s.fail(`port out of range in ${what}`);
  return port;
}

function sipUri(s: Scanner, scheme: 'sip' | 'sips', inAddrSpec: boolean): SipUri {
  const uri: SipUri = { scheme, host: '', params: new Map(), headers: [] };
  // The first '@' ends userinfo: no character of host, params or headers may be an unescaped '@'.
  const stop = inAddrSpec ? findAny(s.text, s.pos, ' \t,;>') : findAny(s.text, s.pos, ' \t>');
  const at = s.text.indexOf('@', s.pos);
  if (at >= 0 && at < stop) {
    const userinfo = s.text.slice(s.pos, at);
    const colon = userinfo.indexOf(':');
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (!USER_CHAR.test(user)) s.fail(`invalid user part in ${scheme} URI`);
    uri.user = user;
    if (colon >= 0) {
      const password = userinfo.slice(colon + 1);
      if (!PASSWORD_CHAR.test(password)) s.fail(`invalid password in ${scheme} URI`);
      uri.password = password;
    }
    s.pos = at + 1;
  }
  uri.host = parseHost(s, `${scheme} URI`);
  const port = parsePort(s, `${scheme} URI`);
  if (port !== undefined) uri.port = port;
  if (inAddrSpec) return uri; // RFC 3261 §20.10: without <>, ';' starts header parameters
  while (s.peek() === ';') {
    s.pos++;
    const raw = s.until(';?> \t');
    const eq = raw.indexOf('=');
    const name = (eq < 0 ? raw : raw.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? null : raw.slice(eq + 1);
    if (!PARAM_CHAR.test(name) || (value !== null && !PARAM_CHAR.test(value))) {
      s.fail(`invalid uri-parameter '${raw}' in ${scheme} URI`);
    }
    if (uri.params.has(name)) s.fail(`duplicate uri-parameter '${name}' in ${scheme} URI`);
    uri.params.set(name, value);
  }
  if (s.peek() === '?') {
    s.pos++;
    const raw = s.until('> \t');
    for (const pair of raw.split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) s.fail(`invalid URI header '${pair}' in ${scheme} URI`);
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (!HNV_CHAR.test(name) || !HNV_CHAR.test(value)) s.fail(`invalid URI header '${pair}' in ${scheme} URI`);
      uri.headers.push([name, value]);
    }
  }
  return uri;
}

function telUri(s: Scanner, inAddrSpec: boolean): TelUri {
  const stop = inAddrSpec ? findAny(s.text, s.pos, ' \t,;>') : findAny(s.text, s.pos, ' \t>');
  const raw = s.text.slice(s.pos, stop);
  const [number = '', ...pars] = raw.split(';');
  // RFC 3966 §3: global-number-digits = "+" *phonedigit DIGIT *phonedigit; local = *phonedigit-hex ...
  if (!/^(?:\+[0-9\-.()]*[0-9][0-9\-.()]*|[0-9A-Fa-f*#\-.()]*[0-9A-Fa-f*#][0-9A-Fa-f*#\-.()]*)$/.test(number)) {
    s.fail('invalid telephone number in tel URI');
  }
  const params: Params = new Map();
  for (const p of pars) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).toLowerCase();
    if (!/^[a-z0-9-]+$/.test(name)) s.fail(`invalid parameter '${p}' in tel URI`);
    params.set(name, eq < 0 ? null : p.slice(eq + 1));
  }
  s.pos = stop;
  return { scheme: 'tel', number, params };
}

function findAny(text: string, from: number, chars: string): number {
  for (let i = from; i < text.length; i++) if (chars.includes(text[i]!)) return i;
  return text.length;
}

/**
 * Reads one URI at the scanner position. With `inAddrSpec` the URI is a bare addr-spec (RFC 3261 §20.10):
 * it ends at ';', ',' or white space, and parameters after it belong to the header.
 */
export function scanUri(s: Scanner, inAddrSpec = false): Uri {
  const colon = s.text.indexOf(':', s.pos);
  if (colon < 0) s.fail('missing URI scheme');
  const schemeText = s.text.slice(s.pos, colon);
  if (!SCHEME.test(schemeText)) s.fail('invalid URI scheme');
  const scheme = schemeText.toLowerCase();
  s.pos = colon + 1;
  if (scheme === 'sip' || scheme === 'sips') return sipUri(s, scheme, inAddrSpec);
  if (scheme === 'tel') return telUri(s, inAddrSpec);
  const start = colon - schemeText.length;
  const stop = inAddrSpec ? findAny(s.text, s.pos, ' \t,;>') : findAny(s.text, s.pos, ' \t>');
  if (stop === s.pos) s.fail(`empty ${scheme} URI`);
  s.pos = stop;
  return { scheme, text: s.text.slice(start, stop) };
}

/** Parses a complete URI (Request-URI, or the text inside `<…>`). */
export function parseUri(text: string): ParseResult<Uri> {
  return runGrammar(text, (s) => {
    const uri = scanUri(s);
    if (!s.eof) s.fail(`unexpected '${s.text.slice(s.pos, s.pos + 16)}' after URI`);
    return uri;
  });
}
