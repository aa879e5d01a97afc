import type { PublicationSource } from '../../store/ports.js';
import type { Device, Person, PresenceComponent, PresenceDocument, Tuple } from '../pidf/model.js';

/**
 * Composition (TS 23.141 §5.1: the Presence Server composes the information published by the presence
 * user, network and external agents into one presence document; RFC 4479 §3.5, §4). Documents are
 * merged per component, by occurrence id, never glued together.
 */

/** One publication of the presentity, parsed. */
export interface ComposeInput {
  readonly doc: PresenceDocument;
  /** The kind of agent that published it (TS 23.141 §5.2). */
  readonly source: PublicationSource;
  /** When its state last changed by an initial or modifying PUBLISH, in ms since the epoch. */
  readonly modifiedAt: number;
  /**
   * When the publication was created (the initial PUBLISH, RFC 3903 §4.2), in ms since the epoch. Unlike
   * modifiedAt it stays put across modifies, so it can order tuples without moving them on every change.
   */
  readonly createdAt: number;
  /** Its entity tag (RFC 3903 §4.1); the last tie-break, so composition is deterministic. */
  readonly etag: string;
}

/** How conflicts between publications are resolved. */
export interface CompositionPolicy {
  /** Sources by precedence, strongest first; a source not listed comes after all listed ones. */
  readonly precedence: readonly PublicationSource[];
}

/** User-published information wins over the network's, which wins over external sources'. */
export const DEFAULT_COMPOSITION_POLICY: CompositionPolicy = Object.freeze({
  precedence: Object.freeze(['user', 'network', 'external'] as const),
});

interface Ranked {
  readonly input: ComposeInput;
  readonly rank: number;
}

interface Candidate {
  readonly component: PresenceComponent;
  readonly from: Ranked;
  /** The component's <timestamp> in ms, or -Infinity when absent or unreadable. */
  readonly time: number;
  /** Its position among the components of its kind in its own document. */
  readonly position: number;
}

function timeOf(c: PresenceComponent): number {
  const t = c.timestamp === undefined ? Number.NaN : Date.parse(c.timestamp);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

/** Publications best first: stronger source, then newer, then entity tag (a total order). */
function byPublication(a: Ranked, b: Ranked): number {
  return a.rank - b.rank || b.input.modifiedAt - a.input.modifiedAt || (a.input.etag < b.input.etag ? -1 : a.input.etag > b.input.etag ? 1 : 0);
}

/** Components best first: stronger source, newer publication, newer <timestamp>. */
function byAuthority(a: Candidate, b: Candidate): number {
  return a.from.rank - b.from.rank || b.from.input.modifiedAt - a.from.input.modifiedAt || (b.time > a.time ? 1 : b.time < a.time ? -1 : 0);
}

const BASIC_ORDER = { open: 0, closed: 1 } as const;

/**
 * Tuples most relevant first, since some watchers read only the first one (Twinkle): open before
 * closed before no <basic>, then higher contact priority (none counts lowest, RFC 3863 §4.1.5). Among
 * equals the order is stable: the newer publication (by creation) first, then source precedence, entity
 * tag, and the publisher's own order. It deliberately ignores modifiedAt and <timestamp>, which change
 * with every update: a tuple whose relevance did not change keeps its place, so a partial notification
 * (RFC 5263) carries the changed elements only, not a <remove> and an <add> of the whole tuple (RFC 5261
 * has no move).
 */
function byRelevance(a: Candidate, b: Candidate): number {
  const ta = a.component as Tuple;
  const tb = b.component as Tuple;
  const basic = (ta.basic === undefined ? 2 : BASIC_ORDER[ta.basic]) - (tb.basic === undefined ? 2 : BASIC_ORDER[tb.basic]);
  const priority = (tb.contact?.priority ?? -1) - (ta.contact?.priority ?? -1);
  const x = a.from.input;
  const y = b.from.input;
  return (
    basic ||
    priority ||
    y.createdAt - x.createdAt ||
    a.from.rank - b.from.rank ||
    (x.etag < y.etag ? -1 : x.etag > y.etag ? 1 : 0) ||
    a.position - b.position
  );
}

/**
 * Composes the publications of `presentity` into one presence document:
 * - tuples, persons and devices are merged by occurrence id, one id space for all three (RFC 4479
 *   §3.5). When several publications carry the same id, the component from the higher-precedence
 *   source wins, then the one from the most recently modified publication, then the one with the newer
 *   <timestamp>, then the one from the smaller entity tag. Components with distinct ids are all kept, so
 *   every id of every input appears exactly once;
 * - tuples are ordered by relevance (open first, then contact priority, then a stable order: newer
 *   publication by creation, then the publisher's own order; see docs/presence-attributes.md); persons
 *   and devices strongest source and newest first;
 * - the top-level notes, the other top-level elements and the root attributes each come from the best
 *   publication (precedence, then newest) that has any;
 * - `entity` is the presentity. With no input the result is a document with no components: RFC 4479
 *   §3.6, absence says nothing, and a NOTIFY without a body would keep the watcher's previous document
 *   (RFC 3856 §6.8), so this neutral document is what is sent when nothing is published.
 * Pure and linear in the number of components (plus sorting); nothing is parsed or copied: the result
 * shares the inputs' components and DOM elements, which must not be mutated.
 */
export function compose(presentity: string, inputs: readonly ComposeInput[], policy: CompositionPolicy = DEFAULT_COMPOSITION_POLICY): PresenceDocument {
  const rankOf = (s: PublicationSource): number => {
    const i = policy.precedence.indexOf(s);
    return i < 0 ? policy.precedence.length : i;
  };
  const ranked = inputs.map((input) => ({ input, rank: rankOf(input.source) })).sort(byPublication);
  const winners = new Map<string, Candidate>();
  for (const from of ranked) {
    const { tuples, persons, devices } = from.input.doc;
    for (const list of [tuples, persons, devices] as const) {
      for (const [position, component] of list.entries()) {
        const candidate = { component, from, time: timeOf(component), position };
        const held = winners.get(component.id);
        // Publications come best first: a later one only wins a tie on source and age by a newer timestamp.
        if (!held || byAuthority(candidate, held) < 0) winners.set(component.id, candidate);
      }
    }
  }
  const all = [...winners.values()];
  const kind = <K extends PresenceComponent['kind']>(k: K) => all.filter((c) => c.component.kind === k);
  const tuples = kind('tuple').sort(byRelevance).map((c) => c.component as Tuple);
  const persons = kind('person').sort(byAuthority).map((c) => c.component as Person);
  const devices = kind('device').sort(byAuthority).map((c) => c.component as Device);
  const best = <T>(pick: (d: PresenceDocument) => readonly T[]): readonly T[] => {
    for (const r of ranked) if (pick(r.input.doc).length) return pick(r.input.doc);
    return [];
  };
  const namespaces = new Map<string, string>();
  for (const r of ranked) for (const [uri, prefix] of r.input.doc.namespaces) if (!namespaces.has(uri)) namespaces.set(uri, prefix);
  return {
    entity: presentity,
    tuples,
    persons,
    devices,
    notes: best((d) => d.notes),
    extensions: best((d) => d.extensions),
    attributes: best((d) => d.attributes),
    namespaces,
  };
}
