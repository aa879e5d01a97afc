/**
 * The checks an XML body from the network (a PIDF document, an XCAP document or fragment) passes before
 * an XML parser sees it: size, character encoding, and the markup such documents never need and an
 * attacker does (DTDs with entity expansion — "billion laughs" — and external entities, processing
 * instructions). One linear pass over the decoded text checks its characters, its markup and the
 * limits together; the parser then only ever sees the five predefined entities and character references.
 */

/**
 * Why a body was refused: `too-large` (over `maxBytes`), `not-utf-8` (another encoding, or invalid
 * UTF-8), `forbidden` (DOCTYPE, other declarations, processing instructions, entity references, nesting
 * or element count over the limits), `not-well-formed` (a defect the scan itself proves: illegal
 * characters, a bare '&', a malformed or misplaced XML declaration, an unterminated comment or CDATA).
 */
export type ScreenFailureKind = 'too-large' | 'not-utf-8' | 'forbidden' | 'not-well-formed';

/** The decoded text, or the status, kind and defect to reject the body with. */
export type ScreenResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly status: 400 | 413; readonly kind: ScreenFailureKind; readonly defect: string };

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

// The code units the scan looks for.
const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

/** A defect found by the scan, before the label is put in front of its text. */
interface Defect {
  readonly kind: ScreenFailureKind;
  readonly text: string;
}

const defect = (kind: ScreenFailureKind, text: string): Defect => ({ kind, text });

const ILLEGAL: Defect = defect('not-well-formed', 'character not allowed in XML');

/**
 * XML 1.0 §2.2 Char, for one UTF-16 code unit of decoded text: TAB, LF, CR, and U+0020 up except U+FFFE
 * and U+FFFF (the same set as {@link ILLEGAL_CHAR}; surrogates come in pairs from the UTF-8 decoder).
 */
function notChar(c: number): boolean {
  return c < 0x20 ? c !== 0x9 && c !== 0xa && c !== 0xd : c >= 0xfffe;
}

/** XML 1.0 §2.2: is this code point a legal Char (for a character reference)? */
function isXmlChar(cp: number): boolean {
  if (cp === 0x9 || cp === 0xa || cp === 0xd) return true;
  if (cp >= 0x20 && cp <= 0xd7ff) return true;
  if (cp >= 0xe000 && cp <= 0xfffd) return true;
  return cp >= 0x10000 && cp <= 0x10ffff;
}

/** Checks one `&…;` at `at`; returns where scanning resumes, or a defect. */
function reference(text: string, at: number): number | Defect {
  REFERENCE.lastIndex = at;
  const m = REFERENCE.exec(text);
  if (m) {
    const cp = m[1] !== undefined ? Number(m[1]) : m[2] !== undefined ? parseInt(m[2], 16) : 0x20;
    return isXmlChar(cp) ? REFERENCE.lastIndex : defect('not-well-formed', 'character reference to a character not allowed in XML');
  }
  NAMED_REFERENCE.lastIndex = at;
  return NAMED_REFERENCE.test(text) ? defect('forbidden', 'entity reference not allowed') : defect('not-well-formed', "not well-formed XML: bare '&'");
}

/** Checks that text[from, to) holds only Chars (comments, CDATA sections). */
function chars(text: string, from: number, to: number): Defect | undefined {
  for (let k = from; k < to; k++) if (notChar(text.charCodeAt(k))) return ILLEGAL;
  return undefined;
}

/** Checks the Chars and references of an attribute value, text[from, to). */
function attributeValue(text: string, from: number, to: number): Defect | undefined {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === AMP) {
      const next = reference(text, k);
      if (typeof next !== 'number') return next;
      k = next - 1;
    } else if (notChar(c)) {
      return ILLEGAL;
    }
  }
  return undefined;
}

/** Where the scan of a text stopped: a defect, the end of the text, or a start tag that never ends. */
type Stop = Defect | 'end' | 'unterminated-tag';

/**
 * The one pass over the text after the XML declaration (from `i`): every code unit is checked to be a
 * Char; references, comments, CDATA sections, declarations, processing instructions and tags are
 * recognised; elements are counted and their nesting measured. Stops at the first defect, or where a
 * start tag never ends (the XML parser then reports the error).
 */
function scan(text: string, i: number, limits: ScreenLimits): Stop {
  const n = text.length;
  let depth = 0;
  let elements = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === AMP) {
      const next = reference(text, i);
      if (typeof next !== 'number') return next;
      i = next;
    } else if (c !== LT) {
      if (notChar(c)) return ILLEGAL;
      i++;
    } else {
      const c1 = text.charCodeAt(i + 1);
      if (c1 === BANG) {
        if (text.startsWith('<!--', i)) {
          const end = text.indexOf('-->', i + 4);
          if (end < 0) return defect('not-well-formed', 'not well-formed XML: unterminated comment');
          const bad = chars(text, i + 4, end);
          if (bad) return bad;
          i = end + 3;
        } else if (text.startsWith('<![CDATA[', i)) {
          const end = text.indexOf(']]>', i + 9);
          if (end < 0) return defect('not-well-formed', 'not well-formed XML: unterminated CDATA section');
          const bad = chars(text, i + 9, end);
          if (bad) return bad;
          i = end + 3;
        } else if (text.startsWith('<!DOCTYPE', i)) {
          return defect('forbidden', 'DOCTYPE not allowed');
        } else {
          return defect('forbidden', 'markup declaration not allowed');
        }
      } else if (c1 === QUESTION) {
        return /^<\?xml[ \t\r\n?]/.test(text.slice(i, i + 6))
          ? defect('not-well-formed', 'XML declaration not at the start')
          : defect('forbidden', 'processing instruction not allowed');
      } else if (c1 === SLASH) {
        depth--;
        i += 2;
      } else {
        // A start tag, up to its '>'; quoted attribute values are skipped over (a '>' in them does not
        // end the tag) once their Chars and references are checked.
        let end = -1;
        for (let j = i + 1; j < n; j++) {
          const d = text.charCodeAt(j);
          if (d === QUOTE || d === APOSTROPHE) {
            const close = text.indexOf(d === QUOTE ? '"' : "'", j + 1);
            if (close < 0) break;
            const bad = attributeValue(text, j + 1, close);
            if (bad) return bad;
            j = close;
          } else if (d === GT) {
            end = j + 1;
            break;
          } else if (notChar(d)) {
            return ILLEGAL;
          }
        }
        // A tag that never ends counts as empty; the parser refuses the document.
        const empty = end < 0 || text.charCodeAt(end - 2) === SLASH;
        if (depth + 1 > limits.maxDepth) return defect('forbidden', `elements nested deeper than ${limits.maxDepth}`);
        if (++elements > limits.maxElements) return defect('forbidden', `more than ${limits.maxElements} elements`);
        if (!empty) depth++;
        if (end < 0) return 'unterminated-tag';
        i = end;
      }
    }
  }
  return 'end';
}

/** The limits the screening enforces. */
export interface ScreenLimits {
  /** Largest body accepted, in octets. */
  readonly maxBytes: number;
  /** Deepest element nesting accepted; the root is depth 1. */
  readonly maxDepth: number;
  /** Most elements accepted in one body. */
  readonly maxElements: number;
}

/**
 * Decodes an XML body and rejects what must never reach the XML parser:
 * - more than `maxBytes` octets (status 413, checked before anything is decoded);
 * - any encoding but UTF-8 (RFC 3863 §4.1 and RFC 4825 §6 make UTF-8 the encoding every implementation
 *   accepts, so it is the only one accepted here; a UTF-8 byte order mark is allowed, a UTF-16 one is not);
 * - characters XML does not allow, a malformed XML declaration, one not at the very start;
 * - a DOCTYPE (internal subsets can define expanding or external entities), any other `<!` declaration,
 *   any processing instruction, and any entity reference except the five predefined ones and character
 *   references. Comments and CDATA sections are skipped, their content is not markup;
 * - elements nested deeper than `maxDepth` (the root is depth 1) or more than `maxElements` of them,
 *   counted from the tags, so a pathological document costs a scan and not a DOM (the count is exact
 *   for well-formed XML, and anything else is refused by the parser).
 * Every other defect is status 400. The defect text starts with `label` and a colon (e.g. `PIDF: DOCTYPE
 * not allowed`). Never throws.
 */
export function screenXml(body: Buffer, limits: ScreenLimits, label: string): ScreenResult {
  const fail = (d: Defect, status: 400 | 413 = 400): ScreenResult => ({ ok: false, status, kind: d.kind, defect: `${label}: ${d.text}` });
  if (body.length > limits.maxBytes) return fail(defect('too-large', `body larger than ${limits.maxBytes} bytes`), 413);
  if ((body[0] === 0xfe && body[1] === 0xff) || (body[0] === 0xff && body[1] === 0xfe)) {
    return fail(defect('not-utf-8', 'encoding must be UTF-8'));
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return fail(defect('not-utf-8', 'body is not valid UTF-8'));
  }
  let i = 0;
  if (/^<\?xml[ \t\r\n]/.test(text)) {
    const decl = XML_DECL.exec(text);
    // XML 1.0 §2.2: a character not allowed anywhere is reported before any other defect.
    if (!decl) return fail(ILLEGAL_CHAR.test(text) ? ILLEGAL : defect('not-well-formed', 'malformed XML declaration'));
    const encoding = decl[3];
    // RFC 3863 §4.1: UTF-8 is the encoding everyone MUST accept; others are refused (see above).
    if (encoding !== undefined && encoding.toLowerCase() !== 'utf-8') {
      return fail(ILLEGAL_CHAR.test(text) ? ILLEGAL : defect('not-utf-8', 'encoding must be UTF-8'));
    }
    i = decl[0].length;
  }
  const stop = scan(text, i, limits);
  if (stop === 'end') return { ok: true, text };
  // The scan checked every character before where it stopped; one not allowed after it still comes first.
  if (stop !== ILLEGAL && ILLEGAL_CHAR.test(text)) return fail(ILLEGAL);
  return stop === 'unterminated-tag' ? { ok: true, text } : fail(stop);
}
