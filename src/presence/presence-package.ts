import type {
  AuthorizationDecision, EncodeContext, SubscribeBody, EncodedNotify, EventPackage, ExpiryPolicy, NotifyBody, PublicationPolicy, SubscriptionContext,
} from '../events/event-package.js';
import type { SipRequest } from '../sip/message/message.js';
import { SipError } from '../sip/message/sip-error.js';
import { ContentTypeHeader } from '../sip/parser/headers/content-type.js';
import type { PublicationRecord, PublicationSource } from '../store/ports.js';
import { LruCache } from '../util/lru.js';
import type { PresenceAuthorizer } from './authorization/authorizer.js';
import type { PolicyDecision, Permissions, SubHandling, Watcher } from './authorization/model.js';
import { ANONYMOUS_WATCHER } from './authorization/model.js';
import { isFull, permissionsKey } from './authorization/permissions.js';
import { politeBlockView, presenceView } from './authorization/view.js';
import { compose } from './composition/compose.js';
import { buildPidf } from './pidf/build.js';
import type { PresenceDocument } from './pidf/model.js';
import { parsePidf } from './pidf/parse.js';
import { serializePidf } from './pidf/serialize.js';
import { publishersOf } from './filter/publishers.js';
import { SIMPLE_FILTER } from './filter/model.js';
import { WatcherFilters } from './filter/watcher-filters.js';
import type { Publishers } from './filter/what.js';
import { PartialNotifications } from './partial/partial-notify.js';
import { applyPartialPublication } from './partial/partial-publish.js';
import { PIDF_DIFF } from './partial/pidf-diff.js';

/** The media type of presence documents (RFC 3863 §4). */
export const PIDF = 'application/pidf+xml';

/** How the presence package decides and composes; the `presence` slice of the configuration. */
export interface PresencePolicy {
  /**
   * Watchers of a presentity without an authorisation policy (no pres-rules document, and no default
   * rule set provisioned), except the presentity itself (TS 23.141 §7): `allow` → active with the whole
   * document, `confirm` → pending, `block` → rejected.
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

/** A presentity's hard-state presence document (RFC 4827), as the XCAP server keeps it. */
export interface HardState {
  /** The PIDF document. */
  readonly body: Buffer;
  /** When this version was stored, ms since the epoch. */
  readonly modifiedAt: number;
  /** Its strong entity tag (RFC 4825 §7.11), without quotes. */
  readonly etag: string;
}

/** Options of {@link PresencePackage}. */
export interface PresencePackageOptions {
  policy: PresencePolicy;
  publications: PublicationList;
  /**
   * Presentities whose composed document, and publications whose parsed document, are kept in memory
   * (two LRUs of this size), default 1,000. A parsed document holds its DOM (about 13 KB for a 400-byte
   * PIDF), so this bounds the cache at about 15 MB; a presentity that falls out is composed again from
   * the stored bodies on its next change.
   */
  cacheSize?: number;
  /**
   * The authorisation policy engine (pres-rules, RFC 5025). Without it, or for a presentity it has no
   * policy for, every watcher gets {@link PresencePolicy.defaultSubHandling}.
   */
  authorizer?: PresenceAuthorizer;
  /**
   * The presentity's hard state (RFC 4827, the pidf-manipulation document), composed with the published
   * soft state. Call {@link PresencePackage.publicationsChanged} when it changes.
   */
  hardState?: (resource: string) => Promise<HardState | undefined>;
}

/** A presentity's composed document, its body, and the views rendered from it by permissions. */
interface Composed {
  readonly doc: PresenceDocument;
  readonly body: Buffer;
  /** Rendered views by `permissionsKey`: watchers with equal permissions share one transformation. */
  readonly views: LruCache<string, Buffer>;
  /** Who published each component, by occurrence id (for event filters, filter/publishers.ts). */
  readonly publishers: Publishers;
}

/** Distinct permission sets whose views are kept per composed document. */
const VIEWS_PER_DOCUMENT = 64;

/** Validated documents kept for the PUBLISHes in progress (their stores are being written). */
const VALIDATED_KEPT = 128;

/** The subscription state of each sub-handling (RFC 5025 §3.2.1). */
const DECISION: Readonly<Record<SubHandling, AuthorizationDecision>> = {
  allow: 'active',
  confirm: 'pending',
  'polite-block': 'polite-block',
  block: 'rejected',
};

/**
 * The watcher as the rules see it. The notifier records the watcher's identity (the authenticated or
 * asserted one when the server authenticates) or the anonymous identity (RFC 3323 §4.1.1.3); an
 * anonymous watcher has no identity to match (RFC 5025 §3.1.1.2) and matches anonymous-request rules.
 */
function watcherOf(identity: string): Watcher {
  const anonymous = identity === ANONYMOUS_WATCHER || identity.endsWith('@anonymous.invalid');
  return { identity, anonymous, authenticated: !anonymous };
}

/**
 * The presence event package (RFC 3856) on the event framework: PUBLISH of PIDF documents (RFC 3903,
 * validated by the PIDF parser), composition of every source's publication into one document per
 * presentity (TS 23.141 §5.1), and NOTIFY bodies per watcher, authorised and filtered by the
 * presentity's rules (RFC 5025) when an authorizer is configured.
 *
 * Documents are parsed once per publication and composed once per change of the presentity's
 * publications ({@link publicationsChanged} invalidates); each subscriber's body is its view of that
 * composed document, rendered once per distinct permission set, so the notifier's per-subscription
 * comparison sends a NOTIFY only when that view changed.
 */
export class PresencePackage implements EventPackage {
  readonly name = 'presence';
  /** PIDF, and partial notification for watchers that accept it (RFC 5263 §4.1). */
  readonly notifyTypes = [PIDF, PIDF_DIFF];
  /** Event notification filters (RFC 4660 §3.2: application/simple-filter+xml MUST be supported). */
  readonly subscribeBodyTypes: readonly string[] = [SIMPLE_FILTER];
  readonly expires: ExpiryPolicy;
  readonly publication: PublicationPolicy;
  private readonly parsed: LruCache<string, PresenceDocument>;
  /**
   * Documents parsed when validated, by the body they were parsed from, until {@link publicationsChanged}
   * names the entity tag they were stored under. Bounded: one whose PUBLISH stored nothing (refused after
   * validation, or Expires 0) is dropped once newer ones take its place, not kept with its request.
   */
  private readonly validated = new LruCache<Buffer, PresenceDocument>(VALIDATED_KEPT);
  private readonly composed: LruCache<string, Promise<Composed>>;
  private readonly partial = new PartialNotifications(PIDF);
  private readonly filters = new WatcherFilters('presence');

  constructor(private readonly opts: PresencePackageOptions) {
    const { policy } = opts;
    this.expires = policy.subscriptionExpires;
    const size = opts.cacheSize ?? 1_000;
    this.parsed = new LruCache(size);
    this.composed = new LruCache(size);
    this.publication = {
      // RFC 5264 §4.1: partial publication (application/pidf-diff+xml) besides PIDF.
      types: [PIDF, PIDF_DIFF],
      expires: policy.publicationExpires,
      maxBodyBytes: policy.maxDocumentBytes,
      validate: (body, type, req, resource) => {
        if (type === PIDF) this.validate(body, req, resource);
      },
      apply: (previous, body, type, req) => {
        if (type !== PIDF_DIFF) return { contentType: type, body };
        const limits = { maxBytes: policy.maxDocumentBytes, maxDepth: 32, maxElements: 10_000 };
        return applyPartialPublication(previous, body, req, PIDF, limits, (doc) => this.normalise(doc, req));
      },
    };
  }

  /**
   * RFC 3856 §5.1, TS 23.141 §7: a presentity may always watch itself; other watchers get the
   * sub-handling of the presentity's authorisation rules (RFC 5025 §3.2.1: allow → active, confirm →
   * pending, polite-block → polite-block, block → rejected), or the configured default without rules.
   */
  async authorize(ctx: SubscriptionContext): Promise<AuthorizationDecision> {
    const { record } = ctx;
    if (record.watcher === record.resource) return 'active';
    const decision = await this.decide(record.resource, record.watcher);
    return DECISION[decision?.subHandling ?? this.opts.policy.defaultSubHandling];
  }

  /**
   * The watcher's document: while pending, a document with no presence and a note saying so (RFC 3856
   * §6.6); for the presentity itself or without rules, the composed document; otherwise the view its
   * permissions grant (RFC 5025 §3.3) when allowed, and for any other sub-handling (polite-block, or a
   * confirm or block the notifier has not applied yet) one closed tuple revealing nothing (§3.2.1).
   */
  async render(ctx: SubscriptionContext): Promise<NotifyBody> {
    const { record } = ctx;
    if (record.state === 'pending') {
      return { contentType: PIDF, body: buildPendingDocument(record.resource) };
    }
    const decision = record.watcher === record.resource ? undefined : await this.decide(record.resource, record.watcher);
    // RFC 4660 §5.3: the watcher's filter, applied after authorisation (filter/watcher-filters.ts).
    const filtered = record.body && (await this.filtered(record, decision));
    if (filtered) return { contentType: PIDF, body: filtered };
    if (decision && decision.subHandling !== 'allow') {
      return { contentType: PIDF, body: serializePidf(politeBlockView(record.resource)) };
    }
    return { contentType: PIDF, body: decision ? await this.view(record.resource, decision.permissions) : await this.document(record.resource) };
  }

  /** Partial notification (RFC 5263) for watchers accepting application/pidf-diff+xml. */
  encode(ctx: EncodeContext): EncodedNotify {
    return this.partial.encode(ctx);
  }

  forget(id: string): void {
    this.partial.forget(id);
    this.filters.forget(id);
  }

  /**
   * Drops what was computed from a presentity's publications; the next render recomposes. `etags`
   * names publications that no longer exist (removed, expired, or replaced by a new entity tag);
   * `published`, the publication just stored by an initial or modifying PUBLISH: the document parsed
   * when its body was validated is kept under its entity tag, so composing does not parse it again, when
   * the presentity has a composed document (someone watches it; nobody else ever composes it).
   */
  publicationsChanged(resource: string, etags: readonly string[] = [], published?: { readonly etag: string; readonly body: Buffer }): void {
    const watched = this.composed.delete(resource);
    for (const e of etags) this.parsed.delete(e);
    if (!published) return;
    const doc = this.validated.get(published.body);
    if (!doc) return;
    this.validated.delete(published.body);
    if (watched) this.parsed.set(published.etag, doc);
  }

  /** A refresh gave a publication a new entity tag (RFC 3903 §6) without changing its document. */
  publicationRenamed(previousEtag: string, etag: string): void {
    const doc = this.parsed.get(previousEtag);
    if (!doc) return;
    this.parsed.delete(previousEtag);
    this.parsed.set(etag, doc);
  }

  /** The composed document of a presentity (RFC 3863 body), from its current publications. */
  async document(resource: string): Promise<Buffer> {
    return (await this.composition(resource)).body;
  }

  /** RFC 4660 §5.2, §5.2.2: a SUBSCRIBE's filters, merged with those the subscription holds (488 when they cannot be applied). */
  acceptSubscribeBody(body: SubscribeBody, previous: SubscribeBody | undefined, resource: string): SubscribeBody {
    return { contentType: SIMPLE_FILTER, data: this.filters.accept(body.data, previous?.data, resource) };
  }

  /**
   * The body of a subscription holding an applicable event filter: its authorised view (the composed
   * document, the view its permissions grant, or the polite-block document) as the filter selects it,
   * or the body last sent when no trigger fires. Undefined without a filter.
   */
  private async filtered(record: SubscriptionContext['record'], decision: PolicyDecision | undefined): Promise<Buffer | undefined> {
    const c = await this.composition(record.resource);
    let view = c.doc;
    if (decision) view = decision.subHandling === 'allow' ? presenceView(c.doc, decision.permissions) : politeBlockView(record.resource);
    return this.filters.render(record, view, c.publishers);
  }

  private decide(resource: string, watcher: string): Promise<PolicyDecision | undefined> {
    const { authorizer } = this.opts;
    if (!authorizer) return Promise.resolve(undefined);
    return authorizer.evaluate(resource, watcherOf(watcher), async () => (await this.composition(resource)).doc);
  }

  /** The presentity's document as `permissions` let a watcher see it (RFC 5025 §3.3), one rendering per permission set. */
  private async view(resource: string, permissions: Permissions): Promise<Buffer> {
    const c = await this.composition(resource);
    if (isFull(permissions)) return c.body;
    const key = permissionsKey(permissions);
    let body = c.views.get(key);
    if (!body) {
      body = serializePidf(presenceView(c.doc, permissions));
      c.views.set(key, body);
    }
    return body;
  }

  private composition(resource: string): Promise<Composed> {
    let c = this.composed.get(resource);
    if (!c) {
      c = this.compose(resource);
      this.composed.set(resource, c);
      // A failed composition must not stay cached.
      c.catch(() => this.composed.delete(resource));
    }
    return c;
  }

  private async compose(resource: string): Promise<Composed> {
    const records = await this.opts.publications.list(resource, this.name);
    const inputs = [];
    for (const r of records) {
      const doc = this.parse(r);
      if (doc) inputs.push({ doc, source: r.source, modifiedAt: r.modifiedAt, createdAt: r.createdAt, etag: r.etag, publisher: r.publisher });
    }
    // RFC 4827 §3: the hard state is one more input of the compositor, whose policy decides how it
    // combines with the soft state. Ours: it is the presentity's own word, so it counts as a user source
    // like one more PUA of the presentity (components with distinct ids are all kept; on the same id the
    // most recently set wins, whichever way it was set).
    const hard = await this.opts.hardState?.(resource);
    const hardDoc = hard && parsePidf(hard.body, { maxBytes: Math.max(this.opts.policy.maxDocumentBytes, hard.body.length) });
    // The XCAP server validated it on PUT (RFC 4827 §6); one that no longer parses is left out. A PUT
    // replaces the whole document, so its creation is its last PUT.
    if (hard && hardDoc?.ok) inputs.push({ doc: hardDoc.value, source: 'user' as const, modifiedAt: hard.modifiedAt, createdAt: hard.modifiedAt, etag: `xcap:${hard.etag}`, publisher: resource });
    const doc = compose(resource, inputs, { precedence: this.opts.policy.precedence });
    return { doc, body: serializePidf(doc), views: new LruCache(VIEWS_PER_DOCUMENT), publishers: publishersOf(doc, inputs) };
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

  /** A patched document (RFC 5264 §4.3.2) validated as PIDF, stored as the PIDF serialisation of it. */
  private normalise(doc: Buffer, req: SipRequest): Buffer {
    return serializePidf(this.checked(doc, req));
  }

  /**
   * A PIDF body validated; for a watched presentity (one with a composed document) its document is kept
   * for {@link publicationsChanged} by the body it was parsed from. Nobody composes an unwatched
   * presentity's documents, so keeping them would only cost: each would stay reachable until its store
   * write committed, long enough for the young generation to promote most of them (about 13 KB each)
   * to the old one, which a major collection must then sweep.
   */
  private validate(body: Buffer, req: SipRequest, resource: string): void {
    const doc = this.checked(body, req);
    if (this.composed.has(resource)) this.validated.set(body, doc);
  }

  /** RFC 3903 §6 step 5: the body must be a valid PIDF document in UTF-8 (RFC 3863 §4); its document. */
  private checked(body: Buffer, req: SipRequest): PresenceDocument {
    const charset = req.header(ContentTypeHeader)?.params.get('charset');
    if (charset && !/^"?utf-8"?$/i.test(charset)) {
      throw new SipError(415, `Unsupported charset ${charset}: PIDF must be UTF-8`, [['Accept', PIDF]]);
    }
    const r = parsePidf(body, { maxBytes: this.opts.policy.maxDocumentBytes });
    if (!r.ok) throw new SipError(r.status, r.defect);
    return r.value;
  }
}

/**
 * A presence document that reveals nothing but the pending state (RFC 3856 §6.6: "the state of the
 * presentity SHOULD include some kind of textual note that indicates a pending status").
 */
function buildPendingDocument(entity: string): Buffer {
  return buildPidf({ entity, tupleId: 'pending', basic: 'closed', note: 'Presence authorization pending' });
}
