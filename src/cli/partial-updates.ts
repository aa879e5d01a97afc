import type { ClientPublication, PublishResult } from '../events/publication/client-publication.js';
import { PIDF_DIFF_NS } from '../presence/partial/patch.js';
import { buildPidfFull, PIDF_DIFF } from '../presence/partial/pidf-diff.js';
import type { Basic } from '../presence/pidf/index.js';

/**
 * Partial publication from `presenced publish --partial` (RFC 5264 §4.2): status lines read while the
 * publication runs become <pidf-diff> documents changing only the tuple's basic status, and full state
 * again when the ESC lost the publication.
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

/**
 * A partial publication of one tuple's basic status (RFC 5264 §4.2) over a {@link ClientPublication}:
 * full state first as a <pidf-full>, then each change as a <pidf-diff> of the status only; whenever an
 * initial publication is due again (a 412 to a diff: the ESC lost the publication, RFC 3903 §5), the
 * whole current state goes as a <pidf-full> instead of the diff. The version (RFC 5262 §3.1) grows by
 * one per document built.
 */
export class PartialPublisher {
  private version = 0;

  /**
   * @param document the PIDF body of the whole state with basic status `basic` (its tuple id `tupleId`).
   */
  constructor(
    private readonly pub: ClientPublication,
    private readonly entity: string,
    private readonly tupleId: string,
    private basic: Basic,
    private readonly document: (basic: Basic) => Buffer,
  ) {}

  /** The initial publication (RFC 5264 §4.2: full state, a <pidf-full>). */
  start(): Promise<PublishResult> {
    return this.pub.publish(this.full().body, PIDF_DIFF);
  }

  /** Publishes a change of the basic status as a delta, or as full state when an initial publication is due. */
  change(basic: Basic): Promise<PublishResult> {
    this.basic = basic;
    this.version += 1;
    // RFC 5264 §4.2: modifying publications may carry state deltas; initial ones carry full state.
    return this.pub.publish(basicStatusDiff(this.entity, this.tupleId, basic, this.version), PIDF_DIFF, () => this.full());
  }

  private full(): { body: Buffer; contentType: string } {
    this.version += 1;
    return { body: buildPidfFull(this.document(this.basic), this.version), contentType: PIDF_DIFF };
  }
}
