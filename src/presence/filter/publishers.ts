import type { PresenceDocument } from '../pidf/model.js';
import type { Publishers } from './what.js';

/** One input of the composition with the identity of whoever published it. */
export interface PublishedInput {
  readonly doc: PresenceDocument;
  /** The publisher's identity (PublicationRecord.publisher: canonical AOR of the PUA's user). */
  readonly publisher: string;
}

/**
 * Which publisher each component of a composed document came from, by occurrence id (ids are unique
 * in a composed document, RFC 4479 §3.5): the input holding the very component the composition kept.
 * Needed by `<pf:exclude-own-publications/>` (TS 23.141 §5.1: the watcher equal to the publishing PUA).
 */
export function publishersOf(composed: PresenceDocument, inputs: readonly PublishedInput[]): Publishers {
  const kept = new Set<object>([...composed.tuples, ...composed.persons, ...composed.devices]);
  const out = new Map<string, string>();
  for (const input of inputs) {
    for (const c of [...input.doc.tuples, ...input.doc.persons, ...input.doc.devices]) if (kept.has(c)) out.set(c.id, input.publisher);
  }
  return out;
}
