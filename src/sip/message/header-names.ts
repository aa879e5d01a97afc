/**
 * Header field names: canonical spellings and the compact forms of RFC 3261 §7.3.3, RFC 6665 §8.2
 * (o, u), RFC 3515 (r), RFC 3892 (b), RFC 3841 (a, j, d), RFC 4028 (x), RFC 3903 and others.
 * Header names are case-insensitive (RFC 3261 §7.3.1).
 */

const CANONICAL = [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events',
  'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition',
  'Content-Encoding', 'Content-ID', 'Content-Language', 'Content-Length', 'Content-Type', 'CSeq', 'Date',
  'Error-Info', 'Event', 'Expires', 'Flow-Timer', 'From', 'In-Reply-To', 'Max-Forwards', 'MIME-Version',
  'Min-Expires', 'Organization', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Path', 'Priority',
  'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'Record-Route', 'Refer-To',
  'Referred-By', 'Reject-Contact', 'Reply-To', 'Request-Disposition', 'Require', 'Retry-After', 'Route',
  'Server', 'Service-Route', 'Session-Expires', 'SIP-ETag', 'SIP-If-Match', 'Subject', 'Subscription-State',
  'Supported', 'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via', 'Warning', 'WWW-Authenticate',
];

const COMPACT: Record<string, string> = {
  a: 'Accept-Contact', b: 'Referred-By', c: 'Content-Type', d: 'Request-Disposition', e: 'Content-Encoding',
  f: 'From', i: 'Call-ID', j: 'Reject-Contact', k: 'Supported', l: 'Content-Length', m: 'Contact',
  o: 'Event', r: 'Refer-To', s: 'Subject', t: 'To', u: 'Allow-Events', v: 'Via', x: 'Session-Expires',
  y: 'Identity',
};

/** A known header name: its canonical spelling and its lookup key (the canonical name lower-cased). */
export interface KnownHeaderName {
  readonly name: string;
  readonly key: string;
}

// Every lower-cased spelling (long and compact) to one shared record, so that every field and grammar
// of a header holds the same key string and key comparisons mostly compare one pointer.
const BY_LOWER = new Map<string, KnownHeaderName>();
for (const name of CANONICAL) BY_LOWER.set(name.toLowerCase(), { name, key: name.toLowerCase() });
for (const [short, long] of Object.entries(COMPACT)) {
  BY_LOWER.set(short, BY_LOWER.get(long.toLowerCase()) ?? { name: long, key: long.toLowerCase() });
}

// The same spellings by length and first letter, for matching a name inside a longer text without
// slicing it: slot `length * 32 + (first character & 31)` lists the spellings that may match (usually
// one). `spelling` is the canonical name when the entry is its long form (the usual spelling on the wire).
interface Spelling {
  readonly lower: string;
  readonly spelling: string | undefined;
  readonly known: KnownHeaderName;
}
const LONGEST = Math.max(...[...BY_LOWER.keys()].map((k) => k.length));
const SLOTS: Array<Spelling[] | undefined> = new Array<Spelling[] | undefined>((LONGEST + 1) * 32).fill(undefined);
for (const [lower, known] of BY_LOWER) {
  const spelling = lower.length === known.name.length ? known.name : undefined;
  (SLOTS[lower.length * 32 + (lower.charCodeAt(0) & 31)] ??= []).push({ lower, spelling, known });
}

/**
 * The known header name spelled by text[from, to) in any letter case, or undefined. The range must hold
 * no control character but HTAB: the match folds case with `| 0x20`, which maps no other character onto
 * a letter, digit or '-' (only the controls 0x0D and 0x10-0x19 would fold onto '-' and the digits).
 */
export function matchKnownName(text: string, from: number, to: number): KnownHeaderName | undefined {
  if (to - from > LONGEST) return undefined;
  const first = text.charCodeAt(from) | 0x20;
  const candidates = SLOTS[(to - from) * 32 + (first & 31)];
  if (candidates === undefined) return undefined;
  for (const c of candidates) {
    const lower = c.lower;
    if (lower.charCodeAt(0) !== first) continue;
    // The canonical spelling is compared natively; other spellings character by character.
    if (c.spelling !== undefined && text.startsWith(c.spelling, from)) return c.known;
    let i = 1;
    while (i < lower.length && (text.charCodeAt(from + i) | 0x20) === lower.charCodeAt(i)) i++;
    if (i === lower.length) return c.known;
  }
  return undefined;
}

/**
 * The canonical spelling of a header name: compact forms expand (`v` → `Via`), known names get their
 * RFC capitalisation, unknown names are returned exactly as given.
 */
export function canonicalName(name: string): string {
  return BY_LOWER.get(name.toLowerCase())?.name ?? name;
}

/** The case-insensitive lookup key of a header name (compact forms map to their long form). */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return BY_LOWER.get(lower)?.key ?? lower;
}
