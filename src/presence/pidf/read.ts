import type { Element } from '@xmldom/xmldom';
import { childElements, isElement, languageOf, plainAttribute } from '../../util/xml-dom.js';
import type { ParseResult } from '../../sip/message/headers.js';
import type { Basic, Contact, Device, NetworkAvailability, Note, Person, ServiceDescription, Tuple } from './model.js';
import { NS } from './namespaces.js';

/**
 * Reading the components of a presence document from their DOM elements: a tuple (RFC 3863 §4.1.2), a
 * dm:person or dm:device (RFC 4479 §5), a note. Used by the parser and by whoever edits a cloned element
 * (filters, authorisation) and needs its view again. Defects are `PIDF: …` texts.
 */

function textOf(el: Element): string {
  return el.textContent ?? '';
}

/** Reads a <note> element (RFC 3863 §4.1.6, RFC 4479 Note_t). */
export function readNote(el: Element): Note {
  const lang = languageOf(el);
  return lang === undefined ? { text: textOf(el), element: el } : { text: textOf(el), lang, element: el };
}

function basicValue(text: string): Basic | undefined {
  const v = text.trim();
  return v === 'open' || v === 'closed' ? v : undefined;
}

/** The op:basic child of an OMA willingness-like element; undefined when absent or not open/closed. */
function omaBasic(el: Element): Basic | undefined {
  const b = childElements(el).find((c) => isElement(c, NS.oma, 'basic'));
  return b ? basicValue(textOf(b)) : undefined;
}

function omaState(el: Element): 'active' | 'terminated' | undefined {
  const v = textOf(el).trim();
  return v === 'active' || v === 'terminated' ? v : undefined;
}

// RFC 3863 §4.4 qvalue: 0 to 1 with at most three decimals.
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

function readContact(el: Element): Contact {
  const uri = textOf(el).trim();
  const priority = plainAttribute(el, 'priority')?.trim();
  // RFC 3863 §4.1.5: an out-of-range priority is processed as if the attribute were not present.
  return priority !== undefined && QVALUE.test(priority) ? { uri, priority: Number(priority) } : { uri };
}

function readServiceDescription(el: Element): ServiceDescription | undefined {
  let serviceId: string | undefined;
  let version: string | undefined;
  let description: string | undefined;
  for (const c of childElements(el)) {
    if (c.namespaceURI !== NS.oma) continue;
    if (c.localName === 'service-id') serviceId ??= textOf(c).trim();
    else if (c.localName === 'version') version ??= textOf(c).trim();
    else if (c.localName === 'description') description ??= textOf(c).trim();
  }
  if (serviceId === undefined || version === undefined) return undefined;
  return description === undefined ? { serviceId, version } : { serviceId, version, description };
}

function readNetworks(el: Element): NetworkAvailability[] {
  const out: NetworkAvailability[] = [];
  for (const n of childElements(el)) {
    if (!isElement(n, NS.oma, 'network')) continue;
    const id = plainAttribute(n, 'id') ?? '';
    const s = childElements(n).find((c) => c.namespaceURI === NS.oma && (c.localName === 'active' || c.localName === 'terminated'));
    out.push(s ? { id, state: s.localName as 'active' | 'terminated' } : { id });
  }
  return out;
}

/** The local names of the value elements of an RPID enumeration (activities, mood), without its notes. */
function enumeration(el: Element): string[] {
  return childElements(el)
    .filter((c) => !isElement(c, NS.rpid, 'note'))
    .map((c) => c.localName ?? '');
}

function occurrenceId(el: Element, what: string): ParseResult<string> {
  const id = plainAttribute(el, 'id');
  // RFC 3863 §4.1.2 (tuple) and RFC 4479 §5 (person, device): the id attribute is mandatory.
  if (!id) return { ok: false, defect: `PIDF: ${what} without id` };
  return { ok: true, value: id };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Deletes the properties whose value is undefined, so absent fields are absent (not `undefined`). */
function defined<T extends object>(o: T): T {
  const r = o as Record<string, unknown>;
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  return o;
}

/** Reads a <tuple> (RFC 3863 §4.1.2-§4.1.7). */
export function readTuple(el: Element): ParseResult<Tuple> {
  const id = occurrenceId(el, 'tuple');
  if (!id.ok) return id;
  const statusExtensions: Element[] = [];
  const deviceIds: string[] = [];
  const notes: Note[] = [];
  const extensions: Element[] = [];
  const t: Mutable<Tuple> = { kind: 'tuple', id: id.value, statusExtensions, deviceIds, notes, extensions, element: el };
  let status: Element | undefined;
  for (const c of childElements(el)) {
    if (c.namespaceURI === NS.pidf && c.localName === 'status') {
      if (status) return { ok: false, defect: 'PIDF: tuple with more than one status' };
      status = c;
    } else if (c.namespaceURI === NS.pidf && c.localName === 'contact') {
      if (t.contact) return { ok: false, defect: 'PIDF: tuple with more than one contact' };
      t.contact = readContact(c);
    } else if (c.namespaceURI === NS.pidf && c.localName === 'note') {
      notes.push(readNote(c));
    } else if (c.namespaceURI === NS.pidf && c.localName === 'timestamp') {
      if (t.timestamp !== undefined) return { ok: false, defect: 'PIDF: tuple with more than one timestamp' };
      t.timestamp = textOf(c).trim();
    } else {
      extensions.push(c);
      if (isElement(c, NS.dm, 'deviceID')) deviceIds.push(textOf(c).trim());
      else if (isElement(c, NS.rpid, 'class')) t.class ??= textOf(c).trim();
      else if (isElement(c, NS.oma, 'willingness')) t.willingness ??= omaBasic(c);
      else if (isElement(c, NS.oma, 'session-participation')) t.sessionParticipation ??= omaBasic(c);
      else if (isElement(c, NS.oma, 'registration-state')) t.registrationState ??= omaState(c);
      else if (isElement(c, NS.oma, 'barring-state')) t.barringState ??= omaState(c);
      else if (isElement(c, NS.oma, 'service-description')) t.serviceDescription ??= readServiceDescription(c);
    }
  }
  // RFC 3863 §4.1.2: a tuple consists of a mandatory <status> element.
  if (!status) return { ok: false, defect: 'PIDF: tuple without status' };
  const values = childElements(status);
  // RFC 3863 §4.1.3: the <status> element MUST have at least one status value element.
  if (values.length === 0) return { ok: false, defect: 'PIDF: empty status' };
  for (const v of values) {
    if (!isElement(v, NS.pidf, 'basic')) {
      statusExtensions.push(v);
      continue;
    }
    if (t.basic !== undefined) return { ok: false, defect: 'PIDF: status with more than one basic' };
    // RFC 3863 §4.1.4: <basic> contains "open" or "closed".
    const basic = basicValue(textOf(v));
    if (!basic) return { ok: false, defect: 'PIDF: invalid basic (not open or closed)' };
    t.basic = basic;
  }
  return { ok: true, value: defined(t) };
}

/**
 * Reads a dm:note or dm:timestamp child of a person or device into `notes` / `target` (a PIDF <note>,
 * which some clients put there, counts as a note). True when `c` was one, a defect for a second
 * timestamp, undefined for any other element.
 */
function readCommon(c: Element, notes: Note[], target: { timestamp?: string }, what: string): string | true | undefined {
  if ((c.namespaceURI === NS.dm || c.namespaceURI === NS.pidf) && c.localName === 'note') {
    notes.push(readNote(c));
    return true;
  }
  if (isElement(c, NS.dm, 'timestamp')) {
    if (target.timestamp !== undefined) return `PIDF: ${what} with more than one timestamp`;
    target.timestamp = textOf(c).trim();
    return true;
  }
  return undefined;
}

/** Reads a dm:person (RFC 4479 §5; RPID RFC 4480 §3; OMA overriding-willingness). */
export function readPerson(el: Element): ParseResult<Person> {
  const id = occurrenceId(el, 'person');
  if (!id.ok) return id;
  const notes: Note[] = [];
  const extensions: Element[] = [];
  const p: Mutable<Person> = { kind: 'person', id: id.value, notes, extensions, element: el };
  for (const c of childElements(el)) {
    const common = readCommon(c, notes, p, 'person');
    if (typeof common === 'string') return { ok: false, defect: common };
    if (common) continue;
    extensions.push(c);
    if (isElement(c, NS.rpid, 'activities')) p.activities ??= enumeration(c);
    else if (isElement(c, NS.rpid, 'mood')) p.mood ??= enumeration(c);
    else if (isElement(c, NS.rpid, 'class')) p.class ??= textOf(c).trim();
    else if (isElement(c, NS.oma, 'overriding-willingness')) p.overridingWillingness ??= omaBasic(c);
  }
  return { ok: true, value: defined(p) };
}

/** Reads a dm:device (RFC 4479 §5; OMA network-availability). */
export function readDevice(el: Element): ParseResult<Device> {
  const id = occurrenceId(el, 'device');
  if (!id.ok) return id;
  const notes: Note[] = [];
  const extensions: Element[] = [];
  const d: Mutable<Device> = { kind: 'device', id: id.value, notes, extensions, element: el };
  for (const c of childElements(el)) {
    const common = readCommon(c, notes, d, 'device');
    if (typeof common === 'string') return { ok: false, defect: common };
    if (common) continue;
    extensions.push(c);
    if (isElement(c, NS.dm, 'deviceID')) {
      if (d.deviceId !== undefined) return { ok: false, defect: 'PIDF: device with more than one deviceID' };
      d.deviceId = textOf(c).trim();
    } else if (isElement(c, NS.rpid, 'class')) d.class ??= textOf(c).trim();
    else if (isElement(c, NS.oma, 'network-availability')) d.networkAvailability ??= readNetworks(c);
  }
  return { ok: true, value: defined(d) };
}
