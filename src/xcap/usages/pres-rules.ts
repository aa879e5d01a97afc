/**
 * The presence authorization rules application usages: `pres-rules` (RFC 5025 §9) and the OMA's
 * `org.openmobilealliance.pres-rules` (OMA Presence SIMPLE XDM), which adds the OMA common policy
 * conditions and the OMA pres-rules transformations. A presentity's rule set (RFC 4745 `<ruleset>`) is
 * what the presence server's policy engine evaluates for each watcher.
 */
import type { Document } from '@xmldom/xmldom';
import type { ApplicationUsage, XcapValidationContext } from '../application-usage.js';
import { ConstraintFailure } from '../errors.js';
import type { XcapConflict } from '../errors.js';
import { SCHEMAS } from '../schemas/schema-catalogue.js';
import { SchemaValidator } from '../schemas/schema-validator.js';
import { plainAttribute } from '../../util/xml-dom.js';
import { descendants } from './dom.js';
import { RESOURCE_LISTS_AUID } from './list-constraints.js';
import { absoluteXcapTarget } from './xcap-uri.js';

/** The IETF AUID (RFC 5025 §9.1). */
export const PRES_RULES_AUID = 'pres-rules';
/** The OMA AUID (OMA Presence SIMPLE XDM, Presence Authorization Rules). */
export const OMA_PRES_RULES_AUID = 'org.openmobilealliance.pres-rules';

/** Which of the two usages: RFC 5025's, or the OMA's with its extensions. */
export type PresRulesVariant = 'ietf' | 'oma';

const CP = SCHEMAS.commonPolicy.namespace;
const PR = SCHEMAS.presRules.namespace;
const OCP = SCHEMAS.omaCommonPolicy.namespace;

/**
 * A pres-rules application usage.
 *
 * - `ietf` (RFC 5025 §9): AUID `pres-rules`, default namespace `urn:ietf:params:xml:ns:pres-rules`
 *   (§9.3), schemas common-policy (RFC 4745 §13) and pres-rules (RFC 5025 §7), no further constraints
 *   (§9.5), document `index` (§9.7).
 * - `oma`: AUID `org.openmobilealliance.pres-rules`, default namespace
 *   `urn:ietf:params:xml:ns:common-policy` (so that `ruleset/rule[@id="wp_prs_allow_own"]` needs no
 *   prefix), the OMA common policy and pres-rules extension schemas as well, document `pres-rules`; an
 *   `<external-list>` `<entry anc>` must be an absolute HTTP URI of a resource-lists document.
 *
 * Both: MIME type `application/auth-policy+xml` (RFC 5025 §9.4), root element `<cr:ruleset>`, rule ids
 * unique (RFC 4745 §6.1, enforced by the schema's `xs:ID`), default authorization (RFC 5025 §9.9).
 * Compiles its schemas when constructed.
 */
export class PresRulesUsage implements ApplicationUsage {
  readonly auid: string;
  readonly defaultNamespace: string;
  readonly mimeType = 'application/auth-policy+xml';
  readonly namespaces: readonly string[];
  /** The name of the document holding a user's rules, below `<auid>/users/<xui>/`. */
  readonly defaultDocument: string;
  private readonly schema: SchemaValidator;

  constructor(readonly variant: PresRulesVariant = 'ietf') {
    const files =
      variant === 'ietf'
        ? [SCHEMAS.commonPolicy, SCHEMAS.presRules]
        : [SCHEMAS.commonPolicy, SCHEMAS.presRules, SCHEMAS.omaCommonPolicy, SCHEMAS.omaPresRules];
    this.auid = variant === 'ietf' ? PRES_RULES_AUID : OMA_PRES_RULES_AUID;
    this.defaultNamespace = variant === 'ietf' ? PR : CP;
    this.defaultDocument = variant === 'ietf' ? 'index' : 'pres-rules';
    this.namespaces = files.map((f) => f.namespace).filter((ns) => ns !== this.defaultNamespace);
    // RFC 5025 §9.2, RFC 4745 §13: a presence authorization document is a common policy <ruleset>.
    this.schema = SchemaValidator.compile(files, { namespace: CP, localName: 'ruleset' });
  }

  /** The schemas (RFC 5025 §9.2), then, for the OMA usage, the `<external-list>` references. */
  validate(doc: Document, ctx: XcapValidationContext): XcapConflict | undefined {
    const invalid = this.schema.validate(ctx.text);
    if (invalid || this.variant === 'ietf' || !doc.documentElement) return invalid;
    for (const list of descendants(doc.documentElement, OCP, 'external-list')) {
      for (const entry of descendants(list, OCP, 'entry')) {
        const anc = plainAttribute(entry, 'anc');
        // OMA XDM common policy: <external-list> names lists of a resource-lists (URI list) document.
        if (anc !== undefined && !absoluteXcapTarget(anc, RESOURCE_LISTS_AUID)) {
          return new ConstraintFailure(`<external-list> <entry anc="${anc}">: anc must be an absolute HTTP URI of a resource-lists document`);
        }
      }
    }
    return undefined;
  }

  /** Frees the compiled schemas (wasm memory); the usage must not be used afterwards. */
  dispose(): void {
    this.schema.dispose();
  }
}
