import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP address helpers for the transport layer: the forms a socket reports (IPv4-mapped IPv6 on dual-stack
 * sockets) and the forms SIP writes (IPv6 references in brackets, RFC 3261 §25.1) are brought to one
 * comparable form.
 */

const MAPPED_PREFIX = '::ffff:';

/** `::ffff:192.0.2.1` (what a dual-stack socket reports for an IPv4 peer) → `192.0.2.1`; else unchanged. */
export function unmapIPv4(address: string): string {
  if (address.length > MAPPED_PREFIX.length && address.slice(0, MAPPED_PREFIX.length).toLowerCase() === MAPPED_PREFIX) {
    const v4 = address.slice(MAPPED_PREFIX.length);
    if (isIPv4(v4)) return v4;
  }
  return address;
}

/** `[2001:db8::1]` → `2001:db8::1`; anything else unchanged. */
export function stripBrackets(host: string): string {
  return host.length > 1 && host.charCodeAt(0) === 0x5b && host.charCodeAt(host.length - 1) === 0x5d
    ? host.slice(1, -1)
    : host;
}

/**
 * A key under which two spellings of one address are equal: brackets and an IPv6 zone are dropped,
 * IPv4-mapped addresses become IPv4, IPv6 is written as eight lower-case groups without leading zeros,
 * host names are lower-cased.
 */
export function addressKey(address: string): string {
  let a = stripBrackets(address);
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  a = unmapIPv4(a);
  if (!isIPv6(a)) return a.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const [o1, o2, o3, o4] = v4.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, v4.index)}${((o1 << 8) | o2).toString(16)}:${((o3 << 8) | o4).toString(16)}`;
  }
  const [head = '', rest] = a.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => (parseInt(g, 16) || 0).toString(16)).join(':');
}

/** True when both are the same IP address (or the same host name, case-insensitively). */
export function sameAddress(a: string, b: string): boolean {
  return a === b || addressKey(a) === addressKey(b);
}

/** The IP family of an address (4 or 6), 0 for a host name. Brackets are allowed. */
export function addressFamily(address: string): 0 | 4 | 6 {
  const a = stripBrackets(address);
  if (isIPv4(a)) return 4;
  if (isIPv6(a)) return 6;
  return 0;
}
