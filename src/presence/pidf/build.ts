import { DOMImplementation } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';
import { randomToken } from '../../util/ids.js';
import type { Basic, Contact, Person, PresenceDocument, Tuple } from './model.js';
import { NS } from './namespaces.js';
import { readPerson, readTuple } from './read.js';
import { serializePidf } from './serialize.js';

/** What `buildPidf` puts in a document: one service tuple and, with activities, one person. */
export interface BuildPidfOptions {
  /** The presentity URI (the `entity` attribute). */
  readonly entity: string;
  /** The tuple id; keep it stable across publications of one PUA. Default: `t` and a random token. */
  readonly tupleId?: string;
  readonly basic: Basic;
  /** A note on the tuple (RFC 3863 §4.1.6). */
  readonly note?: string;
  /** xml:lang of the note. */
  readonly lang?: string;
  /** RPID activity names (RFC 4480 §3.2, e.g. `busy`, `away`, `on-the-phone`) for a dm:person. */
  readonly activities?: readonly string[];
  /** The person id; default `p-` and the tuple id. */
  readonly personId?: string;
  /** The service URI, with an optional priority between 0 and 1 (RFC 3863 §4.1.5). */
  readonly contact?: string | Contact;
  /** RFC 3339 date-time of the status change, e.g. `new Date().toISOString()` (RFC 3863 §4.1.7). */
  readonly timestamp?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

function element(doc: Document, ns: string, qname: string, text?: string): Element {
  const el = doc.createElementNS(ns, qname);
  if (text !== undefined) el.appendChild(doc.createTextNode(text));
  return el;
}

function must<T>(r: { ok: true; value: T } | { ok: false; defect: string }): T {
  if (!r.ok) throw new Error(`buildPidf produced an invalid component: ${r.defect}`);
  return r.value;
}

/**
 * Builds a presence document model (see {@link buildPidf}).
 * @throws RangeError for an empty entity, an activity name that is not an XML name, a contact priority
 *   outside 0..1, or equal tuple and person ids; Error for an empty tuple or person id.
 */
export function buildPresenceDocument(opts: BuildPidfOptions): PresenceDocument {
  if (!opts.entity) throw new RangeError('buildPidf: entity is empty');
  const doc = new DOMImplementation().createDocument(NS.pidf, 'presence', null);
  const root = doc.documentElement!;
  const tupleEl = element(doc, NS.pidf, 'tuple');
  const tupleId = opts.tupleId ?? `t${randomToken(10)}`;
  tupleEl.setAttribute('id', tupleId);
  const status = element(doc, NS.pidf, 'status');
  status.appendChild(element(doc, NS.pidf, 'basic', opts.basic));
  tupleEl.appendChild(status);
  if (opts.contact !== undefined) {
    const c = typeof opts.contact === 'string' ? { uri: opts.contact } : opts.contact;
    const contact = element(doc, NS.pidf, 'contact', c.uri);
    if (c.priority !== undefined) {
      if (!(c.priority >= 0 && c.priority <= 1)) throw new RangeError(`buildPidf: contact priority ${c.priority} is not between 0 and 1`);
      // RFC 3863 §4.1.5: at most 3 digits after the decimal point.
      contact.setAttribute('priority', String(Math.round(c.priority * 1000) / 1000));
    }
    tupleEl.appendChild(contact);
  }
  if (opts.note !== undefined) {
    const note = element(doc, NS.pidf, 'note', opts.note);
    if (opts.lang !== undefined) note.setAttributeNS(NS.xml, 'xml:lang', opts.lang);
    tupleEl.appendChild(note);
  }
  if (opts.timestamp !== undefined) tupleEl.appendChild(element(doc, NS.pidf, 'timestamp', opts.timestamp));
  root.appendChild(tupleEl);
  const tuples: Tuple[] = [must(readTuple(tupleEl))];
  const persons: Person[] = [];
  if (opts.activities?.length) {
    const personId = opts.personId ?? `p-${tupleId}`;
    // RFC 4479 §3.5: occurrence ids are unique across tuples, persons and devices.
    if (personId === tupleId) throw new RangeError('buildPidf: tuple and person ids are equal');
    const personEl = element(doc, NS.dm, 'dm:person');
    personEl.setAttribute('id', personId);
    const activities = element(doc, NS.rpid, 'rpid:activities');
    for (const name of opts.activities) {
      if (!NAME.test(name)) throw new RangeError(`buildPidf: activity ${JSON.stringify(name)} is not an XML name`);
      activities.appendChild(element(doc, NS.rpid, `rpid:${name}`));
    }
    personEl.appendChild(activities);
    if (opts.timestamp !== undefined) personEl.appendChild(element(doc, NS.dm, 'dm:timestamp', opts.timestamp));
    root.appendChild(personEl);
    persons.push(must(readPerson(personEl)));
  }
  const namespaces = new Map<string, string>(persons.length ? [[NS.dm, 'dm'], [NS.rpid, 'rpid']] : []);
  return { entity: opts.entity, tuples, persons, devices: [], notes: [], extensions: [], attributes: [], namespaces };
}

/**
 * An `application/pidf+xml` body for `presenced publish`: one tuple with <basic>, and optionally
 * <contact>, <note> and <timestamp>; with activities, a dm:person carrying rpid:activities (RFC 4480
 * §3.2) and the same timestamp.
 * @throws as {@link buildPresenceDocument}.
 */
export function buildPidf(opts: BuildPidfOptions): Buffer {
  return serializePidf(buildPresenceDocument(opts));
}
