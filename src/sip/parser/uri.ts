import type { ParseResult } from '../message/headers.js';
import type { Params, SipUri, TelUri, Uri } from '../message/types.js';
import { isIPv6Address, normalizeIPv6 } from './ip.js';
import type { Scanner } from './scanner.js';
import { runGrammar, unescapeUri } from './scanner.js';

/**
 * URI grammars: SIP/SIPS (RFC 3261 §19.1, §25.1), tel (RFC 3966) and any other absolute URI (RFC 3986),
 * which is kept as text so that an unknown scheme still parses (RFC 4475 §3.3.2, §3.3.4).
 */

// Character classes of RFC 3261 §25.1 as bit masks over ASCII; `escaped` ("%" HEX HEX) is checked apart.
const UNRESERVED = 1; // alphanum / mark (- _ . ! ~ * ' ( ))
const USER = 2; // user-unreserved: & = + $ , ; ? /
const PASSWORD = 4; // & = + $ ,
const PARAM = 8; // param-unreserved: [ ] / : & + $
const HNV = 16; // hnv-unreserved: [ ] / ? : + $
const URIC = 32; // RFC 3986 unreserved / gen-delims / sub-delims
const HOST = 64; // hostname and IPv4 characters: alphanum - .
// Where a URI ends: inside <> or as a whole Request-URI at white space or '>'; as a bare addr-spec also
// at ',' and ';' (RFC 3261 §20.10: a URI with those characters must be enclosed in <>).
const END_ENCLOSED = 128;
const END_ADDR_SPEC = 256;
const END_PARAM = 512; // end of one uri-parameter: ; ? > SP HTAB

const CLASS = new Uint16Array(128);
function mark(chars: string, bit: number): void {
  for (const c of chars) CLASS[c.charCodeAt(0)]! |= bit;
}
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
mark(`${ALNUM}-_.!~*'()`, UNRESERVED | URIC);
mark('&=+$,;?/', USER);
mark('&=+$,', PASSWORD);
mark('[]/:&+$', PARAM);
mark('[]/?:+$', HNV);
mark(":/?#[]@!$&'()*+,;=-._~", URIC);
mark(`${ALNUM}-.`, HOST);
mark(' \t>', END_ENCLOSED | END_ADDR_SPEC | END_PARAM);
mark(',;', END_ADDR_SPEC);
mark(';?', END_PARAM);

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * True when text[from, to) is made of characters in `mask` and `escaped` sequences, and is non-empty
 * unless `allowEmpty`.
 */
function isEscapedRun(text: string, from: number, to: number, mask: number, allowEmpty = false): boolean {
  if (from === to) return allowEmpty;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      if (i + 2 >= to || !isHex(text.charCodeAt(i + 1)) || !isHex(text.charCodeAt(i + 2))) return false;
      i += 2;
      continue;
    }
    if (c >= 128 || (CLASS[c]! & mask) === 0) return false;
  }
  return true;
}

/** True when an IPv6 address (at least two colons) starts at `from`: RFC 5118 §4.2 requires [] around it. */
function isBareIPv6(text: string, from: number): boolean {
  let i = from;
  let colons = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) colons++;
    else if (!isHex(c) && c !== 46) break;
  }
  return colons >= 2 && isIPv6Address(text.slice(from, i));
}

/**
 * host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1). Names are lower-cased; an IPv6 reference
 * keeps its brackets, which RFC 5118 §4.2 makes mandatory in a SIP URI, and is normalised by
 * {@link normalizeIPv6}.
 */
export function parseHost(s: Scanner, what: string): string {
  const text = s.text;
  const start = s.pos;
  if (text.charCodeAt(start) === 0x5b) {
    const end = text.indexOf(']', start);
    if (end < 0) s.fail(`unterminated IPv6 reference in ${what}`);
    const address = normalizeIPv6(text.slice(start + 1, end));
    if (address === undefined) s.fail(`invalid IPv6 reference in ${what}`);
    s.pos = end + 1;
    return `[${address}]`;
  }
  // One pass over the host characters (alphanum - .) that checks both readings at once:
  //   hostname = *( domainlabel "." ) toplabel [ "." ]; domainlabel and toplabel have alphanum ends and
  //   toplabel starts with ALPHA;
  //   IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each part at most 255.
  // Text of digits and dots only must be an IPv4address; anything else must be a hostname.
  let i = start;
  let digitsAndDots = true;
  let labelStart = start; // start of the label being read
  let lastLabelStart = start; // start of the label before the last dot (the toplabel of "name.")
  let labelsOk = true; // every label closed by a dot so far is a domainlabel
  let upper = false;
  let dots = 0;
  let partDigits = 0; // digits in the current IPv4 part
  let partValue = 0;
  let ipv4Ok = true;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (i === labelStart || text.charCodeAt(labelStart) === 45 || text.charCodeAt(i - 1) === 45) labelsOk = false;
      if (partDigits === 0) ipv4Ok = false;
      dots++;
      partDigits = 0;
      partValue = 0;
      lastLabelStart = labelStart;
      labelStart = i + 1;
    } else if (c >= 48 && c <= 57) {
      partValue = partValue * 10 + (c - 48);
      if (++partDigits > 3 || partValue > 255) ipv4Ok = false;
    } else if (c < 128 && (CLASS[c]! & HOST) !== 0) {
      digitsAndDots = false;
      if (c >= 65 && c <= 90) upper = true;
    } else {
      break;
    }
  }
  if (i === start) s.fail(`missing host in ${what}`);
  // A bare IPv6 address reads as a host of at most four hex digits followed by ':'.
  if (text.charCodeAt(i) === 0x3a && i - start <= 4 && isBareIPv6(text, start)) {
    s.fail(`IPv6 address without [] in ${what}`);
  }
  s.pos = i;
  if (digitsAndDots) {
    if (!ipv4Ok || dots !== 3 || partDigits === 0) s.fail(`invalid IPv4 address in ${what}`);
    return text.slice(start, i);
  }
  // The toplabel: the last label, or the one before a final "." (a fully qualified name).
  const fqdn = text.charCodeAt(i - 1) === 46;
  const topStart = fqdn ? lastLabelStart : labelStart;
  const topEnd = fqdn ? i - 1 : i;
  const first = text.charCodeAt(topStart);
  const topOk = topEnd > topStart && text.charCodeAt(topEnd - 1) !== 45 && ((first >= 65 && first <= 90) || (first >= 97 && first <= 122));
  if (!labelsOk || !topOk) s.fail(`invalid host name in ${what}`);
  const host = text.slice(start, i);
  return upper ? host.toLowerCase() : host;
}

/** `1*DIGIT` read as a port, 1-65535 (RFC 3261 §25.1 port; 0 addresses nothing). */
export function scanPortNumber(s: Scanner, what: string): number {
  const text = s.text;
  const start = s.pos;
  let port = 0;
  let i = start;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    // More than five digits is out of range whatever their value (leading zeros included).
    port = i - start < 5 ? port * 10 + (c - 48) : 0;
  }
  if (i === start) s.fail(`missing port in ${what}`);
  s.pos = i;
  if (port < 1 || port > 65535) s.fail(`port out of range in ${what}`);
  return port;
}

/** An optional `:port` directly after a host; fails on a port outside 1-65535. */
export function parsePort(s: Scanner, what: string): number | undefined {
  if (s.text.charCodeAt(s.pos) !== 0x3a) return undefined;
  s.pos++;
  return scanPortNumber(s, what);
}

/** Index of the first character at or after `from` in the class `mask`, or the text length. */
function findEnd(text: string, from: number, mask: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && (CLASS[c]! & mask) !== 0) return i;
  }
  return text.length;
}

function sipUri(s: Scanner, scheme: 'sip' | 'sips', inAddrSpec: boolean): SipUri {
  const text = s.text;
  const what = scheme === 'sip' ? 'sip URI' : 'sips URI'; // constants: no string built per URI
  const uri: SipUri = { scheme, host: '', params: new Map(), headers: [] };
  // userinfo ends at the first '@': no character of hostport, params or headers may be an unescaped '@'.
  const end = inAddrSpec ? END_ADDR_SPEC : END_ENCLOSED;
  let at = -1;
  let colon = -1;
  for (let i = s.pos; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x40) {
      at = i;
      break;
    }
    if (c === 0x3a && colon < 0) colon = i;
    else if (c < 128 && (CLASS[c]! & end) !== 0) break;
  }
  if (at >= 0) {
    const userEnd = colon < 0 ? at : colon;
    // user = 1*( unreserved / escaped / user-unreserved ); password = *( unreserved / escaped / & = + $ , )
    if (!isEscapedRun(text, s.pos, userEnd, UNRESERVED | USER)) s.fail(`invalid user part in ${what}`);
    uri.user = text.slice(s.pos, userEnd);
    if (colon >= 0) {
      if (!isEscapedRun(text, colon + 1, at, UNRESERVED | PASSWORD, true)) s.fail(`invalid password in ${what}`);
      uri.password = text.slice(colon + 1, at);
    }
    s.pos = at + 1;
  }
  uri.host = parseHost(s, what);
  const port = parsePort(s, what);
  if (port !== undefined) uri.port = port;
  if (inAddrSpec) return uri; // RFC 3261 §20.10: without <>, ';' starts header parameters
  while (text.charCodeAt(s.pos) === 0x3b) {
    // uri-parameter = pname [ "=" pvalue ]; pname = pvalue = 1*paramchar (RFC 3261 §25.1)
    const start = s.pos + 1;
    const end = findEnd(text, start, END_PARAM);
    const eq = text.indexOf('=', start);
    const nameEnd = eq >= 0 && eq < end ? eq : end;
    if (!isEscapedRun(text, start, nameEnd, UNRESERVED | PARAM)) {
      s.fail(`invalid uri-parameter '${text.slice(start, end)}' in ${what}`);
    }
    if (nameEnd < end && !isEscapedRun(text, nameEnd + 1, end, UNRESERVED | PARAM)) {
      s.fail(`invalid uri-parameter '${text.slice(start, end)}' in ${what}`);
    }
    // RFC 3261 §19.1.4: parameter names compare case-insensitively and escapes equal what they encode.
    const name = unescapeUri(text.slice(start, nameEnd)).toLowerCase();
    if (uri.params.has(name)) s.fail(`duplicate uri-parameter '${name}' in ${what}`);
    uri.params.set(name, nameEnd < end ? text.slice(nameEnd + 1, end) : null);
    s.pos = end;
  }
  if (text.charCodeAt(s.pos) === 0x3f) {
    // headers = "?" header *( "&" header ); header = hname "=" hvalue
    s.pos++;
    const end = findEnd(text, s.pos, END_ENCLOSED);
    let start = s.pos;
    while (start <= end) {
      let amp = text.indexOf('&', start);
      if (amp < 0 || amp > end) amp = end;
      const eq = text.indexOf('=', start);
      if (
        eq < 0 || eq >= amp ||
        !isEscapedRun(text, start, eq, UNRESERVED | HNV) ||
        !isEscapedRun(text, eq + 1, amp, UNRESERVED | HNV, true)
      ) {
        s.fail(`invalid URI header '${text.slice(start, amp)}' in ${what}`);
      }
      uri.headers.push([text.slice(start, eq), text.slice(eq + 1, amp)]);
      start = amp + 1;
    }
    s.pos = end;
  }
  return uri;
}

function telUri(s: Scanner, inAddrSpec: boolean): TelUri {
  const stop = findEnd(s.text, s.pos, inAddrSpec ? END_ADDR_SPEC : END_ENCLOSED);
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

/** The scheme text[from, to) lower-cased; sip, sips and tel (nearly every URI) are matched in place. */
function schemeName(text: string, from: number, to: number): string {
  // Scheme characters are letters, digits, + - and .; of these `| 0x20` folds only the capitals.
  const a = text.charCodeAt(from) | 0x20;
  const b = text.charCodeAt(from + 1) | 0x20;
  const c = text.charCodeAt(from + 2) | 0x20;
  if (to - from === 3 && a === 0x73 && b === 0x69 && c === 0x70) return 'sip';
  if (to - from === 4 && a === 0x73 && b === 0x69 && c === 0x70 && (text.charCodeAt(from + 3) | 0x20) === 0x73) return 'sips';
  if (to - from === 3 && a === 0x74 && b === 0x65 && c === 0x6c) return 'tel';
  return text.slice(from, to).toLowerCase();
}

/**
 * Reads one URI at the scanner position. With `inAddrSpec` the URI is a bare addr-spec (RFC 3261 §20.10):
 * it ends at ';', ',' or white space, and parameters after it belong to the header.
 */
export function scanUri(s: Scanner, inAddrSpec = false): Uri {
  const text = s.text;
  const start = s.pos;
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1); compared case-insensitively.
  let i = start;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alpha && (i === start || !((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46))) break;
  }
  if (i === start || text.charCodeAt(i) !== 0x3a) {
    s.fail(text.charCodeAt(start) === 0x3a ? 'missing URI scheme' : 'invalid URI scheme');
  }
  const scheme = schemeName(text, start, i);
  s.pos = i + 1;
  if (scheme === 'sip' || scheme === 'sips') return sipUri(s, scheme, inAddrSpec);
  if (scheme === 'tel') return telUri(s, inAddrSpec);
  const stop = findEnd(text, s.pos, inAddrSpec ? END_ADDR_SPEC : END_ENCLOSED);
  if (stop === s.pos) s.fail(`empty ${scheme} URI`);
  // RFC 3986 §2: the rest is unreserved, reserved and pct-encoded characters.
  if (!isEscapedRun(text, s.pos, stop, URIC)) s.fail(`invalid character in ${scheme} URI`);
  s.pos = stop;
  return { scheme, text: text.slice(start, stop) };
}

/** Parses a complete URI (Request-URI, or the text inside `<…>`). */
export function parseUri(text: string): ParseResult<Uri> {
  return runGrammar(text, (s) => {
    const uri = scanUri(s);
    if (!s.eof) s.fail(`unexpected '${s.text.slice(s.pos, s.pos + 16)}' after URI`);
    return uri;
  });
}
