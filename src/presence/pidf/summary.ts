import type { Basic, Note, PresenceDocument } from './model.js';

/** One tuple in a {@link PresenceSummary}. */
export interface TupleSummary {
  readonly id: string;
  readonly basic?: Basic;
  readonly contact?: string;
  /** The first non-empty note of the tuple, trimmed. */
  readonly note?: string;
}

/** What `presenced watch` prints for a presence document. */
export interface PresenceSummary {
  /** `open` when any tuple is open, else `closed` when any is closed, else undefined. */
  readonly basic?: Basic;
  /**
   * The note about the presentity: the first person's note, else a top-level note (which stands for
   * persons without their own, RFC 4479 §5), else the first tuple note; trimmed.
   */
  readonly note?: string;
  /** The RPID activities of all persons, in document order, without repeats. */
  readonly activities: readonly string[];
  /** The tuples in document order. */
  readonly tuples: readonly TupleSummary[];
}

function firstText(notes: readonly Note[]): string | undefined {
  for (const n of notes) {
    const t = n.text.trim();
    if (t) return t;
  }
  return undefined;
}

/** Summarises a presence document for display. */
export function summarise(doc: PresenceDocument): PresenceSummary {
  const tuples = doc.tuples.map((t) => {
    const note = firstText(t.notes);
    return {
      id: t.id,
      ...(t.basic !== undefined && { basic: t.basic }),
      ...(t.contact !== undefined && { contact: t.contact.uri }),
      ...(note !== undefined && { note }),
    };
  });
  const basic: Basic | undefined = doc.tuples.some((t) => t.basic === 'open')
    ? 'open'
    : doc.tuples.some((t) => t.basic === 'closed')
      ? 'closed'
      : undefined;
  let note: string | undefined;
  for (const p of doc.persons) note ??= firstText(p.notes);
  note ??= firstText(doc.notes);
  for (const t of tuples) note ??= t.note;
  const activities = [...new Set(doc.persons.flatMap((p) => p.activities ?? []))];
  return {
    ...(basic !== undefined && { basic }),
    ...(note !== undefined && { note }),
    activities,
    tuples,
  };
}
