/**
 * Presence documents: PIDF (RFC 3863) with the data model (RFC 4479), RPID (RFC 4480), CIPID (RFC 4482),
 * PIDF-LO (RFC 4119), caps (RFC 5196), timed status (RFC 4481) and the OMA presence data extensions.
 */
export type {
  Basic,
  Contact,
  Device,
  NetworkAvailability,
  Note,
  Person,
  PidfLimits,
  PidfParseResult,
  PresenceComponent,
  PresenceDocument,
  ServiceDescription,
  Tuple,
  XmlAttribute,
} from './model.js';
export { KNOWN_PREFIXES, NS, isKnownNamespace } from './namespaces.js';
export { DEFAULT_PIDF_LIMITS, parsePidf } from './parse.js';
export { readDevice, readNote, readPerson, readTuple } from './read.js';
export { serializePidf } from './serialize.js';
export { buildPidf, buildPresenceDocument } from './build.js';
export type { BuildPidfOptions } from './build.js';
export { summarise } from './summary.js';
export type { PresenceSummary, TupleSummary } from './summary.js';
