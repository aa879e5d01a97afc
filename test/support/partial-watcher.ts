import assert from 'node:assert/strict';
import { applyPidfDiff, readPidfDiff } from '../../src/presence/partial/pidf-diff.js';

/**
 * A watcher's copy of a presentity's document under partial notification (RFC 5263 §4.5): a <pidf-full>
 * replaces it, a <pidf-diff> must carry the next version and is applied to it. Asserts the version rules.
 */
export class PartialWatcherCopy {
  version = 0;
  document: Buffer | undefined;
  /** The root of each document received, in order ('full' or 'diff'). */
  readonly kinds: Array<'full' | 'diff'> = [];

  /** Takes one application/pidf-diff+xml body; returns the watcher's document after it. */
  receive(body: Buffer): Buffer {
    const doc = readPidfDiff(body);
    assert.ok(doc.version !== undefined, 'RFC 5263 §4.4: the version attribute MUST be present');
    if (doc.kind === 'full') {
      // RFC 5263 §4.5: a version not above the local one is a PA failure.
      assert.ok(doc.version > this.version, `full version ${doc.version} after ${this.version}`);
    } else {
      // RFC 5263 §4.5: a <pidf-diff> applies when its version is the local one plus one.
      assert.equal(doc.version, this.version + 1, 'pidf-diff version must follow by one');
      assert.ok(this.document, 'a <pidf-diff> before any <pidf-full>');
    }
    this.document = applyPidfDiff(this.document, doc);
    this.version = doc.version;
    this.kinds.push(doc.kind);
    return this.document;
  }
}
