import type { Element, Node } from '@xmldom/xmldom';
import { buildPresenceDocument } from '../pidf/build.js';
import type { Device, Person, PresenceComponent, PresenceDocument, Tuple } from '../pidf/model.js';
import { NS } from '../pidf/namespaces.js';
import { readDevice, readPerson, readTuple } from '../pidf/read.js';
import { childElements, languageOf } from '../../util/xml-dom.js';
import type { AttributePermission, Permissions } from './model.js';
import { isFull } from './permissions.js';
import { sameUri } from './uri-match.js';

/**
 * The privacy filtering operation (RFC 5025 §3.3, §4): a watcher's view of the composed presence
 * document under the permissions granted to it. Components are kept by provide-services / persons /
 * devices (§3.3.1); within a kept component only the always-provided elements and the attributes granted
 * (§3.3.2, OMA provide-*) remain. The filter is idempotent (§4: D = F(D)).
 *
 * The composed document shares its DOM elements with the publications: nothing is mutated. A component
 * that loses anything is cloned, edited and read again; one that keeps everything is reused as it is.
 */

type Kind = PresenceComponent['kind'];

/** How a child element of a component is treated. */
type Treatment =
  | { readonly as: 'always' }
  | { readonly as: 'attribute'; readonly permission: AttributePermission }
  | { readonly as: 'user-input' }
  | { readonly as: 'geopriv' }
  | { readonly as: 'status' };

const q = (ns: string, local: string): string => `{${ns}}${local}`;
const qname = (el: Element): string => `{${el.namespaceURI ?? ''}}${el.localName ?? ''}`;
const BASIC = q(NS.pidf, 'basic');
const GEOPRIV = q(NS.geopriv, 'geopriv');

// RFC 5025 §3.3.2: <contact>, <service-class>, <basic> and <timestamp> of every tuple, the <timestamp>
// of every person, the <timestamp> and <deviceID> of every device are always provided. The OMA
// op:service-description identifies the service as the contact does, and is provided with it.
const ALWAYS: Readonly<Record<Kind, ReadonlySet<string>>> = {
  tuple: new Set([q(NS.pidf, 'contact'), q(NS.pidf, 'timestamp'), q(NS.rpid, 'service-class'), q(NS.oma, 'service-description')]),
  person: new Set([q(NS.dm, 'timestamp')]),
  device: new Set([q(NS.dm, 'timestamp'), q(NS.dm, 'deviceID')]),
};

/** The elements a permission exists for (RFC 5025 §3.3.2, OMA pres-rules), wherever they appear. */
const KNOWN = new Map<string, Treatment>([
  [q(NS.pidf, 'note'), { as: 'attribute', permission: 'note' }],
  [q(NS.dm, 'note'), { as: 'attribute', permission: 'note' }],
  [q(NS.dm, 'deviceID'), { as: 'attribute', permission: 'deviceID' }],
  ...(
    ['activities', 'class', 'mood', 'place-is', 'place-type', 'privacy', 'relationship', 'sphere', 'status-icon', 'time-offset'] as const
  ).map((a) => [q(NS.rpid, a), { as: 'attribute', permission: a }] as const),
  [q(NS.rpid, 'user-input'), { as: 'user-input' }],
  [q(NS.oma, 'willingness'), { as: 'attribute', permission: 'willingness' }],
  [q(NS.oma, 'overriding-willingness'), { as: 'attribute', permission: 'willingness' }],
  [q(NS.oma, 'session-participation'), { as: 'attribute', permission: 'session-participation' }],
  [q(NS.oma, 'registration-state'), { as: 'attribute', permission: 'registration-state' }],
  [q(NS.oma, 'barring-state'), { as: 'attribute', permission: 'barring-state' }],
  [q(NS.oma, 'network-availability'), { as: 'attribute', permission: 'network-availability' }],
  [GEOPRIV, { as: 'geopriv' }],
]);

// Elements that are known but always provided elsewhere: no provide-unknown-attribute applies to them.
const KNOWN_ELSEWHERE = new Set([...ALWAYS.tuple, ...ALWAYS.person, ...ALWAYS.device, q(NS.pidf, 'status')]);

/**
 * What a component's children are filtered by: the permissions, and the classes its kind is selected by
 * (empty when all of its kind are shown).
 */
interface Grants {
  readonly p: Permissions;
  /**
   * RFC 5025 §4 requires D = F(D): a component shown because of its rpid:class would disappear when
   * filtered again without it, so a class the watcher's rules select by is kept even without
   * provide-class (the rule naming it already tells the watcher as much).
   */
  readonly classes: ReadonlySet<string>;
}

/** Is `el`, with this treatment (undefined: an unknown element), shown? */
function granted(el: Element, name: string, t: Treatment | undefined, g: Grants): boolean {
  const { p } = g;
  if (p.allAttributes) return true;
  if (t === undefined) {
    // RFC 5025 §3.3.2.14: unknown elements only by name and namespace.
    return !KNOWN_ELSEWHERE.has(name) && p.unknownAttributes.has(name);
  }
  switch (t.as) {
    case 'always':
    case 'status':
      return true;
    case 'attribute':
      return p.attributes.has(t.permission) || (t.permission === 'class' && g.classes.has((el.textContent ?? '').trim()));
    case 'user-input':
      return p.userInput !== 'false';
    case 'geopriv':
      return p.geopriv === 'full';
  }
}

function treatmentOf(name: string, kind: Kind | 'status'): Treatment | undefined {
  if (kind === 'status') return name === BASIC ? { as: 'always' } : name === GEOPRIV ? { as: 'geopriv' } : undefined;
  if (kind === 'tuple' && name === q(NS.pidf, 'status')) return { as: 'status' };
  if (ALWAYS[kind].has(name)) return { as: 'always' };
  return KNOWN.get(name);
}

// RFC 5025 §3.3.2.12: `bare` keeps no attribute of <user-input>, `thresholds` only idle-threshold.
function keptUserInputAttribute(localName: string, p: Permissions): boolean {
  if (p.allAttributes || p.userInput === 'full') return true;
  return localName === 'id' || (p.userInput === 'thresholds' && localName === 'idle-threshold');
}

/** Attributes of a component element itself that every view keeps: its id, xml:lang, namespace declarations. */
function keptOwnAttribute(a: { namespaceURI: string | null; localName: string | null }): boolean {
  return (a.namespaceURI === null && a.localName === 'id') || a.namespaceURI === NS.xml || a.namespaceURI === NS.xmlns;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const NO_CLASSES: ReadonlySet<string> = new Set();

function isBlank(n: Node): boolean {
  return n.nodeType === TEXT_NODE && /^\s*$/.test(n.nodeValue ?? '');
}

/** Removes the attributes of `el` that `keep` rejects. */
function stripAttributes(el: Element, keep: (a: { namespaceURI: string | null; localName: string | null }) => boolean): void {
  const drop = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i);
    if (a && !keep(a)) drop.push(a);
  }
  for (const a of drop) el.removeAttributeNode(a);
}

/**
 * Filters `el` (a clone) in place: its own attributes but id and xml:lang, the child elements not
 * granted, text and comments among its children are removed; user-input attributes are cut down to the
 * level granted; the status of a tuple is filtered the same way (<basic> always stays). Only called
 * without provide-all-attributes.
 */
function filterElement(el: Element, kind: Kind | 'status', g: Grants): void {
  stripAttributes(el, keptOwnAttribute);
  for (let n: Node | null = el.firstChild; n; ) {
    const next: Node | null = n.nextSibling;
    if (n.nodeType !== ELEMENT_NODE) {
      if (!isBlank(n)) el.removeChild(n);
      n = next;
      continue;
    }
    const child = n as Element;
    const name = qname(child);
    const t = treatmentOf(name, kind);
    if (!granted(child, name, t, g)) {
      // The line the element stood on goes with it.
      if (child.previousSibling && isBlank(child.previousSibling)) el.removeChild(child.previousSibling);
      el.removeChild(child);
    } else if (t?.as === 'user-input') {
      stripAttributes(child, (a) => keptUserInputAttribute(a.localName ?? '', g.p));
    } else if (t?.as === 'status') {
      filterElement(child, 'status', g);
    }
    n = next;
  }
}

/** Would {@link filterElement} change this element? Checked on the original, so unchanged components are shared. */
function needsFilter(el: Element, kind: Kind | 'status', g: Grants): boolean {
  const { p } = g;
  if (p.allAttributes) return false;
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== ELEMENT_NODE) {
      if (!isBlank(n)) return true;
      continue;
    }
    const child = n as Element;
    const name = qname(child);
    const t = treatmentOf(name, kind);
    if (!granted(child, name, t, g)) return true;
    if (t?.as === 'user-input' && p.userInput !== 'full') {
      for (let i = 0; i < child.attributes.length; i++) {
        const a = child.attributes.item(i);
        if (a && !keptUserInputAttribute(a.localName ?? '', p)) return true;
      }
    }
    if (t?.as === 'status' && needsFilter(child, 'status', g)) return true;
  }
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i);
    if (a && !keptOwnAttribute(a)) return true;
  }
  return false;
}

/** The component as the watcher sees it, or undefined when what remains is not a valid component. */
function filterComponent<C extends PresenceComponent>(c: C, p: Permissions): C | undefined {
  const selector = c.kind === 'tuple' ? p.services : c.kind === 'person' ? p.persons : p.devices;
  const g: Grants = { p, classes: selector.all ? NO_CLASSES : selector.classes };
  if (!needsFilter(c.element, c.kind, g)) return c;
  const clone = c.element.cloneNode(true) as Element;
  // The clone is detached from its document: an inherited xml:lang must be written on it (XML 1.0 §2.12).
  const lang = languageOf(c.element);
  if (lang !== undefined && !clone.hasAttributeNS(NS.xml, 'lang')) clone.setAttributeNS(NS.xml, 'xml:lang', lang);
  filterElement(clone, c.kind, g);
  const read = c.kind === 'tuple' ? readTuple(clone) : c.kind === 'person' ? readPerson(clone) : readDevice(clone);
  // RFC 3863 §4.1.3: a tuple whose status lost every value (e.g. only a location) cannot be shown.
  return read.ok ? (read.value as C) : undefined;
}

/** RFC 5025 §3.3.1.3: is this service occurrence granted? */
function showService(t: Tuple, p: Permissions): boolean {
  const s = p.services;
  if (s.all) return true;
  if (t.class !== undefined && s.classes.has(t.class)) return true;
  if (s.occurrenceIds.has(t.id)) return true;
  if (t.serviceDescription && s.serviceIds.has(t.serviceDescription.serviceId)) return true;
  const uri = t.contact?.uri;
  if (uri === undefined) return false;
  const colon = uri.indexOf(':');
  if (colon > 0 && s.serviceUriSchemes.has(uri.slice(0, colon))) return true;
  for (const u of s.serviceUris) if (sameUri(u, uri)) return true;
  return false;
}

/** RFC 5025 §3.3.1.2: is this person occurrence granted? */
function showPerson(person: Person, p: Permissions): boolean {
  const s = p.persons;
  return s.all || (person.class !== undefined && s.classes.has(person.class)) || s.occurrenceIds.has(person.id);
}

/** RFC 5025 §3.3.1.1: is this device occurrence granted? */
function showDevice(d: Device, p: Permissions): boolean {
  const s = p.devices;
  if (s.all || (d.class !== undefined && s.classes.has(d.class)) || s.occurrenceIds.has(d.id)) return true;
  const id = d.deviceId;
  if (id === undefined) return false;
  for (const u of s.deviceIds) if (sameUri(u, id)) return true;
  return false;
}

function collectNamespaces(el: Element, into: Set<string>): void {
  if (el.namespaceURI) into.add(el.namespaceURI);
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i);
    if (a?.namespaceURI) into.add(a.namespaceURI);
  }
  for (const c of childElements(el)) collectNamespaces(c, into);
}

function present<T>(x: T | undefined): x is T {
  return x !== undefined;
}

/**
 * The watcher's view of `doc` under `permissions`:
 * - tuples, persons and devices granted by provide-services / persons / devices (RFC 5025 §3.3.1);
 * - in each, the always-provided elements, the attributes granted by the Boolean permissions, user-input
 *   as its level allows, gp:geopriv with OMA provide-geopriv `full`, unknown elements granted by name
 *   (§3.3.2.14), or everything with provide-all-attributes (§3.3.2.15); an rpid:class the component is
 *   selected by stays (so that the view is a fixed point, §4). Without provide-all-attributes,
 *   attributes of the component element other than id and xml:lang, and text or comments among its
 *   children, are removed too;
 * - the top-level notes (which stand for the notes of persons, RFC 4479 §5) with provide-note and all
 *   persons; no other top-level element; of the root attributes only xml:lang.
 * With every component and every attribute granted the document itself is returned. Pure: `doc` and its
 * elements are not modified.
 */
export function presenceView(doc: PresenceDocument, permissions: Permissions): PresenceDocument {
  if (isFull(permissions)) return doc;
  const p = permissions;
  const tuples = doc.tuples.filter((t) => showService(t, p)).map((t) => filterComponent(t, p)).filter(present);
  const persons = doc.persons.filter((x) => showPerson(x, p)).map((x) => filterComponent(x, p)).filter(present);
  const devices = doc.devices.filter((d) => showDevice(d, p)).map((d) => filterComponent(d, p)).filter(present);
  const notes = p.persons.all && (p.allAttributes || p.attributes.has('note')) ? doc.notes : [];
  const used = new Set<string>();
  for (const c of [...tuples, ...persons, ...devices]) collectNamespaces(c.element, used);
  for (const n of notes) collectNamespaces(n.element, used);
  return {
    entity: doc.entity,
    tuples,
    persons,
    devices,
    notes,
    extensions: [],
    attributes: doc.attributes.filter((a) => a.namespaceURI === NS.xml && a.localName === 'lang'),
    namespaces: new Map([...doc.namespaces].filter(([uri]) => used.has(uri))),
  };
}

/**
 * The document of a politely blocked watcher (RFC 5025 §3.2.1: only a single service whose basic status
 * is closed, no person or device; RFC 3856 §6.6): it reveals nothing of the presentity's real state.
 */
export function politeBlockView(entity: string): PresenceDocument {
  return buildPresenceDocument({ entity, tupleId: 'offline', basic: 'closed' });
}
