import type { AuthorizationDecision, EventPackage, ExpiryPolicy, NotifyBody, PublicationPolicy, SubscriptionContext } from '../events/event-package.js';
import type { SipRequest } from '../sip/message/message.js';
import { SipError } from '../sip/message/sip-error.js';
import { ContentTypeHeader } from '../sip/parser/headers/content-type.js';
import type { PublicationRecord, PublicationSource } from '../store/ports.js';
import { LruCache } from '../util/lru.js';
import { compose } from './composition/compose.js';
import { buildPidf } from './pidf/build.js';
import type { PresenceDocument } from './pidf/model.js';
import { parsePidf } from './pidf/parse.js';
import { serializePidf } from './pidf/serialize.js';

/** The media type of presence documents (RFC 3863 §4). */
export const PIDF = 'application/pidf+xml';

/** How the presence package decides and composes; the `presence` slice of the configuration. */
export interface PresencePolicy {
  /**
   * Watchers no rule names (TS 23.141 §7; until pres-rules, every watcher but the presentity itself):
   * `allow` → active, `confirm` → pending, `block` → rejected.
   */
  readonly defaultSubHandling: 'allow' | 'confirm' | 'block';
  readonly subscriptionExpires: ExpiryPolicy;
  readonly publicationExpires: ExpiryPolicy;
  /** Largest PIDF document accepted, bytes. */
  readonly maxDocumentBytes: number;
  /** Composition precedence between source kinds, first wins (TS 23.141 §5.1). */
  readonly precedence: readonly PublicationSource[];
}

/** The publications of a presentity, as the publication manager keeps them (unexpired, creation order). */
export interface PublicationList {
  list(resource: string, event: string): Promise<PublicationRecord[]>;
}

/** Options of {@link PresencePackage}. */
export interface PresencePackageOptions {
  policy: PresencePolicy;
  publications: PublicationList;
  /** Composed documents kept in memory (LRU), default 10,000 presentities. */
  cacheSize?: number;
}

/**
 * The presence event package (RFC 3856) on the event framework: PUBLISH of PIDF documents (RFC 3903,
 * validated by the PIDF parser), composition of every source's publication into one document per
 * presentity (TS 23.141 §5.1), and NOTIFY bodies per watcher.
 *
 * Documents are parsed once per publication and composed once per change of the presentity's
 * publications ({@link publicationsChanged} invalidates); each subscriber's body is that composed
 * document, so the notifier's per-subscription comparison sends a NOTIFY only when it changed.
 */
export class PresencePackage implements EventPackage {
  readonly name = 'presence';
  readonly notifyTypes = [PIDF];
  readonly subscribeBodyTypes: readonly string[] = [];
  readonly expires: ExpiryPolicy;
  readonly publication: PublicationPolicy;
  private readonly parsed: LruCache<string, PresenceDocument>;
  private readonly composed: LruCache<string, Promise<Buffer>>;

  constructor(private readonly opts: PresencePackageOptions) {
    const { policy } = opts;
    this.expires = policy.subscriptionExpires;
    const size = opts.cacheSize ?? 10_000;
    this.parsed = new LruCache(size);
    this.composed = new LruCache(size);
    this.publication = {
      types: [PIDF],
      expires: policy.publicationExpires,
      maxBodyBytes: policy.maxDocumentBytes,
      validate: (body, _type, req) => this.validate(body, req),
    };
  }

  /**
   * RFC 3856 §5.1 / TS 23.141 §7 placeholder until pres-rules: a presentity may always watch itself;
   * other watchers get the configured default sub-handling.
   */
  authorize(ctx: SubscriptionContext): AuthorizationDecision {
    if (ctx.record.watcher === ctx.record.resource) return 'active';
    switch (this.opts.policy.defaultSubHandling) {
      case 'allow':
        return 'active';
      case 'confirm':
        return 'pending';
      case 'block':
        return 'rejected';
    }
  }

  /**
   * The watcher's document: the composed presence while active; while pending, a document with no
   * presence and a note saying so (RFC 3856 §6.6); for polite blocking, one offline tuple (§6.6).
   */
  async render(ctx: SubscriptionContext): Promise<NotifyBody> {
    const { record } = ctx;
    if (record.state === 'pending') {
      return { contentType: PIDF, body: buildPendingDocument(record.resource) };
    }
    if ((await this.authorize(ctx)) === 'polite-block') {
      return { contentType: PIDF, body: buildPidf({ entity: record.resource, tupleId: 'offline', basic: 'closed' }) };
    }
    return { contentType: PIDF, body: await this.document(record.resource) };
  }

  /**
   * Drops what was computed from a presentity's publications; the next render recomposes. `etags`
   * names publications that no longer exist (removed, expired, or replaced by a new entity tag).
   */
  publicationsChanged(resource: string, etags: readonly string[] = []): void {
    this.composed.delete(resource);
    for (const e of etags) this.parsed.delete(e);
  }

  /** A refresh gave a publication a new entity tag (RFC 3903 §6) without changing its document. */
  publicationRenamed(previousEtag: string, etag: string): void {
    const doc = this.parsed.get(previousEtag);
    if (!doc) return;
    this.parsed.delete(previousEtag);
    this.parsed.set(etag, doc);
  }

  /** The composed document of a presentity (RFC 3863 body), from its current publications. */
  document(resource: string): Promise<Buffer> {
    let doc = this.composed.get(resource);
    if (!doc) {
      doc = this.compose(resource);
      this.composed.set(resource, doc);
      // A failed composition must not stay cached.
      doc.catch(() => this.composed.delete(resource));
    }
    return doc;
  }

  private async compose(resource: string): Promise<Buffer> {
    const records = await this.opts.publications.list(resource, this.name);
    const inputs = [];
    for (const r of records) {
      const doc = this.parse(r);
      if (doc) inputs.push({ doc, source: r.source, modifiedAt: r.modifiedAt, etag: r.etag });
    }
    return serializePidf(compose(resource, inputs, { precedence: this.opts.policy.precedence }));
  }

  private parse(r: PublicationRecord): PresenceDocument | undefined {
    let doc = this.parsed.get(r.etag);
    if (!doc) {
      // Stored documents passed validation when published; one that no longer parses (e.g. limits were
      // lowered since) is left out of the composition rather than failing every NOTIFY.
      const p = parsePidf(r.body, { maxBytes: Math.max(this.opts.policy.maxDocumentBytes, r.body.length) });
      if (!p.ok) return undefined;
      doc = p.value;
      this.parsed.set(r.etag, doc);
    }
    return doc;
  }

  /** RFC 3903 §6 step 5: the body must be a valid PIDF document in UTF-8 (RFC 3863 §4). */
  private validate(body: Buffer, req: SipRequest): void {
    const charset = req.header(ContentTypeHeader)?.params.get('charset');
    if (charset && !/^"?utf-8"?$/i.test(charset)) {
      throw new SipError(415, `Unsupported charset ${charset}: PIDF must be UTF-8`, [['Accept', PIDF]]);
    }
    const r = parsePidf(body, { maxBytes: this.opts.policy.maxDocumentBytes });
    if (!r.ok) throw new SipError(r.status, r.defect);
  }
}

/**
 * A presence document that reveals nothing but the pending state (RFC 3856 §6.6: "the state of the
 * presentity SHOULD include some kind of textual note that indicates a pending status").
 */
function buildPendingDocument(entity: string): Buffer {
  return buildPidf({ entity, tupleId: 'pending', basic: 'closed', note: 'Presence authorization pending' });
}
