/**
 * The pidf-manipulation application usage (RFC 4827): a presentity's hard-state presence, a PIDF
 * document kept over XCAP that does not expire, which the presence server composes with the soft state
 * its PUAs publish (RFC 4827 §3).
 */
import type { Document } from '@xmldom/xmldom';
import type { ApplicationUsage, XcapValidationContext } from '../application-usage.js';
import { ConstraintFailure } from '../errors.js';
import type { XcapConflict } from '../errors.js';
import { SCHEMAS } from '../schemas/schema-catalogue.js';
import { SchemaValidator } from '../schemas/schema-validator.js';

/** The AUID (RFC 4827 §4). */
export const PIDF_MANIPULATION_AUID = 'pidf-manipulation';

/** The only document a user has (RFC 4827 §9). */
const INDEX = 'index';

const PIDF = SCHEMAS.pidf.namespace;

/**
 * RFC 4827: AUID `pidf-manipulation` (§4), MIME type `application/pidf+xml` (§5), default namespace
 * `urn:ietf:params:xml:ns:pidf` (§6), validated against PIDF (RFC 3863 §4.4) with the data model
 * (RFC 4479) and RPID (RFC 4480) extensions (§6, §7: no other constraints); one document per user,
 * `users/<xui>/index` (§9). Default authorization (§10). Compiles its schemas when constructed.
 */
export class PidfManipulationUsage implements ApplicationUsage {
  readonly auid = PIDF_MANIPULATION_AUID;
  readonly defaultNamespace = PIDF;
  readonly mimeType = 'application/pidf+xml';
  readonly namespaces: readonly string[] = [SCHEMAS.dataModel.namespace, SCHEMAS.rpid.namespace];
  /** The name of a user's presence document (RFC 4827 §9). */
  readonly defaultDocument = INDEX;
  private readonly schema = SchemaValidator.compile([SCHEMAS.pidf, SCHEMAS.dataModel, SCHEMAS.rpid], { namespace: PIDF, localName: 'presence' });

  /** The naming convention (RFC 4827 §9), then the schemas (§6). */
  validate(_doc: Document, ctx: XcapValidationContext): XcapConflict | undefined {
    // RFC 4827 §9: the server MUST store only a single document per user, under "users", named "index".
    if (ctx.tree !== 'users' || ctx.name !== INDEX) {
      return new ConstraintFailure(`a user's presence document is users/<xui>/${INDEX}, not ${ctx.tree}/${ctx.name} (RFC 4827 §9)`);
    }
    return this.schema.validate(ctx.text);
  }

  /** Frees the compiled schemas (wasm memory); the usage must not be used afterwards. */
  dispose(): void {
    this.schema.dispose();
  }
}
