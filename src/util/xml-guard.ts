/**
 * The checks a presence body passes before an XML parser sees it: size, character encoding, and the
 * markup a presence document never needs and an attacker does (DTDs with entity expansion — "billion
 * laughs" — and external entities, processing instructions). One linear pass over the text; the parser
 * then only ever sees the five predefined entities and character references.
 */

/** The decoded text, or the status and defect to reject the body with. */
export type ScreenResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly status: 400 | 413; readonly defect: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

// XML 1.0 §2.2 Char: no C0 controls other than TAB, LF, CR, and no U+FFFE / U+FFFF.
// eslint-disable-next-line no-control-regex
const ILLEGAL_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

// XML 1.0 §2.8 XMLDecl, in the order the grammar fixes: version, then encoding, then standalone.
const XML_DECL =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(["'])1\.[0-9]+\1(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(["'])(?:yes|no)\4)?[ \t\r\n]*\?>/;

// The references XML allows without a DTD: the five predefined entities and character references.
const REFERENCE = /&(?:lt|gt|amp|apos|quot|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/y;
const NAMED_REFERENCE = /&[A-Za-z_:][A-Za-z0-9._:-]*;/y;

function fail(defect: string, status: 400 | 413 = 400): ScreenResult {
  return { ok: false, status, defect };
}

/** XML 1.0 §2.2: is this code point a legal Char (for a character reference)? */
function isXmlChar(cp: number): boolean {
  if (cp === 0x9 || cp === 0xa || cp === 0xd) return true;
  if (cp >= 0x20 && cp <= 0xd7ff) return true;
  if (cp >= 0xe000 && cp <= 0xfffd) return true;
  return cp >= 0x10000 && cp <= 0x10ffff;
}

/** Checks one `&…;` at `at`; returns where scanning resumes, or a defect. */
function reference(text: string, at: number): number | string {
  REFERENCE.lastIndex = at;
  const m = REFERENCE.exec(text);
  if (m) {
    const cp = m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? parseInt(m[2], 16) : 0x20;
    return isXmlChar(cp) ? REFERENCE.lastIndex : 'PIDF: character reference to a character not allowed in XML';
  }
  NAMED_REFERENCE.lastIndex = at;
  return NAMED_REFERENCE.test(text) ? 'PIDF: entity reference not allowed' : "PIDF: not well-formed XML: bare '&'";
}

/** Checks the references in text[from, to); a defect or undefined. */
function references(text: string, from: number, to: number): string | undefined {
  for (let at = text.indexOf('&', from); at >= 0 && at < to; at = text.indexOf('&', at)) {
    const next = reference(text, at);
    if (typeof next === 'string') return next;
    at = next;
  }
  return undefined;
}

/**
 * Reads the start tag at `at` (just after its `<`) up to its `>`, skipping quoted attribute values and
 * screening the references in them. Returns the index after the tag and whether it is empty (`/>`), or
 * a defect; `end` is -1 when the tag never ends (the XML parser then reports the error).
 */
function startTag(text: string, at: number): { end: number; empty: boolean } | string {
  for (let j = at; j < text.length; j++) {
    const c = text[j];
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, j + 1);
      if (close < 0) break;
      const bad = references(text, j + 1, close);
      if (bad) return bad;
      j = close;
    } else if (c === '>') {
      return { end: j + 1, empty: text[j - 1] === '/' };
    }
  }
  return { end: -1, empty: true };
}

/** The limits the screening enforces (see `PidfLimits`). */
export interface ScreenLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxElements: number;
}

/**
 * Decodes a presence body and rejects what must never reach the XML parser:
 * - more than `maxBytes` octets (status 413, checked before anything is decoded);
 * - any encoding but UTF-8: RFC 3863 §4.1 makes UTF-8 the one encoding every implementation MUST accept,
 *   so it is the only one accepted here (a UTF-8 byte order mark is allowed, a UTF-16 one is not);
 * - characters XML does not allow, a malformed XML declaration, one not at the very start;
 * - a DOCTYPE (internal subsets can define expanding or external entities), any other `<!` declaration,
 *   any processing instruction, and any entity reference except the five predefined ones and character
 *   references. Comments and CDATA sections are skipped, their content is not markup;
 * - elements nested deeper than `maxDepth` (the root is depth 1) or more than `maxElements` of them,
 *   counted from the tags, so a pathological document costs a scan and not a DOM (the count is exact
 *   for well-formed XML, and anything else is refused by the parser).
 */
export function screenXml(body: Buffer, limits: ScreenLimits): ScreenResult {
  if (body.length > limits.maxBytes) return fail(`PIDF: body larger than ${limits.maxBytes} bytes`, 413);
  if ((body[0] === 0xfe && body[1] === 0xff) || (body[0] === 0xff && body[1] === 0xfe)) {
    return fail('PIDF: encoding must be UTF-8');
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return fail('PIDF: body is not valid UTF-8');
  }
  if (ILLEGAL_CHAR.test(text)) return fail('PIDF: character not allowed in XML');
  let i = 0;
  if (/^<\?xml[ \t\r\n]/.test(text)) {
    const decl = XML_DECL.exec(text);
    if (!decl) return fail('PIDF: malformed XML declaration');
    const encoding = decl[3];
    // RFC 3863 §4.1: UTF-8 is the encoding everyone MUST accept; others are refused (see above).
    if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') return fail('PIDF: encoding must be UTF-8');
    i = decl[0].length;
  }
  let depth = 0;
  let elements = 0;
  const special = /[<&]/g;
  for (;;) {
    special.lastIndex = i;
    const m = special.exec(text);
    if (!m) return { ok: true, text };
    const at = m.index;
    if (text[at] === '&') {
      const next = reference(text, at);
      if (typeof next === 'string') return fail(next);
      i = next;
    } else if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4);
      if (end < 0) return fail('PIDF: not well-formed XML: unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', at)) {
      const end = text.indexOf(']]>', at + 9);
      if (end < 0) return fail('PIDF: not well-formed XML: unterminated CDATA section');
      i = end + 3;
    } else if (text.startsWith('<!DOCTYPE', at)) {
      return fail('PIDF: DOCTYPE not allowed');
    } else if (text.startsWith('<!', at)) {
      return fail('PIDF: markup declaration not allowed');
    } else if (text.startsWith('<?', at)) {
      return fail(/^<\?xml[ \t\r\n?]/.test(text.slice(at, at + 6)) ? 'PIDF: XML declaration not at the start' : 'PIDF: processing instruction not allowed');
    } else if (text[at + 1] === '/') {
      depth--;
      i = at + 2;
    } else {
      const tag = startTag(text, at + 1);
      if (typeof tag === 'string') return fail(tag);
      if (depth + 1 > limits.maxDepth) return fail(`PIDF: elements nested deeper than ${limits.maxDepth}`);
      if (++elements > limits.maxElements) return fail(`PIDF: more than ${limits.maxElements} elements`);
      if (!tag.empty) depth++;
      if (tag.end < 0) return { ok: true, text };
      i = tag.end;
    }
  }
}
