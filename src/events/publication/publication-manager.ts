import { channel } from 'node:diagnostics_channel';
import type { Channel } from 'node:diagnostics_channel';
import type { MethodHandler } from '../../sip/core/user-agent-core.js';
import { canonicalAor } from '../../sip/core/aor.js';
import type { LocalIdentity } from '../../sip/core/local-identity.js';
import type { SipRequest, SipResponse } from '../../sip/message/message.js';
import { createResponse } from '../../sip/message/response.js';
import { SipError } from '../../sip/message/sip-error.js';
import { formatUri } from '../../sip/message/format.js';
import { ContentTypeHeader } from '../../sip/parser/headers/content-type.js';
import { SipIfMatchHeader } from '../../sip/parser/headers/etag.js';
import { EventHeader } from '../../sip/parser/headers/event.js';
import { ExpiresHeader } from '../../sip/parser/headers/expires.js';
import { FromHeader } from '../../sip/parser/headers/from-to.js';
import { isToken } from '../../sip/parser/scanner.js';
import type { PublicationRecord, PublicationSource, PublicationStore } from '../../store/ports.js';
import { systemClock } from '../../util/clock.js';
import type { Clock } from '../../util/clock.js';
import { randomToken } from '../../util/ids.js';
import { silentLogger } from '../../util/logger.js';
import type { Logger } from '../../util/logger.js';
import type { EventPackage, PublicationPolicy } from '../event-package.js';
import { KeyedQueue } from '../../util/keyed-queue.js';
import { ExpiryQueue } from '../../util/expiry-queue.js';

/** What happened to a publication (RFC 3903 §4 operations, plus expiry). */
export type PublicationChangeKind = 'initial' | 'refresh' | 'modify' | 'remove' | 'expire';

/**
 * One change of the publications of a resource, reported after it is durable.
 * - `initial`: `etag` is the new publication's entity tag.
 * - `refresh`, `modify`: `etag` is the new entity tag, `previousEtag` the one it replaced (now invalid).
 * - `remove`, `expire`: `etag` is the entity tag of the publication that is gone.
 */
export interface PublicationChange {
  /** The presentity's canonical AOR. */
  readonly resource: string;
  /** The event package, e.g. `presence`. */
  readonly event: string;
  readonly kind: PublicationChangeKind;
  readonly etag: string;
  readonly previousEtag?: string;
  /** `initial`, `modify`: the document now stored under `etag` (the Buffer the package validated or produced). */
  readonly body?: Buffer;
}

/** Options of {@link PublicationManager}. */
export interface PublicationManagerOptions {
  /** Where publications are kept; a PUBLISH is answered 200 only once its write resolved. */
  store: PublicationStore;
  /** This server's domains and addresses, to compute canonical AORs. */
  identity: LocalIdentity;
  /**
   * This node's id, the first part of every entity tag (`<nodeId>.<random>`, DESIGN.md §4) so tags stay
   * unique across the nodes of a cluster. Must be an RFC 3261 token.
   */
  nodeId: string;
  /** The package named by an Event value, or undefined. Only packages with `publication` take PUBLISH. */
  packageFor: (event: string) => EventPackage | undefined;
  /** Every registered package (for Allow-Events in a 489 and for the accepted body types). */
  packages: () => Iterable<EventPackage>;
  /** What kind of agent sent a PUBLISH (TS 23.141 §5.1); default `user`. */
  sourceOf?: (req: SipRequest) => PublicationSource;
  /** The publisher's identity stored with a new publication; default the canonical AOR of the From URI. */
  publisherOf?: (req: SipRequest) => string;
  /**
   * RFC 3903 §6 step 2 / TS 23.141 A.2.3.4 step 4: may this publisher change the resource's state? Throw
   * SipError (403) to refuse; runs before any other check of the PUBLISH changes state. Default: anyone.
   */
  authorizePublisher?: (req: SipRequest, resource: string, publisher: string) => void;
  /**
   * Most PUBLISHes (being applied and waiting) one resource may hold; one more is answered 503 with
   * Retry-After (RFC 3903 §9). Default 64.
   */
  maxPendingPerResource?: number;
  /** Retry-After of that 503, in seconds. Default 1. */
  retryAfterSeconds?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Counts of {@link PublicationManager.recover}. */
export interface RecoveryResult {
  /** Publications still valid, whose expiry is now scheduled. */
  readonly active: number;
  /** Publications that had expired meanwhile, now removed (each reported as `expire`). */
  readonly expired: number;
}

/** Delay before trying again to remove an expired publication whose removal failed, in ms. */
const EXPIRY_RETRY_MS = 5_000;

const CHANNELS: Record<PublicationChangeKind, Channel> = {
  initial: channel('presence:publication:initial'),
  refresh: channel('presence:publication:refresh'),
  modify: channel('presence:publication:modify'),
  remove: channel('presence:publication:remove'),
  expire: channel('presence:publication:expire'),
};

/**
 * The Event State Compositor side of RFC 3903 (§6): processes PUBLISH for every event package with a
 * publication policy, keeps the publications in a {@link PublicationStore} keyed by (resource, event,
 * entity tag) — never by Call-ID, which clients such as baresip and Twinkle change on every PUBLISH —
 * and expires them through the {@link Clock}. PUBLISHes for one resource are applied one at a time in
 * arrival order. Every change is reported to {@link onChange} and on the diagnostics channel
 * `presence:publication:<kind>`.
 *
 * Register {@link publishHandler} with the UAS core; call {@link recover} once after start and
 * {@link close} on shutdown.
 */
export class PublicationManager {
  /**
   * Called after each change is durable, in the order of the changes. Exceptions are logged and never
   * affect the PUBLISH that caused the change.
   */
  onChange: (change: PublicationChange) => void = () => {};

  /** The PUBLISH method handler; its `accept` is the union of the packages' publication types. */
  readonly publishHandler: MethodHandler;

  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly queue: KeyedQueue;
  /** The latest modifiedAt given out (ms), so that it only ever increases. */
  private lastModifiedAt = 0;
  private readonly retryAfter: number;
  /** When each publication expires, by entity tag (the resource as value). */
  private readonly expiries: ExpiryQueue<string>;
  private closed = false;

  /** @throws RangeError when nodeId is not a token or a limit is not a positive integer. */
  constructor(private readonly opts: PublicationManagerOptions) {
    if (!isToken(opts.nodeId)) throw new RangeError('nodeId must be an RFC 3261 token');
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.queue = new KeyedQueue(opts.maxPendingPerResource ?? 64);
    this.retryAfter = opts.retryAfterSeconds ?? 1;
    this.expiries = new ExpiryQueue(this.clock, (etag, resource) => {
      this.queue.run(resource, () => this.expire(etag)).catch((err: unknown) => {
        this.log.error({ err, etag }, 'could not remove an expired publication; trying again');
        this.schedule(etag, resource, this.clock.now() + EXPIRY_RETRY_MS);
      });
    });
    if (!Number.isInteger(this.retryAfter) || this.retryAfter < 1) throw new RangeError('retryAfterSeconds must be a positive integer');
    const publishable = (): EventPackage[] => [...opts.packages()].filter((p) => p.publication !== undefined);
    // The UAS core reads `accept` for every request: the union is kept while the packages' type lists stay
    // the same (packages may register after this manager is built, so it is not fixed here).
    let sources: ReadonlyArray<readonly string[]> = [];
    let accept: readonly string[] = [];
    this.publishHandler = {
      method: 'PUBLISH',
      get accept() {
        let i = 0;
        let same = true;
        for (const p of opts.packages()) {
          if (!p.publication) continue;
          if (sources[i++] !== p.publication.types) {
            same = false;
            break;
          }
        }
        if (same && i === sources.length) return accept;
        sources = publishable().map((p) => p.publication!.types);
        accept = [...new Set(sources.flat())];
        return accept;
      },
      handle: (req) => this.publish(req, publishable),
    };
  }

  /**
   * The unexpired publications of a resource for an event, in creation order: what a package composes
   * its document from.
   */
  async list(resource: string, event: string): Promise<PublicationRecord[]> {
    const now = this.clock.now();
    return (await this.opts.store.listByResource(resource, event)).filter((p) => p.expiresAt > now);
  }

  /**
   * After a restart: schedules the expiry of every stored publication and removes those already expired
   * (reporting each as `expire`). Resolves once those removals are done.
   */
  async recover(): Promise<RecoveryResult> {
    const now = this.clock.now();
    let active = 0;
    const removals: Array<Promise<void>> = [];
    for (const p of await this.opts.store.listAll()) {
      if (p.expiresAt > now) {
        active++;
        this.schedule(p.etag, p.resource, p.expiresAt);
      } else {
        removals.push(this.queue.run(p.resource, () => this.expire(p.etag)));
      }
    }
    await Promise.all(removals);
    return { active, expired: removals.length };
  }

  /** Stops every expiry timer and waits for the PUBLISHes and expiries in progress. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    this.expiries.clear();
    await this.queue.drain();
  }

  /** RFC 3903 §6 steps 1 and 2, then the rest in the resource's queue. */
  private publish(req: SipRequest, publishable: () => EventPackage[]): Promise<SipResponse> {
    // RFC 3903 §6 step 1: a Request-URI naming no resource we keep state for MUST get 404.
    const ruri = req.requestUri;
    const resource = ruri.ok ? canonicalAor(ruri.value, this.opts.identity) : undefined;
    if (resource === undefined) throw new SipError(404, 'Not Found: the Request-URI names no presentity');
    // RFC 3903 §6 step 2: Event missing or of a package without publication support MUST get 489.
    const ev = req.header(EventHeader);
    const event = ev ? (ev.templates.length ? [ev.package, ...ev.templates].join('.') : ev.package) : undefined;
    const pkg = event === undefined ? undefined : this.opts.packageFor(event);
    if (event === undefined || !pkg?.publication) {
      const allow = publishable().map((p) => p.name).join(', ');
      throw new SipError(489, ev ? `Bad Event: ${event} cannot be published here` : 'Bad Event: missing Event header', [
        ['Allow-Events', allow],
      ]);
    }
    const policy = pkg.publication;
    // RFC 3903 §6: PUBLISH requests with the same Request-URI MUST be processed in the order received.
    const op = this.queue.tryRun(resource, () => this.apply(req, resource, event, policy));
    if (op) return op;
    // RFC 3903 §9: push back with 503 and Retry-After.
    throw new SipError(503, 'Service Unavailable: too many PUBLISH requests pending for this resource', [
      ['Retry-After', String(this.retryAfter)],
    ]);
  }

  /**
   * RFC 3903 §6 steps 3-6 for one PUBLISH, run alone for its resource. Every check comes before any
   * change (RFC 3903 §6: processed atomically), so a rejected PUBLISH changes nothing.
   */
  private async apply(req: SipRequest, resource: string, event: string, policy: PublicationPolicy): Promise<SipResponse> {
    const { store } = this.opts;
    const publisher = this.opts.publisherOf?.(req) ?? this.publisherFrom(req);
    this.opts.authorizePublisher?.(req, resource, publisher);
    // Step 3. Several SIP-If-Match values are rejected with 400 by the grammar (RFC 3903 §6 step 3).
    const ifMatch = req.header(SipIfMatchHeader);
    let old: PublicationRecord | undefined;
    if (ifMatch !== undefined) {
      old = await store.get(ifMatch);
      // RFC 3903 §6 step 3: no match among this resource's tags for this event MUST get 412.
      if (!old || old.resource !== resource || old.event !== event || old.expiresAt <= this.clock.now()) {
        throw new SipError(412, 'Conditional Request Failed: unknown or expired entity tag');
      }
    }
    // Step 4: the requested expiration is the Expires value, else the local default (RFC 3903 §6 step 4).
    const requested = req.header(ExpiresHeader) ?? policy.expires.default;
    if (requested > 0 && requested < policy.expires.min) {
      // RFC 3903 §6 step 4: a 423 MUST carry Min-Expires.
      throw new SipError(423, 'Interval Too Brief', [['Min-Expires', String(policy.expires.min)]]);
    }
    const granted = Math.min(requested, policy.expires.max);
    // Step 5: the body must be of a type the package takes (RFC 3903 §6 step 5), small enough and valid.
    let contentType: string | undefined;
    let body = req.body;
    if (req.body.length) {
      const ct = req.required(ContentTypeHeader);
      contentType = `${ct.type}/${ct.subtype}`;
      if (!policy.types.includes(contentType)) {
        throw new SipError(415, `Unsupported Media Type: ${contentType} for ${event}`, [['Accept', policy.types.join(', ')]]);
      }
      if (req.body.length > policy.maxBodyBytes) {
        throw new SipError(413, `Request Entity Too Large: more than ${policy.maxBodyBytes} bytes`);
      }
      policy.validate(req.body, contentType, req, resource);
      // The package may turn the body into the stored document (e.g. RFC 5264 §4.3: a patch applied).
      if (policy.apply) ({ body, contentType } = policy.apply(old && { contentType: old.contentType, body: old.body }, req.body, contentType, req));
    } else if (!old) {
      // RFC 3903 §6 step 5: no body and no entity tag SHOULD be rejected with 400.
      throw new SipError(400, 'Bad Request: an initial PUBLISH needs a body (RFC 3903 §4.2)');
    }

    // RFC 3903 §6 step 6: a new entity tag for each successful publication.
    const etag = this.newEtag();
    const now = this.clock.now();
    // Composition breaks ties by modification time: keep it strictly increasing so that of two PUBLISHes
    // in the same millisecond the later one is newer (RFC 3903 §6: processed in the order received).
    const modifiedAt = Math.max(now, this.lastModifiedAt + 1);
    if (granted === 0) {
      // RFC 3903 §6 step 5: expiration 0 MUST remove the state at once and MUST NOT store any.
      if (old) {
        await store.remove(old.etag);
        this.cancel(old.etag);
        this.emit({ resource, event, kind: 'remove', etag: old.etag });
      }
      return this.ok(req, etag, 0);
    }
    const expiresAt = now + granted * 1000;
    let record: PublicationRecord;
    if (old) {
      record = contentType ? { ...old, etag, expiresAt, contentType, body, modifiedAt } : { ...old, etag, expiresAt };
    } else {
      record = {
        etag, resource, event, expiresAt, contentType: contentType!, body,
        source: this.opts.sourceOf?.(req) ?? 'user',
        publisher,
        createdAt: now, modifiedAt,
      };
    }
    if (record.modifiedAt === modifiedAt) this.lastModifiedAt = modifiedAt;
    // RFC 3903 §6 step 5: the 200 is sent only once the state is stored (durable when put resolves).
    await store.put(record, old?.etag);
    if (old) this.cancel(old.etag);
    this.schedule(etag, resource, expiresAt);
    const kind: PublicationChangeKind = !old ? 'initial' : contentType ? 'modify' : 'refresh';
    this.emit({ resource, event, kind, etag, ...(old ? { previousEtag: old.etag } : {}), ...(kind !== 'refresh' ? { body: record.body } : {}) });
    return this.ok(req, etag, granted);
  }

  /** RFC 3903 §6 step 6: 200 with the granted Expires and the new SIP-ETag (both MUST). */
  private ok(req: SipRequest, etag: string, expires: number): SipResponse {
    const res = createResponse(req, 200);
    res.headers.append('SIP-ETag', etag);
    res.headers.append('Expires', String(expires));
    return res;
  }

  private publisherFrom(req: SipRequest): string {
    const uri = req.required(FromHeader).uri;
    return canonicalAor(uri, this.opts.identity) ?? formatUri(uri);
  }

  /**
   * `<nodeId>.<20 random token characters>` (about 119 random bits): unique among the tags of a resource
   * and never reused for it (RFC 3903 §6 step 6), across nodes and restarts.
   */
  private newEtag(): string {
    return `${this.opts.nodeId}.${randomToken(20)}`;
  }

  /**
   * Sets when a publication expires, `at` (ms since the epoch), replacing the time it had. Only the entity
   * tag and the resource are kept, not the record (its document stays in the store).
   */
  private schedule(etag: string, resource: string, at: number): void {
    if (!this.closed) this.expiries.set(etag, resource, at);
  }

  private cancel(etag: string): void {
    this.expiries.delete(etag);
  }

  /** Removes a publication whose time is up (re-arming when it is not yet due, e.g. after a long timer). */
  private async expire(etag: string): Promise<void> {
    const p = await this.opts.store.get(etag);
    if (!p) return;
    if (p.expiresAt > this.clock.now()) {
      this.schedule(p.etag, p.resource, p.expiresAt);
      return;
    }
    await this.opts.store.remove(etag);
    this.cancel(etag);
    this.emit({ resource: p.resource, event: p.event, kind: 'expire', etag });
  }

  private emit(change: PublicationChange): void {
    const ch = CHANNELS[change.kind];
    if (ch.hasSubscribers) ch.publish(change);
    try {
      this.onChange(change);
    } catch (err) {
      this.log.error({ err, change }, 'publication change listener failed');
    }
  }
}
