import type { Element, Node } from '@xmldom/xmldom';
import type { Device, Note, Person, PidfLimits, PidfParseResult, PresenceDocument, Tuple, XmlAttribute } from './model.js';
import { NS } from './namespaces.js';
import { readDevice, readNote, readPerson, readTuple } from './read.js';
import { screenXml } from '../../util/xml-guard.js';
import { childElements, isElement, oneLine, parseXmlDom, plainAttribute } from '../../util/xml-dom.js';

/** Defaults of {@link PidfLimits}. */
export const DEFAULT_PIDF_LIMITS: Required<PidfLimits> = { maxBytes: 64 * 1024, maxDepth: 32, maxElements: 10_000 };

const ELEMENT_NODE = 1;

function fail(defect: string, status: 400 | 413 = 400): PidfParseResult {
  return { ok: false, status, defect };
}

/** Every prefixed namespace declaration in the document: URI to the first prefix declared for it. */
function declaredNamespaces(root: Element): Map<string, string> {
  const namespaces = new Map<string, string>();
  const stack: Element[] = [root];
  while (stack.length) {
    const el = stack.pop()!;
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i);
      if (a && a.namespaceURI === NS.xmlns && a.prefix === 'xmlns' && a.localName && a.value && !namespaces.has(a.value)) {
        namespaces.set(a.value, a.localName);
      }
    }
    for (let n: Node | null = el.lastChild; n; n = n.previousSibling) if (n.nodeType === ELEMENT_NODE) stack.push(n as Element);
  }
  return namespaces;
}

/** Attributes of <presence> kept as data: all but `entity` and namespace declarations. */
function rootAttributes(root: Element): XmlAttribute[] {
  const out: XmlAttribute[] = [];
  const attrs = root.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i);
    if (!a || a.namespaceURI === NS.xmlns || (a.namespaceURI === null && a.localName === 'entity')) continue;
    out.push({ namespaceURI: a.namespaceURI, localName: a.localName ?? a.name, value: a.value });
  }
  return out;
}

/**
 * Parses an `application/pidf+xml` body (RFC 3863) into a {@link PresenceDocument}. Never throws: a body
 * over `limits.maxBytes` gets status 413, every other defect 400 with a `PIDF: …` text naming it:
 * the screening of `screenXml` (UTF-8 only, no DOCTYPE, entity or processing instruction), XML that
 * is not well-formed, nesting deeper than `maxDepth`, more than `maxElements` elements, a root that is
 * not PIDF <presence>, no entity, a tuple without id or status, an empty status, an invalid basic, a
 * person or device without id, and an id used twice among tuples, persons and devices.
 * Elements and namespaces it does not know are kept, unchanged, in the model. The body is read as
 * UTF-8: a caller that gets a Content-Type charset parameter other than UTF-8 (which would take
 * precedence, RFC 3863 §4.1) refuses the body itself.
 */
export function parsePidf(body: Buffer, limits: PidfLimits = {}): PidfParseResult {
  const screened = screenXml(body, {
    maxBytes: limits.maxBytes ?? DEFAULT_PIDF_LIMITS.maxBytes,
    maxDepth: limits.maxDepth ?? DEFAULT_PIDF_LIMITS.maxDepth,
    maxElements: limits.maxElements ?? DEFAULT_PIDF_LIMITS.maxElements,
  }, 'PIDF');
  if (!screened.ok) return { ok: false, status: screened.status, defect: screened.defect };
  const dom = parseXmlDom(screened.text);
  if (typeof dom === 'string') return fail(`PIDF: not well-formed XML: ${oneLine(dom, 100)}`);
  const root = dom.documentElement;
  if (!root) return fail('PIDF: no root element');
  // RFC 3863 §4.1.1: the root is a <presence> element in the PIDF namespace.
  if (!isElement(root, NS.pidf, 'presence')) return fail('PIDF: root element is not <presence> in urn:ietf:params:xml:ns:pidf');
  const entity = plainAttribute(root, 'entity');
  // RFC 3863 §4.1.1: the <presence> element MUST have an 'entity' attribute.
  if (!entity) return fail('PIDF: presence without entity');
  const tuples: Tuple[] = [];
  const persons: Person[] = [];
  const devices: Device[] = [];
  const notes: Note[] = [];
  const extensions: Element[] = [];
  const ids = new Set<string>();
  for (const c of childElements(root)) {
    let read;
    if (isElement(c, NS.pidf, 'tuple')) read = readTuple(c);
    else if (isElement(c, NS.dm, 'person')) read = readPerson(c);
    else if (isElement(c, NS.dm, 'device')) read = readDevice(c);
    else {
      if (isElement(c, NS.pidf, 'note')) notes.push(readNote(c));
      else extensions.push(c);
      continue;
    }
    if (!read.ok) return fail(read.defect);
    const component = read.value;
    // RFC 3863 §4.1.2, RFC 4479 §3.5: occurrence ids are unique across tuples, persons and devices.
    if (ids.has(component.id)) return fail(`PIDF: duplicate id ${JSON.stringify(oneLine(component.id, 40))}`);
    ids.add(component.id);
    if (component.kind === 'tuple') tuples.push(component);
    else if (component.kind === 'person') persons.push(component);
    else devices.push(component);
  }
  const doc: PresenceDocument = {
    entity,
    tuples,
    persons,
    devices,
    notes,
    extensions,
    attributes: rootAttributes(root),
    namespaces: declaredNamespaces(root),
  };
  return { ok: true, value: doc };
}
