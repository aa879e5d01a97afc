import { matchKnownName } from '../message/header-names.js';
import type { KnownHeaderName } from '../message/header-names.js';
import type { HeaderField } from '../message/headers.js';
import { isTokenChar } from './scanner.js';

/**
 * The header lines of a message (RFC 3261 §7.3): `field-name HCOLON field-value`, with line folding
 * (CRLF or LF followed by SP / HTAB) replaced by one SP (§7.3.1). Header names get their canonical
 * spelling and lookup key; values are sliced from the text, not copied, unless they were folded.
 */

/** The fields read, and the first defect (a 400) when a line was malformed or held a control character. */
export interface HeaderLines {
  fields: HeaderField[];
  failure?: { status: number; defect: string };
  /**
   * The text holds an empty line (LF LF): a bare-LF blank line, which ends the header section there
   * (each such line is also reported as malformed).
   */
  blankLine: boolean;
}

/** Removes leading and trailing SP / HTAB only (String#trim would also eat U+FEFF and other text). */
function trimWs(text: string, from: number, to: number): string {
  while (from < to && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from++;
  while (to > from && (text.charCodeAt(to - 1) === 32 || text.charCodeAt(to - 1) === 9)) to--;
  return text.slice(from, to);
}

function lineSample(text: string, from: number): string {
  let end = from;
  while (end < text.length && end - from < 40 && text.charCodeAt(end) !== 13 && text.charCodeAt(end) !== 10) end++;
  return text.slice(from, end);
}

// Canonical name and lookup key of the unknown header names seen, by wire spelling. Real traffic uses
// few spellings; the cache is bounded so that odd spellings cannot grow it.
const NAME_CACHE = new Map<string, KnownHeaderName>();
const NAME_CACHE_LIMIT = 512;

/** The canonical name and lookup key of the header name text[from, to) (token characters only). */
function fieldName(text: string, from: number, to: number): KnownHeaderName {
  // Known names are matched where they stand: no slice and no hashing of a fresh string per line.
  const known = matchKnownName(text, from, to);
  if (known) return known;
  const raw = text.slice(from, to);
  let names = NAME_CACHE.get(raw);
  if (!names) {
    names = { name: raw, key: raw.toLowerCase() };
    if (NAME_CACHE.size < NAME_CACHE_LIMIT) NAME_CACHE.set(raw, names);
  }
  return names;
}

/**
 * {@link readHeaderLines} for any text: each field-value is first checked character by character for a
 * control character (RFC 3261 §25.1: not TEXT-UTF8char; only a quoted-pair may carry one), then read
 * as in {@link readWithoutControls}.
 */
function readCheckingEachCharacter(text: string, i: number): HeaderLines {
  const fields: HeaderField[] = [];
  let failure: HeaderLines['failure'];
  const n = text.length;
  while (i < n) {
    const lineStart = i;
    while (i < n && isTokenChar(text.charCodeAt(i))) i++;
    const nameEnd = i;
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (nameEnd === lineStart || text.charCodeAt(i) !== 58) {
      // The first defect is the answer; the other lines are still read so that the partly parsed
      // message can carry a 400 back (its Via, From, To, Call-ID and CSeq).
      failure ??= { status: 400, defect: `Malformed header line '${lineSample(text, lineStart)}'` };
      i = skipLine(text, i);
      continue;
    }
    i++;
    const end = skipLine(text, i);
    if (hasControlIn(text, i, end)) {
      // RFC 3261 §25.1: control characters are not TEXT-UTF8char; only a quoted-pair may carry one.
      failure ??= { status: 400, defect: `Control character in header '${text.slice(lineStart, nameEnd)}'` };
      i = end;
      continue;
    }
    // The value now holds no control but HTAB and CR LF, as pushField expects.
    i = pushField(fields, fieldName(text, lineStart, nameEnd), text, i, -1);
  }
  const blankLine = text.includes('\n\n');
  return failure ? { fields, failure, blankLine } : { fields, blankLine };
}

/** The index after the end of the line (and its folded continuations) that `i` is in. */
function skipLine(text: string, i: number): number {
  const n = text.length;
  for (;;) {
    i = text.indexOf('\n', i);
    i = i < 0 ? n : i + 1;
    if (i >= n || (text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9)) return i;
  }
}


/** True when bytes[i] may stand in a header section outside a quoted-pair: not a control but HTAB, LF, CR LF. */
function isPlainAt(bytes: Uint8Array, i: number): boolean {
  const c = bytes[i]!;
  if (c >= 32) return c !== 127;
  return c === 10 || c === 9 || (c === 13 && bytes[i + 1] === 10);
}

/**
 * True when `bytes` hold a control character other than HTAB, LF and the CR of a CR LF (RFC 3261 §25.1:
 * not TEXT-UTF8char). UTF-8 decoding maps every byte below 0x80 to the same character, so this answers
 * for the decoded text too. It reads four bytes at a time: `(x - 0x20202020) & ~x & 0x80808080` is
 * non-zero when some byte of x is below 0x20, and the same test on `x ^ 0x7f7f7f7f` with 0x01010101
 * finds 0x7F; only a word that passes one of them (the CR LF of each line, or a real control) is looked
 * at byte by byte. About three times faster than a regular expression or a loop over the characters.
 */
export function hasControlBytes(bytes: Uint8Array): boolean {
  const n = bytes.length;
  const words = new DataView(bytes.buffer, bytes.byteOffset, n);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = words.getInt32(i, true);
    const y = x ^ 0x7f7f7f7f;
    if ((((x - 0x20202020) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080) {
      if (!isPlainAt(bytes, i) || !isPlainAt(bytes, i + 1) || !isPlainAt(bytes, i + 2) || !isPlainAt(bytes, i + 3)) {
        return true;
      }
    }
  }
  for (; i < n; i++) if (!isPlainAt(bytes, i)) return true;
  return false;
}

/**
 * Reads the header lines of `text` from `i` to the end. Malformed lines are skipped and the first
 * defect is reported; the other lines are still read so that the partly parsed message can carry a 400
 * back (its Via, From, To, Call-ID and CSeq). `controlFree` says that the caller found no control
 * character but HTAB, LF and the CR of a CR LF in the text ({@link hasControlBytes}): the lines are then
 * read with native searches instead of a test of every character.
 */
export function readHeaderLines(text: string, i: number, controlFree: boolean): HeaderLines {
  return controlFree ? readWithoutControls(text, i) : readCheckingEachCharacter(text, i);
}

/**
 * {@link readHeaderLines} for a text whose only control characters are HTAB, LF and the CR of a CR LF:
 * each physical line ends at the next LF (found natively), after its CR when there is one. A known
 * header name is found from the colon back and matched where it stands.
 */
function readWithoutControls(text: string, i: number): HeaderLines {
  const fields: HeaderField[] = [];
  let failure: HeaderLines['failure'];
  let blankLine = false;
  const n = text.length;
  while (i < n) {
    const lineStart = i;
    let lf = text.indexOf('\n', i);
    if (lf < 0) lf = n;
    let names: KnownHeaderName | undefined;
    const colon = text.indexOf(':', i);
    if (colon >= 0 && colon < lf) {
      let nameEnd = colon;
      while (nameEnd > lineStart && (text.charCodeAt(nameEnd - 1) === 32 || text.charCodeAt(nameEnd - 1) === 9)) nameEnd--;
      // A known name is all token characters, so a match is a well-formed field-name.
      names = matchKnownName(text, lineStart, nameEnd);
      if (names) i = colon;
    }
    if (!names) {
      while (i < n && isTokenChar(text.charCodeAt(i))) i++;
      const nameEnd = i;
      while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
      if (nameEnd === lineStart || text.charCodeAt(i) !== 58) {
        // Every LF is followed by a fold or by the start of a line, so LF LF shows as a line starting with LF.
        if (text.charCodeAt(lineStart) === 10) blankLine = true;
        failure ??= { status: 400, defect: `Malformed header line '${lineSample(text, lineStart)}'` };
        i = skipLine(text, i);
        continue;
      }
      names = fieldName(text, lineStart, nameEnd);
    }
    i = pushField(fields, names, text, i + 1, lf);
  }
  return failure ? { fields, failure, blankLine } : { fields, blankLine };
}

/**
 * True when text[from, to) holds a control character other than HTAB, LF and the CR of a CR LF that
 * is not the second character of a quoted-pair (RFC 3261 §25.1).
 */
function hasControlIn(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 || c === 127) && c !== 9 && c !== 10 && !(c === 13 && text.charCodeAt(i + 1) === 10) && text.charCodeAt(i - 1) !== 92) return true;
  }
  return false;
}

/**
 * Reads the field-value that starts at `i` (after the colon) in a text whose only control characters
 * there are HTAB, LF and the CR of a CR LF, and pushes the field. `lf` is the index of the LF that ends
 * the first physical line when known, or anything below `i`. Returns the index of the next line.
 */
function pushField(fields: HeaderField[], names: KnownHeaderName, text: string, i: number, lf: number): number {
  const n = text.length;
  let value = '';
  let segStart = i;
  for (;;) {
    // One physical line of the value: up to LF, or CR LF.
    if (lf < i) {
      lf = text.indexOf('\n', i);
      if (lf < 0) lf = n;
    }
    const segEnd = lf < n && text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
    i = lf < n ? lf + 1 : n;
    const next = text.charCodeAt(i);
    if (i < n && (next === 32 || next === 9)) {
      // Folding: the line break and the white space around it become one SP (RFC 3261 §7.3.1).
      value += `${trimWs(text, segStart, segEnd)} `;
      while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
      segStart = i;
      continue;
    }
    if (value) {
      value += text.slice(segStart, segEnd);
      value = trimWs(value, 0, value.length);
    } else {
      value = trimWs(text, segStart, segEnd);
    }
    break;
  }
  fields.push({ name: names.name, key: names.key, value });
  return i;
}
