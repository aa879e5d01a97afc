/**
 * XCAP application usages (RFC 4825 §5): what the server needs to know of each kind of document it
 * manages. One object per AUID, registered in `XcapUsages`; the server itself is unaware of the data's
 * semantics (RFC 4825 §5.4) and only asks the usage to validate, check uniqueness, and authorize.
 *
 * Implementations live in `src/xcap/usages/` (one file each). They may import `util`, `store`, this file
 * and `errors.ts`, never the server.
 */
import type { Document } from '@xmldom/xmldom';
import type { XcapDocumentStore, XcapTree } from '../store/ports.js';
import type { XcapConflict } from './errors.js';

/** The two trees of an application usage's directory (RFC 4825 §6.2): `users` and `global`. */
export type { XcapTree };

/** Where a document lives: `<xcap-root>/<auid>/users/<xui>/<name>` or `<xcap-root>/<auid>/global/<name>`. */
export interface XcapDocumentLocation {
  readonly auid: string;
  readonly tree: XcapTree;
  /** The owner's XCAP User Identifier (RFC 4825 §4), decoded, e.g. `sip:alice@example.com`; '' in the global tree. */
  readonly xui: string;
  /** The document's path below the user's (or the global) directory, decoded, e.g. `index` or `dir/doc`. */
  readonly name: string;
}

/**
 * What `validate` gets besides the DOM: where the document is going, and its serialized form (the exact
 * UTF-8 text that will be stored if every check passes; handy for an XSD validator that parses text).
 */
export interface XcapValidationContext extends XcapDocumentLocation {
  readonly text: string;
}

/** What `checkUniqueness` gets: the document store (to look at other users' documents) and the location. */
export interface XcapUniquenessContext extends XcapDocumentLocation {
  /** Read-only use only: the server stores the document itself after every check passed. */
  readonly store: XcapDocumentStore;
}

/**
 * An access the server is about to grant or refuse (RFC 4825 §5.7). `principal` is the authenticated
 * XUI (the digest-authenticated user's canonical AOR). `write` covers PUT and DELETE, `read` GET.
 */
export interface XcapAccess extends XcapDocumentLocation {
  readonly principal: string;
  readonly operation: 'read' | 'write';
}

/** The usages known to the server, as seen by a usage (e.g. xcap-caps lists them, RFC 4825 §12). */
export interface XcapUsageDirectory {
  /** Every registered usage, in registration order. */
  list(): readonly ApplicationUsage[];
}

/** What `globalDocument` gets to build a generated document. */
export interface XcapGlobalDocumentContext {
  /** Every registered usage (e.g. for the xcap-caps `index`, RFC 4825 §12). */
  readonly usages: XcapUsageDirectory;
  /** Read-only: the documents the generated one may be derived from (e.g. the rls-services global index). */
  readonly store: XcapDocumentStore;
}

/**
 * RFC 4825 §5.7 default authorization policy: a user may read, modify and delete every document in
 * its own home directory (`users/<its xui>`); any authenticated user may read the global tree; no one
 * modifies the global tree (presenced provisions no trusted global writers, so it is read-only over XCAP).
 */
export function defaultAuthorization(access: XcapAccess): boolean {
  if (access.tree === 'global') return access.operation === 'read';
  return access.principal === access.xui;
}

/**
 * One application usage (RFC 4825 §5, the information §5.9 says each usage documents).
 *
 * Checks return an {@link XcapConflict} (answered 409 with `application/xcap-error+xml`) or `undefined`
 * when the document passes; they never throw for bad data (a throw is a bug and becomes a 500).
 * The server runs them on the complete document that a PUT or DELETE (of a document, element or
 * attribute) would produce, BEFORE anything is stored (RFC 4825 §8.2.5): first `validate`, then
 * `checkUniqueness`. A DELETE of a whole document runs no check.
 */
export interface ApplicationUsage {
  /** The Application Unique ID (RFC 4825 §5.1), e.g. `pres-rules`, `org.openmobilealliance.pres-rules`. */
  readonly auid: string;
  /**
   * The default document namespace (RFC 4825 §5.2): the namespace of node selector steps without a
   * prefix, e.g. `urn:ietf:params:xml:ns:pres-rules`. It applies to URIs only, never to documents.
   */
  readonly defaultNamespace: string;
  /**
   * The MIME type of documents of this usage (RFC 4825 §5.3), e.g. `application/auth-policy+xml` for
   * pres-rules; a document PUT must carry it (415 otherwise), and a document GET answers with it.
   */
  readonly mimeType: string;
  /**
   * Namespaces whose schemas this usage validates besides its default document namespace (e.g.
   * common-policy and the OMA extensions for pres-rules); listed by xcap-caps in `<namespaces>`.
   */
  readonly namespaces?: readonly string[];
  /**
   * Schema validation and the usage's own data constraints (RFC 4825 §5.3, §8.2.5) of the document a
   * write would produce: `SchemaValidationError` when it does not match the XML schema,
   * `ConstraintFailure` for other constraints, `UniquenessFailure` for uniqueness within the document
   * (e.g. resource-lists `<list name>` unique within its parent), `NotUtf8` where applicable.
   * Elements from namespaces the usage does not know are allowed (RFC 4825 §5.8) wherever its schema has
   * an extension point. May be synchronous or not; the server awaits the result.
   */
  validate(doc: Document, ctx: XcapValidationContext): XcapConflict | undefined | Promise<XcapConflict | undefined>;
  /**
   * Uniqueness constraints that reach beyond the document (RFC 4825 §5.3), checked after `validate`
   * passed: e.g. rls-services `<service uri>` unique across all users' documents (RFC 4826 §4.4.5),
   * answered with a `UniquenessFailure` whose `<exists field>` names the field and may offer
   * `altValues`. Documents at the same location as `ctx` must be ignored (they are being replaced).
   */
  checkUniqueness?(doc: Document, ctx: XcapUniquenessContext): Promise<XcapConflict | undefined>;
  /**
   * Replaces the default authorization policy for this usage (RFC 4825 §5.7): true grants the access,
   * false refuses it (403). Absent: {@link defaultAuthorization}. An override may call
   * `defaultAuthorization` and refine its answer.
   */
  authorize?(access: XcapAccess): boolean;
  /**
   * Documents of the global tree that the server generates instead of storing (resource
   * interdependencies, RFC 4825 §5.6), e.g. the xcap-caps `index` (RFC 4825 §12) or a read-only global
   * index derived from users' documents. Called on each GET of `<auid>/global/<name>`: the complete
   * document as UTF-8 XML text, or undefined when `name` is not generated (the store is consulted then).
   * Generated documents are read-only (writes get 403) and their entity tag is a hash of their content.
   */
  globalDocument?(name: string, ctx: XcapGlobalDocumentContext): Promise<string | undefined>;
}
