import type { Element } from '@xmldom/xmldom';

/**
 * The presence document model: PIDF (RFC 3863) with the data model of RFC 4479 (tuple = service, person,
 * device). Each component keeps its DOM element, which is what serialisation writes: the parsed fields
 * are read-only views of it, for composition, filters and authorisation. Everything not parsed (RPID,
 * CIPID, caps, PIDF-LO, OMA and unknown namespaces) stays in the element and is passed on unchanged.
 *
 * To change a component, clone its element, edit the clone and read it again with `readTuple`,
 * `readPerson` or `readDevice` (read.ts); never mutate an element of a parsed document in place, since
 * composed documents share elements with the publications they came from.
 */

/** The PIDF basic status (RFC 3863 §4.1.4). */
export type Basic = 'open' | 'closed';

/** An attribute kept as data (namespace URI, local name, value). */
export interface XmlAttribute {
  readonly namespaceURI: string | null;
  readonly localName: string;
  readonly value: string;
}

/** A <note> (RFC 3863 §4.1.6 in PIDF, RFC 4479 §5.1.1 Note_t in the data model). */
export interface Note {
  /** The text content, as written. */
  readonly text: string;
  /** The language: the note's xml:lang, or the nearest one on an enclosing element. */
  readonly lang?: string;
  readonly element: Element;
}

/** The service URI of a tuple (RFC 3863 §4.1.5). */
export interface Contact {
  readonly uri: string;
  /**
   * 0 to 1, higher is preferred; undefined when the attribute is absent or out of range (RFC 3863
   * §4.1.5: such a contact has the lowest priority).
   */
  readonly priority?: number;
}

/** OMA <op:service-description> of a tuple: the application identifier of TS 23.141 §6.2. */
export interface ServiceDescription {
  readonly serviceId: string;
  readonly version: string;
  readonly description?: string;
}

/** One network of OMA <op:network-availability> on a device. */
export interface NetworkAvailability {
  readonly id: string;
  /** From the <op:active/> or <op:terminated/> child; undefined when neither is there. */
  readonly state?: 'active' | 'terminated';
}

/** Fields every data component has (RFC 4479 §3: occurrence id, notes, timestamp). */
interface Component {
  /** The occurrence identifier, unique across tuples, persons and devices (RFC 4479 §3.5). */
  readonly id: string;
  /** The component's own notes, in document order. */
  readonly notes: readonly Note[];
  /** The <timestamp> text (RFC 3339), when present. */
  readonly timestamp?: string;
  /** rpid:class (RFC 4480 §3.3): groups components for authorisation rules (RFC 5025 §3.3.1). */
  readonly class?: string;
  /**
   * Every child element except the notes, the timestamp and, in a tuple, <status> and <contact>, in
   * document order: dm:deviceID, RPID, CIPID, caps, OMA and vendor elements. The parsed views below
   * are read from these.
   */
  readonly extensions: readonly Element[];
  /** The component's element, written unchanged by serialisation. */
  readonly element: Element;
}

/** A <tuple>: one service occurrence (RFC 3863 §4.1.2, RFC 4479 §5). */
export interface Tuple extends Component {
  readonly kind: 'tuple';
  /** The <basic> status, when the <status> has one. */
  readonly basic?: Basic;
  /** The other children of <status> (e.g. gp:geopriv, ts:timed-status, vendor status values). */
  readonly statusExtensions: readonly Element[];
  readonly contact?: Contact;
  /** dm:deviceID children: the devices the service runs on (RFC 4479 §3.4, many to many). */
  readonly deviceIds: readonly string[];
  /** op:willingness/op:basic (OMA). */
  readonly willingness?: Basic;
  /** op:session-participation/op:basic (OMA). */
  readonly sessionParticipation?: Basic;
  /** op:registration-state (OMA). */
  readonly registrationState?: 'active' | 'terminated';
  /** op:barring-state (OMA). */
  readonly barringState?: 'active' | 'terminated';
  /** op:service-description (OMA), when it has both service-id and version. */
  readonly serviceDescription?: ServiceDescription;
}

/** A dm:person occurrence (RFC 4479 §3.2, §5). */
export interface Person extends Component {
  readonly kind: 'person';
  /**
   * Local names of the children of the first rpid:activities (RFC 4480 §3.2), e.g. `busy`, `away`,
   * `other`; its rpid:note is not an activity. Undefined when there is no rpid:activities; an empty
   * element gives an empty list.
   */
  readonly activities?: readonly string[];
  /** Local names of the children of the first rpid:mood (RFC 4480 §3.5), without its notes. */
  readonly mood?: readonly string[];
  /** op:overriding-willingness/op:basic (OMA). */
  readonly overridingWillingness?: Basic;
}

/** A dm:device occurrence (RFC 4479 §3.4, §5). */
export interface Device extends Component {
  readonly kind: 'device';
  /** The dm:deviceID URN (RFC 4479 §5.1.2). */
  readonly deviceId?: string;
  /** op:network-availability networks (OMA), in document order. */
  readonly networkAvailability?: readonly NetworkAvailability[];
}

/** A tuple, person or device. */
export type PresenceComponent = Tuple | Person | Device;

/** A presence document (an `application/pidf+xml` body). */
export interface PresenceDocument {
  /** The presentity URI: the `entity` attribute (RFC 3863 §4.1.1). */
  readonly entity: string;
  readonly tuples: readonly Tuple[];
  readonly persons: readonly Person[];
  readonly devices: readonly Device[];
  /** Top-level <note>s: about the presentity, and the notes of persons without their own (RFC 4479 §5). */
  readonly notes: readonly Note[];
  /** Other top-level elements, in document order, kept as DOM. */
  readonly extensions: readonly Element[];
  /** Attributes of <presence> other than `entity` and namespace declarations (e.g. xsi:schemaLocation). */
  readonly attributes: readonly XmlAttribute[];
  /**
   * Namespace URI to prefix for every prefixed declaration in the source document, first one wins.
   * Serialisation declares them all again, so prefixes used in attribute or text values keep working.
   */
  readonly namespaces: ReadonlyMap<string, string>;
}

/** Bounds applied by `parsePidf`. */
export interface PidfLimits {
  /** Largest body in bytes (default 65,536); larger gets 413. */
  readonly maxBytes?: number;
  /** Deepest element nesting, the root being depth 1 (default 32). */
  readonly maxDepth?: number;
  /** Most elements in the document (default 10,000). */
  readonly maxElements?: number;
}

/**
 * The outcome of parsing a presence document: the model, or the status to answer with (400, or 413 for
 * a body over `maxBytes`) and the defect, a short text usable as a SIP reason phrase (`PIDF: …`).
 */
export type PidfParseResult =
  | { readonly ok: true; readonly value: PresenceDocument }
  | { readonly ok: false; readonly status: 400 | 413; readonly defect: string };
