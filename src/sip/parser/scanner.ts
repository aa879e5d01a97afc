import type { ParseResult } from '../message/headers.js';
import type { Params } from '../message/types.js';

/** A grammar's failure inside {@link runGrammar}; never leaves this module. */
class ScanError extends Error {}

const TOKEN = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`\'~') TOKEN[c.charCodeAt(0)] = 1;

/** RFC 3261 §25.1 token character. */
export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN[code] === 1;
}

// gen-value = token / host / quoted-string (RFC 3261 §25.1): outside quotes, token characters plus the
// ':' '[' ']' of IPv6 references.
const GEN_VALUE = TOKEN.slice();
for (const c of ':[]') GEN_VALUE[c.charCodeAt(0)] = 1;

function isGenValueChar(code: number): boolean {
  return code < 128 && GEN_VALUE[code] === 1;
}

/** True when `s` is a non-empty RFC 3261 token. */
export function isToken(s: string): boolean {
  if (!s.length) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

/** The name of a quoted-string in a defect; built only on failure, as quoted strings are read often. */
function quotedLabel(what: string, owner: string | undefined): string {
  return owner === undefined ? what : `${what} of ${owner}`;
}

/** The index of the first character at or after `i` that is not SP or HTAB. */
function skipWs(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/**
 * A cursor over header text for hand-written RFC 3261 §25 grammars. Methods that cannot match throw a
 * private {@link ScanError}; {@link runGrammar} turns it into a `ParseResult` so no grammar throws to its
 * caller (STYLE habit 6).
 */
export class Scanner {
  pos = 0;

  constructor(readonly text: string) {}

  get eof(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  /** Fails the grammar with a defect description. */
  fail(defect: string): never {
    throw new ScanError(defect);
  }

  /** Skips optional linear white space (SP, HTAB; folding was removed when the header was read). */
  ws(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 32 && c !== 9) break;
      this.pos++;
    }
  }

  /** Consumes `ch` (with optional white space around it, as RFC 3261 SEMI/COMMA/EQUAL/SLASH allow). */
  eat(ch: string): boolean {
    const save = this.pos;
    this.ws();
    if (this.text[this.pos] === ch) {
      this.pos++;
      this.ws();
      return true;
    }
    this.pos = save;
    return false;
  }

  /** Like {@link eat} but fails when `ch` is not there. */
  expect(ch: string, what: string): void {
    if (!this.eat(ch)) this.fail(`expected '${ch}' ${what}`);
  }

  /** An RFC 3261 token; fails naming `what` when none is there. */
  token(what: string): string {
    const start = this.pos;
    while (this.pos < this.text.length && isTokenChar(this.text.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) this.fail(`missing ${what}`);
    return this.text.slice(start, this.pos);
  }

  /** Characters up to (not including) the first of `stops`, or to the end. */
  until(stops: string): string {
    const start = this.pos;
    while (this.pos < this.text.length && !stops.includes(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** `1*DIGIT` as text (leading zeros kept); fails naming `what` when there is no digit. */
  digits(what: string): string {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c < 48 || c > 57) break;
      this.pos++;
    }
    if (this.pos === start) this.fail(`missing ${what}`);
    return this.text.slice(start, this.pos);
  }

  /**
   * An RFC 3261 quoted-string, returned with its quotes exactly as on the wire. RFC 3261 §25.1:
   * qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII; quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F).
   */
  quoted(what: string): string {
    const start = this.pos;
    this.skipQuoted(what, undefined);
    return this.text.slice(start, this.pos);
  }

  /**
   * The content of a quoted-string (see {@link quoted}) without its quotes and with each quoted-pair
   * decoded: what `unquote(quoted(…))` gives, with one slice. Defects name `what of owner`.
   */
  quotedContent(what: string, owner: string): string {
    const start = this.pos;
    const escaped = this.skipQuoted(what, owner);
    const inner = this.text.slice(start + 1, this.pos - 1);
    return escaped ? inner.replace(/\\(.)/gs, '$1') : inner;
  }

  /** Moves past the quoted-string at the position; true when it holds a quoted-pair. */
  private skipQuoted(what: string, owner: string | undefined): boolean {
    const text = this.text;
    const start = this.pos;
    if (text.charCodeAt(start) !== 0x22) this.fail(`expected quoted ${quotedLabel(what, owner)}`);
    let escaped = false;
    let i = start + 1;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return escaped;
      }
      if (c === 0x5c) {
        const n = text.charCodeAt(i + 1);
        if (i + 1 >= text.length || n === 0x0a || n === 0x0d || n > 0x7f) this.fail(`bad escape in quoted ${quotedLabel(what, owner)}`);
        escaped = true;
        i += 2;
        continue;
      }
      if ((c < 0x20 && c !== 0x09) || c === 0x7f) this.fail(`control character in quoted ${quotedLabel(what, owner)}`);
      i++;
    }
    return this.fail(`unterminated quoted ${quotedLabel(what, owner)}`);
  }

  /**
   * `*( SEMI generic-param )` with generic-param = token [ EQUAL gen-value ], gen-value = token / host /
   * quoted-string (RFC 3261 §25.1). Stops before a comma or the end. Names are lower-cased; a repeated
   * name is a defect.
   */
  params(into: Params, what: string): void {
    // One loop over the characters with SEMI and EQUAL (SWS around the mark) read in place: this runs for
    // Via, From, To and every other header with parameters, so it allocates only the name and value.
    const text = this.text;
    const n = text.length;
    for (;;) {
      let i = skipWs(text, this.pos);
      if (text.charCodeAt(i) !== 0x3b) return;
      i = skipWs(text, i + 1);
      const nameStart = i;
      let upper = false;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (!isTokenChar(c)) break;
        if (c >= 65 && c <= 90) upper = true;
      }
      if (i === nameStart) this.fail(`missing ${what} parameter name`);
      const raw = text.slice(nameStart, i);
      const name = upper ? raw.toLowerCase() : raw;
      let value: string | null = null;
      const eq = skipWs(text, i);
      if (text.charCodeAt(eq) === 0x3d) {
        this.pos = skipWs(text, eq + 1);
        if (text.charCodeAt(this.pos) === 0x22) value = this.quoted(`${what} parameter value`);
        else {
          const start = this.pos;
          while (this.pos < n && isGenValueChar(text.charCodeAt(this.pos))) this.pos++;
          if (this.pos === start) this.fail(`missing value of ${what} parameter '${name}'`);
          value = text.slice(start, this.pos);
        }
      } else {
        this.pos = i;
      }
      if (into.has(name)) this.fail(`duplicate ${what} parameter '${name}'`);
      into.set(name, value);
      this.ws();
    }
  }

  /** Fails unless only white space is left. */
  end(what: string): void {
    this.ws();
    if (!this.eof) this.fail(`unexpected '${this.text.slice(this.pos, this.pos + 16)}' in ${what}`);
  }
}

/**
 * Reads `1*DIGIT` (leading zeros allowed). Returns undefined for anything else, including a sign
 * (RFC 4475 §3.1.2.3); values of more than 15 significant digits return Infinity, so that the result is
 * never a negative or imprecise number a caller could index with.
 */
export function parseDecimal(v: string): number | undefined {
  if (!v.length) return undefined;
  let first = -1;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    if (first < 0 && c !== 48) first = i;
  }
  if (first < 0) return 0;
  return v.length - first > 15 ? Infinity : Number(v);
}

/** Runs a grammar function over `text`, turning a scan failure into `{ ok: false, defect }`. */
export function runGrammar<T>(text: string, fn: (s: Scanner) => T): ParseResult<T> {
  const s = new Scanner(text);
  try {
    return { ok: true, value: fn(s) };
  } catch (e) {
    if (e instanceof ScanError) return { ok: false, defect: e.message };
    throw e;
  }
}

/** Runs a grammar function over every value, collecting the results; the first defect wins. */
export function runEach<T>(values: readonly string[], fn: (s: Scanner) => T): ParseResult<T[]> {
  const out: T[] = [];
  for (const v of values) {
    const r = runGrammar(v, fn);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

/**
 * Parses a comma-separated list (`1#(element)`) over every line: `element` reads one item, then either a
 * comma or the end of the line must follow. Empty elements are a defect.
 */
export function parseList<T>(values: readonly string[], element: (s: Scanner) => T, what: string): ParseResult<T[]> {
  // One try around the whole list rather than a runGrammar closure per line (Via is read for every message).
  const out: T[] = [];
  try {
    for (const v of values) {
      const s = new Scanner(v);
      s.ws();
      for (;;) {
        out.push(element(s));
        s.ws();
        if (s.eof) break;
        if (!s.eat(',')) s.fail(`unexpected '${s.text.slice(s.pos, s.pos + 16)}' in ${what}`);
      }
    }
  } catch (e) {
    if (e instanceof ScanError) return { ok: false, defect: e.message };
    throw e;
  }
  return { ok: true, value: out };
}

/** Unquotes an RFC 3261 quoted-string (removing quoted-pair backslashes); returns other text as is. */
export function unquote(s: string): string {
  if (s.length < 2 || s[0] !== '"' || s[s.length - 1] !== '"') return s;
  const inner = s.slice(1, -1);
  return inner.includes('\\') ? inner.replace(/\\(.)/gs, '$1') : inner;
}

/** Quotes a string as an RFC 3261 quoted-string, escaping `"` and `\`. */
export function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

/** Decodes RFC 3986 %HH escapes; leaves malformed escapes as they are. */
export function unescapeUri(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}
