/**
 * The rls-services application usage (RFC 4826 §4.4): the resource list services (presence lists with
 * a SIP URI of their own) of each user, and their union, the global `index` an RLS looks services up in.
 */
import { DOMImplementation, XMLSerializer } from '@xmldom/xmldom';
import type { Document, Element } from '@xmldom/xmldom';
import { defaultAuthorization } from '../application-usage.js';
import type { ApplicationUsage, XcapAccess, XcapGlobalDocumentContext, XcapUniquenessContext, XcapValidationContext } from '../application-usage.js';
import { ConstraintFailure, UniquenessFailure } from '../errors.js';
import type { UniquenessExists, XcapConflict } from '../errors.js';
import { SCHEMAS } from '../schemas/schema-catalogue.js';
import { SchemaValidator } from '../schemas/schema-validator.js';
import { XMLNS_NAMESPACE, childElements, isElement, plainAttribute } from '../../util/xml-dom.js';
import { parseStoredDocument } from './dom.js';
import { FieldNamer } from './field.js';
import { checkListContent, RESOURCE_LISTS_AUID } from './list-constraints.js';
import { canonicalUri } from './uri-canonical.js';
import { absoluteXcapTarget } from './xcap-uri.js';

/** The AUID (RFC 4826 §4.4.1). */
export const RLS_SERVICES_AUID = 'rls-services';

const RLS = SCHEMAS.rlsServices.namespace;
const RL = SCHEMAS.resourceLists.namespace;

/** The name of users' documents the global index is made of, and of the index (RFC 4826 §4.4.7). */
const INDEX = 'index';
/** Most alternative URIs suggested for one taken service URI (RFC 4825 §11.1 `<alt-value>`). */
const MAX_ALT_VALUES = 3;
/** Most candidates tried to find them. */
const MAX_ALT_CANDIDATES = 20;

/** How the usage is wired into a deployment. */
export interface RlsServicesOptions {
  /**
   * Whether `uri` names an existing resource within its domain, e.g. a subscriber's public identity
   * (RFC 4826 §4.4.5: a service URI MUST NOT); resolves false when it does not. Absent: only the URIs of
   * other services count as taken.
   */
  readonly isExistingResource?: (uri: string) => Promise<boolean>;
  /**
   * The principals (authenticated XUIs) allowed to read the global index over XCAP, e.g. an external RLS
   * (RFC 4826 §4.4.9: only trusted elements of the server's domain). Default: none.
   */
  readonly indexReaders?: readonly string[];
}

/** The `<service>` children of an rls-services document's root. */
function services(doc: Document): Element[] {
  return doc.documentElement ? childElements(doc.documentElement).filter((el) => isElement(el, RLS, 'service')) : [];
}

/**
 * RFC 4826 §4.4: AUID `rls-services`, MIME type `application/rls-services+xml`, default namespace
 * `urn:ietf:params:xml:ns:rls-services`, the §4.2 schema (with resource-lists'), and the §4.4.5
 * constraints: a `<resource-list>` is an absolute HTTP URI into `resource-lists` (of the same XUI in the
 * users tree), a `<list>` obeys the resource-lists constraints, and every `<service uri>` is unique on
 * the server and names no existing resource (checked in `checkUniqueness`, with suggested alternatives).
 * The global `index` is generated from the users' `index` documents (§4.4.7, §4.4.8) and readable only
 * by `indexReaders` (§4.4.9). Compiles its schemas when constructed.
 */
export class RlsServicesUsage implements ApplicationUsage {
  readonly auid = RLS_SERVICES_AUID;
  readonly defaultNamespace = RLS;
  readonly mimeType = 'application/rls-services+xml';
  readonly namespaces: readonly string[] = [RL];
  /** The document holding a user's services (only those are in the global index, RFC 4826 §4.4.7). */
  readonly defaultDocument = INDEX;
  private readonly schema = SchemaValidator.compile([SCHEMAS.resourceLists, SCHEMAS.rlsServices], { namespace: RLS, localName: 'rls-services' });
  private readonly fields = new FieldNamer(RLS, { rl: RL });

  constructor(private readonly options: RlsServicesOptions = {}) {}

  /** The schema (RFC 4826 §4.4.3), then the `<resource-list>` and `<list>` constraints of §4.4.5. */
  validate(doc: Document, ctx: XcapValidationContext): XcapConflict | undefined {
    const invalid = this.schema.validate(ctx.text);
    if (invalid) return invalid;
    for (const service of services(doc)) {
      for (const child of childElements(service)) {
        if (isElement(child, RLS, 'resource-list')) {
          const problem = this.resourceListProblem(child.textContent ?? '', ctx);
          if (problem) return new ConstraintFailure(problem);
        } else if (isElement(child, RLS, 'list')) {
          const conflict = checkListContent(child, this.fields);
          if (conflict) return conflict;
        }
      }
    }
    return undefined;
  }

  /** RFC 4826 §4.4.5 on a `<resource-list>` value; the defect, or undefined. */
  private resourceListProblem(content: string, ctx: XcapValidationContext): string | undefined {
    // xs:anyURI collapses whitespace (XML Schema Part 2 §3.2.17): surrounding whitespace is not the URI.
    const uri = content.trim();
    // RFC 4826 §4.4.5: an absolute URI whose path has "resource-lists" in the AUID's segment.
    const target = absoluteXcapTarget(uri, RESOURCE_LISTS_AUID);
    if (!target) return `<resource-list>${uri}</resource-list>: must be an absolute HTTP URI of a resource-lists document (RFC 4826 §4.4.5)`;
    // RFC 4826 §4.4.5: in the users tree, the XUI in the path must be the document's own.
    if (ctx.tree === 'users' && (target.tree !== 'users' || target.xui !== ctx.xui)) {
      return `<resource-list>${uri}</resource-list>: must point into the resource lists of ${ctx.xui} (RFC 4826 §4.4.5)`;
    }
    return undefined;
  }

  /**
   * RFC 4826 §4.4.5: each `<service uri>` must be unique among the services of every document on the
   * server (compared canonically, RFC 4826 §5) and must not name an existing resource. Each offending
   * service gets an `<exists field>` with up to three alternative URIs that are free (RFC 4825 §11.1).
   */
  async checkUniqueness(doc: Document, ctx: XcapUniquenessContext): Promise<XcapConflict | undefined> {
    const taken = await this.otherServiceUris(ctx);
    const own = services(doc).map((service) => ({ service, uri: plainAttribute(service, 'uri') ?? '' }));
    const inDocument = new Set(own.map((s) => canonicalUri(s.uri)));
    const seen = new Set<string>();
    const exists: UniquenessExists[] = [];
    for (const { service, uri } of own) {
      const canonical = canonicalUri(uri);
      const clash = taken.has(canonical) || seen.has(canonical) || (await this.isExistingResource(uri));
      seen.add(canonical);
      if (!clash) continue;
      const altValues = await this.alternatives(uri, (c) => taken.has(c) || inDocument.has(c));
      exists.push(altValues.length ? { field: this.fields.field(service, 'uri'), altValues } : { field: this.fields.field(service, 'uri') });
    }
    if (exists.length === 0) return undefined;
    return new UniquenessFailure(exists, 'a service URI is already in use or names an existing resource (RFC 4826 §4.4.5)');
  }

  /** The canonical service URIs of every stored document except the one at `ctx`'s location. */
  private async otherServiceUris(ctx: XcapUniquenessContext): Promise<Set<string>> {
    const taken = new Set<string>();
    for (const record of await ctx.store.list(this.auid)) {
      if (record.tree === ctx.tree && record.xui === ctx.xui && record.name === ctx.name) continue;
      const doc = parseStoredDocument(record.body);
      if (!doc) continue;
      for (const service of services(doc)) taken.add(canonicalUri(plainAttribute(service, 'uri') ?? ''));
    }
    return taken;
  }

  private async isExistingResource(uri: string): Promise<boolean> {
    return this.options.isExistingResource ? this.options.isExistingResource(uri) : false;
  }

  /** Free variations of `uri` (`sip:friends@example.com` → `sip:friends-1@example.com`, …). */
  private async alternatives(uri: string, isTaken: (canonical: string) => boolean): Promise<string[]> {
    const m = /^([A-Za-z][A-Za-z0-9+.-]*:)([^@]+)(@.+)$/.exec(uri);
    if (!m) return [];
    const out: string[] = [];
    for (let k = 1; k <= MAX_ALT_CANDIDATES && out.length < MAX_ALT_VALUES; k++) {
      const candidate = `${m[1]}${m[2]}-${k}${m[3]}`;
      if (!isTaken(canonicalUri(candidate)) && !(await this.isExistingResource(candidate))) out.push(candidate);
    }
    return out;
  }

  /**
   * RFC 4825 §5.7 default in the users tree; the global index (RFC 4826 §4.4.9: sensitive, for trusted
   * elements only) is readable only by `indexReaders`, and never writable (it is generated).
   */
  authorize(access: XcapAccess): boolean {
    if (access.tree === 'global') return access.operation === 'read' && (this.options.indexReaders ?? []).includes(access.principal);
    return defaultAuthorization(access);
  }

  /**
   * The global `index` (RFC 4826 §4.4.8): every `<service>` of every user's `index` document, built at
   * each request so that it reflects the latest state of the users' documents (a MUST of §4.4.8).
   * Undefined for any other name.
   */
  async globalDocument(name: string, ctx: XcapGlobalDocumentContext): Promise<string | undefined> {
    if (name !== INDEX) return undefined;
    const index = new DOMImplementation().createDocument(RLS, 'rls-services', null);
    const root = index.documentElement!;
    root.setAttributeNS(XMLNS_NAMESPACE, 'xmlns', RLS);
    root.setAttributeNS(XMLNS_NAMESPACE, 'xmlns:rl', RL);
    for (const record of await ctx.store.list(this.auid)) {
      if (record.tree !== 'users' || record.name !== INDEX) continue;
      const doc = parseStoredDocument(record.body);
      if (!doc) continue;
      for (const service of services(doc)) {
        root.appendChild(index.createTextNode('\n '));
        root.appendChild(index.importNode(service, true));
      }
    }
    root.appendChild(index.createTextNode('\n'));
    return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(index)}\n`;
  }

  /** Frees the compiled schemas (wasm memory); the usage must not be used afterwards. */
  dispose(): void {
    this.schema.dispose();
  }
}
