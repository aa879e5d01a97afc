/**
 * IP address literals as SIP writes them: `IPv4address` and `IPv6address` of RFC 3261 §25.1, read with
 * the corrections of RFC 5118 §4.10 and the text forms of RFC 4291 §2.2. Plain character loops, no
 * allocation on the success path of IPv4.
 */

/** True for `1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT` with every part at most 255. */
export function isIPv4Address(text: string, from = 0, to = text.length): boolean {
  let parts = 0;
  let i = from;
  while (parts < 4) {
    let value = 0;
    const start = i;
    while (i < to && i - start < 3) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      i++;
    }
    if (i === start || value > 255) return false;
    parts++;
    if (parts < 4) {
      if (text.charCodeAt(i) !== 46 || i >= to) return false;
      i++;
    }
  }
  return i === to;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Counts the `hex4` groups of a `hexseq` (RFC 3261 §25.1), or -1 when it is not one. Empty gives 0. */
function hexGroups(text: string, from: number, to: number): number {
  if (from === to) return 0;
  let groups = 0;
  let i = from;
  for (;;) {
    const start = i;
    while (i < to && i - start < 4 && isHex(text.charCodeAt(i))) i++;
    if (i === start) return -1;
    groups++;
    if (i === to) return groups;
    if (text.charCodeAt(i) !== 58) return -1;
    i++;
  }
}

/** True for an RFC 4291 §2.2 IPv6 address text (no zone, no brackets), e.g. `2001:db8::9:1`, `::ffff:192.0.2.1`. */
export function isIPv6Address(text: string): boolean {
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return false;
  // The hex part ends before the last colon, or after it when that colon closes a "::".
  let end = text.length;
  let v4Groups = 0;
  if (text.indexOf('.', lastColon) >= 0) {
    // An embedded IPv4 address (RFC 4291 §2.2 form 3) stands for the last two groups.
    if (!isIPv4Address(text, lastColon + 1)) return false;
    v4Groups = 2;
    end = text.charCodeAt(lastColon - 1) === 58 ? lastColon + 1 : lastColon;
  }
  const gap = text.indexOf('::');
  if (gap < 0) return hexGroups(text, 0, end) + v4Groups === 8;
  const again = text.indexOf('::', gap + 1);
  if (again >= 0 && again < end) return false; // at most one "::"
  const left = hexGroups(text, 0, gap);
  const right = hexGroups(text, gap + 2, end);
  return left >= 0 && right >= 0 && left + right + v4Groups <= 7;
}

/**
 * The address inside an IPv6reference, lower-cased, or undefined when it is not an IPv6 address.
 * RFC 5118 §4.10: an implementation must tolerate the extra colon that the RFC 3261 ABNF allows before an
 * embedded IPv4 address (`2001:db8:::192.0.2.1`); it is dropped, so the address is written back correctly.
 */
export function normalizeIPv6(text: string): string | undefined {
  if (isIPv6Address(text)) return text.toLowerCase();
  const triple = text.indexOf(':::');
  if (triple >= 0 && isIPv4Address(text, triple + 3)) {
    const fixed = text.slice(0, triple + 2) + text.slice(triple + 3);
    if (isIPv6Address(fixed)) return fixed.toLowerCase();
  }
  return undefined;
}
