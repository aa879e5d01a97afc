import type { Basic } from '../presence/pidf/index.js';
import { PIDF_DIFF_NS } from '../presence/partial/patch.js';

/**
 * Partial publication from `presenced publish --partial` (RFC 5264 §4.2): status lines read while the
 * publication runs become <pidf-diff> documents changing only the tuple's basic status.
 */

/**
 * The basic status a line asks for (`open` or `closed`, case-insensitive, surrounding blanks ignored);
 * undefined for anything else.
 */
export function statusOfLine(line: string): Basic | undefined {
  const v = line.trim().toLowerCase();
  return v === 'open' || v === 'closed' ? v : undefined;
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A <pidf-diff> (RFC 5262 §3) replacing the <basic> text of tuple `tupleId` in `entity`'s published
 * document with `basic` (RFC 5261 §4.4: replace of a text node). `version` is the document's sequence
 * number (RFC 5262 §3.1).
 */
export function basicStatusDiff(entity: string, tupleId: string, basic: Basic, version: number): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<p:pidf-diff xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="${PIDF_DIFF_NS}" entity="${escapeAttr(entity)}" version="${version}">` +
      `<p:replace sel="*/tuple[@id='${tupleId}']/status/basic/text()">${basic}</p:replace></p:pidf-diff>\n`,
    'utf8',
  );
}
