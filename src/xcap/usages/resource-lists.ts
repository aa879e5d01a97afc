/**
 * The resource-lists application usage (RFC 4826 §3.4): users' lists of resources (presence lists,
 * "buddy lists"), referenced by rls-services documents and by OMA `<external-list>` conditions.
 */
import type { Document } from '@xmldom/xmldom';
import type { ApplicationUsage, XcapValidationContext } from '../application-usage.js';
import type { XcapConflict } from '../errors.js';
import { SCHEMAS } from '../schemas/schema-catalogue.js';
import { SchemaValidator } from '../schemas/schema-validator.js';
import { FieldNamer } from './field.js';
import { checkListContent, RESOURCE_LISTS_AUID } from './list-constraints.js';

const RL = SCHEMAS.resourceLists.namespace;

/**
 * RFC 4826 §3.4: AUID `resource-lists`, MIME type `application/resource-lists+xml`, default namespace
 * `urn:ietf:params:xml:ns:resource-lists`, the §3.2 schema, and the §3.4.5 constraints (list names,
 * entry URIs, entry-ref refs and external anchors unique within their parent; entry-ref a relative path
 * reference, external an absolute HTTP URI). Default authorization (§3.4.9). Compiles its schema when
 * constructed (throws when the schema files are missing).
 */
export class ResourceListsUsage implements ApplicationUsage {
  readonly auid = RESOURCE_LISTS_AUID;
  readonly defaultNamespace = RL;
  readonly mimeType = 'application/resource-lists+xml';
  private readonly schema = SchemaValidator.compile([SCHEMAS.resourceLists], { namespace: RL, localName: 'resource-lists' });
  private readonly fields = new FieldNamer(RL);

  /** RFC 4826 §3.4.3 schema, then the §3.4.5 constraints. */
  validate(doc: Document, ctx: XcapValidationContext): XcapConflict | undefined {
    const invalid = this.schema.validate(ctx.text);
    if (invalid) return invalid;
    return doc.documentElement ? checkListContent(doc.documentElement, this.fields) : undefined;
  }

  /** Frees the compiled schema (wasm memory); the usage must not be used afterwards. */
  dispose(): void {
    this.schema.dispose();
  }
}
