/**
 * The XML namespaces of presence documents the server understands, with the prefixes the RFCs use for
 * them. Every other namespace is passed on unchanged (RFC 3863 §4.2.3; TS 23.141 §5.1: information the
 * server cannot interpret is handled transparently).
 */

import { XML_NAMESPACE, XMLNS_NAMESPACE } from '../../util/xml-dom.js';

/** Namespace URIs by short name. */
export const NS = {
  /** PIDF (RFC 3863 §4.1.1); written as the default namespace. */
  pidf: 'urn:ietf:params:xml:ns:pidf',
  /** Presence data model: person, device, deviceID (RFC 4479 §5.1.2). */
  dm: 'urn:ietf:params:xml:ns:pidf:data-model',
  /** RPID (RFC 4480 §5.1). */
  rpid: 'urn:ietf:params:xml:ns:pidf:rpid',
  /** User agent capabilities (RFC 5196 §6). */
  caps: 'urn:ietf:params:xml:ns:pidf:caps',
  /** CIPID (RFC 4482 §5). */
  cipid: 'urn:ietf:params:xml:ns:pidf:cipid',
  /** PIDF-LO (RFC 4119 §2.2.5). */
  geopriv: 'urn:ietf:params:xml:ns:pidf:geopriv10',
  /** Timed status (RFC 4481 §5). */
  timedStatus: 'urn:ietf:params:xml:ns:pidf:timed-status',
  /** Location types used by rpid:place-type (RFC 4480 §4, RFC 4589). */
  locationType: 'urn:ietf:params:xml:ns:location-type',
  /** OMA presence data extensions (OMA-SUP-XSD_prs_pidf_omapres-V1_0). */
  oma: 'urn:oma:xml:prs:pidf:oma-pres',
  /** The `xml:` namespace (xml:lang); bound by definition, never declared. */
  xml: XML_NAMESPACE,
  /** The namespace of `xmlns` declarations themselves. */
  xmlns: XMLNS_NAMESPACE,
} as const;

/**
 * Conventional prefix of each known namespace, as the defining RFC's examples write it (RFC 4479 §7.1
 * `dm`, RFC 4480 §4 `rpid` and `lt`, RFC 5196 §5 `caps`, RFC 4482 §4 `c`, RFC 4119 §2.3 `gp`, RFC 4481 §4
 * `ts`, OMA `op`). `pidf` is only used when an attribute is in the PIDF namespace (elements use the
 * default namespace). Serialisation gives these namespaces these prefixes; no other namespace gets them.
 */
export const KNOWN_PREFIXES: ReadonlyMap<string, string> = new Map([
  [NS.pidf, 'pidf'],
  [NS.dm, 'dm'],
  [NS.rpid, 'rpid'],
  [NS.caps, 'caps'],
  [NS.cipid, 'c'],
  [NS.geopriv, 'gp'],
  [NS.timedStatus, 'ts'],
  [NS.locationType, 'lt'],
  [NS.oma, 'op'],
]);

/** True for a namespace in {@link KNOWN_PREFIXES}. */
export function isKnownNamespace(uri: string | null): boolean {
  return uri !== null && KNOWN_PREFIXES.has(uri);
}
