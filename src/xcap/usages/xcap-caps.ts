/**
 * The xcap-caps application usage (RFC 4825 §12): the server's capabilities — the AUIDs, extensions and
 * namespaces it supports — in one global document generated from the registered usages.
 */
import type { Document } from '@xmldom/xmldom';
import type { ApplicationUsage, XcapGlobalDocumentContext, XcapValidationContext } from '../application-usage.js';
import { ConstraintFailure, escapeXmlText } from '../errors.js';
import type { XcapConflict } from '../errors.js';
import { SCHEMAS } from '../schemas/schema-catalogue.js';
import { SchemaValidator } from '../schemas/schema-validator.js';

/** The AUID every XCAP server supports (RFC 4825 §12.1). */
export const XCAP_CAPS_AUID = 'xcap-caps';

const CAPS = SCHEMAS.xcapCaps.namespace;

/** The only document of the usage, in the global tree (RFC 4825 §12.7). */
const INDEX = 'index';

/** What the deployment supports beyond the registered usages. */
export interface XcapCapsOptions {
  /** The XCAP extensions the server implements, by their tokens (RFC 4825 §12). Default: none. */
  readonly extensions?: readonly string[];
}

/** Appends `value` to `list` unless it is there already. */
function addOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

/**
 * RFC 4825 §12: AUID `xcap-caps`, MIME type `application/xcap-caps+xml` (§12.4), default namespace
 * `urn:ietf:params:xml:ns:xcap-caps` (§12.3), the §12.2 schema. Its one document, `global/index`
 * (§12.7), is generated at each request: `<auids>` lists every registered usage, `<namespaces>` each
 * usage's default document namespace and the other namespaces it validates (§12: "supporting" a
 * namespace means having its schemas); xcap-caps itself and its namespace always (a MUST of §12).
 * Default authorization (§12.9), so the global document is read-only; no document may exist in a user's
 * tree (§12.7). Compiles its schema when constructed.
 */
export class XcapCapsUsage implements ApplicationUsage {
  readonly auid = XCAP_CAPS_AUID;
  readonly defaultNamespace = CAPS;
  readonly mimeType = 'application/xcap-caps+xml';
  private readonly schema = SchemaValidator.compile([SCHEMAS.xcapCaps], { namespace: CAPS, localName: 'xcap-caps' });

  constructor(private readonly options: XcapCapsOptions = {}) {}

  /** RFC 4825 §12.7: there MUST NOT be an instance in a user's tree; otherwise the schema (§12.2). */
  validate(_doc: Document, ctx: XcapValidationContext): XcapConflict | undefined {
    if (ctx.tree === 'users') return new ConstraintFailure(`${XCAP_CAPS_AUID} has no documents in users' trees, only global/${INDEX} (RFC 4825 §12.7)`);
    return this.schema.validate(ctx.text);
  }

  /** The `index` document (RFC 4825 §12.7) as UTF-8 XML text; undefined for any other name. */
  async globalDocument(name: string, ctx: XcapGlobalDocumentContext): Promise<string | undefined> {
    if (name !== INDEX) return undefined;
    const auids: string[] = [];
    const namespaces: string[] = [];
    for (const usage of ctx.usages.list()) {
      addOnce(auids, usage.auid);
      addOnce(namespaces, usage.defaultNamespace);
      for (const ns of usage.namespaces ?? []) addOnce(namespaces, ns);
    }
    // RFC 4825 §12: "xcap-caps" MUST be in <auids>, its namespace in <namespaces>.
    addOnce(auids, XCAP_CAPS_AUID);
    addOnce(namespaces, CAPS);
    const items = (tag: string, values: readonly string[]): string => values.map((v) => `\n  <${tag}>${escapeXmlText(v)}</${tag}>`).join('');
    return (
      `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-caps xmlns="${CAPS}">\n` +
      ` <auids>${items('auid', auids)}\n </auids>\n` +
      ` <extensions>${items('extension', this.options.extensions ?? [])}\n </extensions>\n` +
      ` <namespaces>${items('namespace', namespaces)}\n </namespaces>\n` +
      `</xcap-caps>\n`
    );
  }

  /** Frees the compiled schema (wasm memory); the usage must not be used afterwards. */
  dispose(): void {
    this.schema.dispose();
  }
}
