import { canonicalAor } from '../../sip/core/aor.js';
import { KeyedQueue } from '../../util/keyed-queue.js';
import type { LocalIdentity } from '../../sip/core/local-identity.js';
import type { MethodHandler, UasContext } from '../../sip/core/user-agent-core.js';
import { refreshedTarget, uasDialogFromRequest } from '../../sip/dialog/dialog-state.js';
import { formatUri } from '../../sip/message/format.js';
import type { SipRequest, SipResponse } from '../../sip/message/message.js';
import { createResponse } from '../../sip/message/response.js';
import { SipError } from '../../sip/message/sip-error.js';
import { CallIdHeader } from '../../sip/parser/headers/call-id.js';
import { CSeqHeader } from '../../sip/parser/headers/cseq.js';
import { EventHeader } from '../../sip/parser/headers/event.js';
import { FromHeader, ToHeader } from '../../sip/parser/headers/from-to.js';
import { parseUri } from '../../sip/parser/uri.js';
import type { SubscriptionRecord, SubscriptionStore } from '../../store/ports.js';
import type { NotifierOptions } from './notifier-options.js';
import { systemClock } from '../../util/clock.js';
import type { Clock } from '../../util/clock.js';
import { newTag } from '../../util/ids.js';
import { silentLogger } from '../../util/logger.js';
import type { Logger } from '../../util/logger.js';
import type { EventPackage } from '../event-package.js';
import type { PackageRegistry } from '../package-registry.js';
import {
  notifyCompleted, publishSubscription, publishTermination, subscriptionCreated, subscriptionRefreshed,
} from './diagnostics.js';
import { localTargetFor, withLocalTarget } from './local-target.js';
import { grantExpires, negotiateAccept, subscribeBody, subscribeOk } from './negotiation.js';
import { NotifyEncoding } from './notify-encoding.js';
import { NotifyHashes, RENDER_FAILED, renderBody } from './notify-job.js';
import type { Job, Retired } from './notify-job.js';
import { DEFAULT_MAX_IN_FLIGHT, NotifyQueue } from './notify-queue.js';
import { NotifySender } from './notify-sender.js';
import type { LifecycleObserver, SubscriptionLifecycle } from './lifecycle.js';
import { ExpiryQueue } from '../../util/expiry-queue.js';
import { NotifyThrottle } from './notify-throttle.js';
import { PresentityGate } from './presentity-gate.js';
import { NO_RATE_POLICY, withAgreedRates } from './rate-control.js';
import { PendingTimers } from './pending-timers.js';
import { LiveSubscriptions, countKey } from './live-subscriptions.js';
import type { CurrentRecords, Live } from './live-subscriptions.js';
import { takeOver } from './recovery.js';
import type { NotifierRecovery } from './recovery.js';
import { ResponseRates } from './response-rates.js';
import { FIRST_NOTIFY_CSEQ, newSubscriptionRecord } from './subscription-record.js';
import { RecordParts, detached, detachedBytes } from './record-parts.js';

export type { NotifierOptions } from './notifier-options.js';
export type { NotifierRecovery } from './recovery.js';

/**
 * The RFC 6665 notifier (§4.2, §4.4), independent of any event package: accepts, refreshes and ends
 * subscriptions, keeps them in the {@link SubscriptionStore} with their dialogs (RFC 3261 §12), and sends
 * the NOTIFYs, in order per subscription, through the transaction layer, at most
 * `limits.maxNotifiesInFlight` at once.
 *
 * Wiring: register {@link subscribeHandler} with the UAS core and call {@link recover} once; call
 * {@link notifyResource} when a resource's state changes and {@link reauthorize} when its authorisation
 * rules change; {@link close} on shutdown.
 *
 * The store is written before anything is answered or sent, and read only by {@link recover}: the
 * notifier holds each running subscription's record in memory as last stored. A subscription's id is its
 * local tag (the To tag of our 2xx), so an in-dialog SUBSCRIBE finds it in one lookup; its Call-ID and
 * remote tag must match too. Every operation on one subscription runs after the previous one finished
 * (one chain per id); operations on different subscriptions run concurrently.
 */
export class Notifier {
  /** The SUBSCRIBE method handler (RFC 6665 §4.2.1); its `accept` lists every package's SUBSCRIBE body types. */
  readonly subscribeHandler: MethodHandler;

  private readonly store: SubscriptionStore;
  private readonly registry: PackageRegistry;
  private readonly identity: LocalIdentity;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly watcherOf: (req: SipRequest) => string;
  private readonly maxPerResource: number;
  private readonly retryAfter: number;
  private readonly onLifecycle: LifecycleObserver | undefined;
  private readonly sender: NotifySender;
  private readonly queue: NotifyQueue<Job>;
  private readonly encoding: NotifyEncoding;
  private readonly live = new LiveSubscriptions();
  /** What the records of many subscriptions have in common, kept once. */
  private readonly parts = new RecordParts();
  private readonly hashes = new NotifyHashes();
  private readonly pending: PendingTimers;
  private readonly expiry: ExpiryQueue<undefined>;
  private readonly throttle: NotifyThrottle<Job>;
  private readonly gate: PresentityGate;
  private readonly responseRates: ResponseRates<Job>;
  private readonly chain = new KeyedQueue();
  /** New subscriptions whose first NOTIFY is still to take {@link FIRST_NOTIFY_CSEQ}, stored with them. */
  private readonly firstCSeqDue = new Set<string>();
  private closed = false;
  /** Settles once {@link recover} has read the stored subscriptions. */
  private loading: Promise<void> = Promise.resolve();

  constructor(opts: NotifierOptions) {
    this.store = opts.store;
    this.registry = opts.registry;
    this.identity = opts.identity;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.watcherOf = opts.watcherOf ?? ((req) => {
      const from = req.required(FromHeader);
      return canonicalAor(from.uri, this.identity) ?? formatUri(from.uri);
    });
    this.maxPerResource = opts.limits?.maxSubscriptionsPerResource ?? 10_000;
    this.retryAfter = opts.limits?.retryAfterSeconds ?? 300;
    this.onLifecycle = opts.onLifecycle;
    this.sender = new NotifySender(opts.transactions, opts.resolve);
    // RFC 6446 §6.2, §7.2: min-rate and adaptive-min-rate re-send the current state when nothing went out.
    this.throttle = new NotifyThrottle<Job>(this.clock, opts.rateControl ?? NO_RATE_POLICY, (id) => this.firstNotify(id));
    this.gate = new PresentityGate(this.clock, this.throttle.policy.minIntervalPerPresentityMs, (err) => this.log.error({ err }, 'notifying watchers failed'));
    this.queue = new NotifyQueue<Job>((id, job) => this.deliver(id, job), this.throttle, opts.limits?.maxNotifiesInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    const records: CurrentRecords = {
      current: (id) => {
        const live = this.live.get(id);
        return live && !live.ended ? live.record : undefined;
      },
      save: (record) => this.save(record),
    };
    this.responseRates = new ResponseRates(records, this.chain, this.queue, this.throttle.policy, this.clock, this.log);
    this.expiry = new ExpiryQueue<undefined>(this.clock, (id) => this.expire(id));
    this.encoding = new NotifyEncoding(this.registry, records, this.chain, this.log);
    this.pending = new PendingTimers(this.clock, opts.pendingTimeoutMs ?? 0, (id) => this.giveUp(id));
    const registry = this.registry;
    this.subscribeHandler = {
      method: 'SUBSCRIBE',
      get accept(): readonly string[] {
        return [...new Set(registry.all().flatMap((p) => p.subscribeBodyTypes.map((t) => t.toLowerCase())))];
      },
      handle: (req, ctx) => this.subscribe(req, ctx),
    };
  }

  /** Subscriptions this notifier is running now (stored and not ended). */
  get size(): number {
    return this.live.running;
  }

  /**
   * After a restart: takes over every stored subscription. Expired ones (and those of a package no
   * longer registered) are ended with NOTIFY terminated (reason timeout, resp. noresource) and removed;
   * the others get their expiry timers back. NOTIFY CSeqs continue from the stored ones (RFC 3261
   * §12.2.1.1). Call it once, when the transport can send (the final NOTIFYs go out at once); SUBSCRIBEs
   * received while the stored subscriptions are being read wait for that.
   */
  async recover(): Promise<NotifierRecovery> {
    const loading = this.load();
    // SUBSCRIBEs arriving meanwhile wait until the stored subscriptions are known (else a refresh would get 481).
    this.loading = loading.then(() => undefined, () => undefined);
    const { active, ending } = await loading;
    await Promise.all(ending.map(([id, reason]) => this.terminate(id, reason).catch((err: unknown) => {
      this.log.error({ err, id }, 'could not end a recovered subscription');
    })));
    return { active, ended: ending.length };
  }

  /** Takes over the stored subscriptions; returns how many run on and which to end, with the reason. */
  private async load(): Promise<{ active: number; ending: Array<[string, string]> }> {
    const records = await this.store.listAll();
    if (this.closed) return { active: 0, ending: [] };
    return takeOver(records, this.clock.now(), this.live, this.registry, (r) => {
      this.expiry.set(r.id, undefined, r.expiresAt);
      this.pending.track(r.id, r.createdAt, r.state);
    });
  }

  /**
   * Sends a NOTIFY to every subscription of `resource` to `event` whose rendered state (body and
   * subscription state) differs from the last one queued for it (RFC 6665 §4.2.2: on a change of state).
   * Resolves once they are queued, not delivered. Failures of one subscription are logged.
   */
  async notifyResource(resource: string, event: string): Promise<void> {
    await this.gate.run(countKey(resource, event), () => this.eachOf(resource, event, (live) => this.queueState(live.record, live, false)));
  }

  /**
   * Asks the package again whether each subscription of `resource` to `event` is allowed (RFC 6665
   * §4.2.1.3), e.g. after its rules changed: `rejected` ends it with NOTIFY terminated;reason=rejected;
   * `active` / `pending` set that state (a change is notified); `polite-block` keeps it active, and the
   * package renders its neutral document. A decision that changes nothing sends nothing unless the
   * rendered body changed.
   */
  async reauthorize(resource: string, event: string): Promise<void> {
    const pkg = this.registry.get(event);
    if (!pkg) return;
    await this.eachOf(resource, event, async (live) => {
      let rec = live.record;
      const { id } = rec;
      const decision = await pkg.authorize({ record: rec });
      if (decision === 'rejected') {
        const retired = await this.retire(id, 'rejected');
        if (retired) await this.sendFinal(retired, { reason: 'rejected', withBody: false });
        return;
      }
      const state = decision === 'pending' ? 'pending' : 'active';
      const changed = state !== rec.state;
      if (changed) {
        rec = { ...rec, state };
        await this.save(rec);
        this.observe({ kind: 'state', record: rec });
      }
      this.pending.track(id, rec.createdAt, state);
      await this.queueState(rec, live, changed);
    });
  }

  /**
   * Ends one subscription (RFC 6665 §4.2.2, §4.4.2): NOTIFY terminated with `reason` (e.g. `deactivated`,
   * `noresource`, `rejected`, `timeout`) and `retryAfter` seconds if given, then it is gone. Resolves to
   * false when there is no such running subscription.
   */
  async terminate(id: string, reason: string, retryAfter?: number): Promise<boolean> {
    return this.chain.run(id, async () => {
      const retired = await this.retire(id, reason);
      if (!retired) return false;
      await this.sendFinal(retired, { reason, withBody: false, ...(retryAfter !== undefined ? { retryAfter } : {}) });
      return true;
    });
  }

  /** {@link terminate} for every subscription of `resource` to `event`, e.g. with `noresource` when it is deleted. */
  async terminateResource(resource: string, event: string, reason: string, retryAfter?: number): Promise<void> {
    await Promise.all(this.live.idsOf(resource, event).map((id) => this.terminate(id, reason, retryAfter)));
  }

  /**
   * Stops: clears every timer and drops queued NOTIFYs (none is sent, subscriptions stay stored for
   * {@link recover}). Later SUBSCRIBEs get 503.
   */
  close(): void {
    this.closed = true;
    this.expiry.clear();
    this.gate.close();
    this.pending.clear();
    this.live.clear();
    this.firstCSeqDue.clear();
    this.queue.close();
  }

  // ---- SUBSCRIBE (RFC 6665 §4.2.1) ----

  private async subscribe(req: SipRequest, ctx: UasContext): Promise<SipResponse> {
    await this.loading;
    if (this.closed) throw new SipError(503, 'Service Unavailable');
    const event = req.header(EventHeader);
    // RFC 6665 §4.2.1.1: an event package not understood gets 489; §4.2.3: so does a missing Event.
    const pkg = this.registry.forEvent(event);
    const eventId = event?.params.get('id') ?? undefined;
    const toTag = req.required(ToHeader).params.get('tag');
    if (toTag) return this.chain.run(toTag, () => this.inDialog(req, ctx, pkg, eventId, toTag));
    return this.initial(req, ctx, pkg, eventId);
  }

  private async initial(req: SipRequest, ctx: UasContext, pkg: EventPackage, eventId: string | undefined): Promise<SipResponse> {
    const ruri = parseUri(req.uri);
    const resource = ruri.ok ? canonicalAor(ruri.value, this.identity) : undefined;
    if (resource === undefined) throw new SipError(404, 'Not Found: no resource in the Request-URI');
    const accept = negotiateAccept(req, pkg);
    const body = subscribeBody(req, pkg, resource);
    const granted = grantExpires(req, pkg.expires);
    // RFC 3261 §12.1.1: the dialog state; our tag is fresh and is also the subscription id.
    const dialog = uasDialogFromRequest(req, newTag(), ctx.flow.transport);
    const localTarget = localTargetFor(ctx.flow, req);
    // RFC 6665 §4.2.1.1: the subscription stores the event package name (§4.5.2: and the id parameter).
    const record = newSubscriptionRecord(dialog, {
      resource, event: pkg.name, eventId, watcher: this.watcherOf(req),
      watcherDisplayName: req.required(FromHeader).displayName, accept, body, expires: granted, localTarget,
      flow: ctx.flow, now: this.clock.now(),
    }, this.parts);
    record.extra = this.parts.extra(withAgreedRates(record.extra, req.header(EventHeader), granted, this.throttle.policy));
    if (granted === 0) return this.fetch(req, ctx, pkg, record, localTarget);

    if (this.live.countOf(resource, pkg.name) >= this.maxPerResource) {
      throw new SipError(480, 'Temporarily Unavailable: too many subscriptions to this resource', [['Retry-After', String(this.retryAfter)]]);
    }
    this.live.adjust(resource, pkg.name, 1);
    try {
      record.state = await this.decide(pkg, record, req);
      if (this.closed) throw new SipError(503, 'Service Unavailable');
      // The 2xx goes out only once the subscription is durable (store ports contract). It is stored with
      // the CSeq of its first NOTIFY taken, so that NOTIFY needs no write of its own (RFC 3261 §12.2.1.1:
      // the local sequence number only grows, across restarts too).
      await this.store.put({ ...record, localCSeq: FIRST_NOTIFY_CSEQ });
    } catch (err) {
      this.live.adjust(resource, pkg.name, -1);
      throw err;
    }
    this.live.add(record);
    this.firstCSeqDue.add(record.id);
    this.expiry.set(record.id, undefined, record.expiresAt);
    this.pending.track(record.id, record.createdAt, record.state);
    // The first NOTIFY waits for the 2xx (RFC 6665 §4.2.1.2: sent immediately after it).
    this.queue.hold(record.id);
    publishSubscription(subscriptionCreated, record, granted);
    this.observe({ kind: 'created', record });
    ctx.after(() => this.firstNotify(record.id));
    return subscribeOk(req, granted, localTarget, record.localTag);
  }

  /** RFC 6665 §4.4.3: an initial SUBSCRIBE with Expires 0 is a fetch: one final NOTIFY with the state, nothing stored. */
  private async fetch(req: SipRequest, ctx: UasContext, pkg: EventPackage, record: SubscriptionRecord, localTarget: string): Promise<SipResponse> {
    record.state = await this.decide(pkg, record, req);
    this.observe({ kind: 'fetched', record });
    // RFC 6665 §4.4.3: the NOTIFY of a fetch says terminated;reason=timeout. Its CSeq is the dialog's first.
    const retired: Retired = { record, cseq: FIRST_NOTIFY_CSEQ };
    ctx.after(() => this.detach(this.sendFinal(retired, { reason: 'timeout', withBody: true }), record.id));
    return subscribeOk(req, 0, localTarget, record.localTag);
  }

  private async inDialog(req: SipRequest, ctx: UasContext, pkg: EventPackage, eventId: string | undefined, id: string): Promise<SipResponse> {
    const live = this.live.get(id);
    const record = live && !live.ended ? live.record : undefined;
    const fromTag = req.required(FromHeader).params.get('tag') ?? '';
    // RFC 3261 §12.2.2: a request whose dialog id matches no dialog gets 481.
    if (!live || !record || record.callId !== req.required(CallIdHeader) || record.remoteTag !== fromTag) {
      throw new SipError(481, 'Subscription Does Not Exist');
    }
    // RFC 6665 §4.5.2: a new subscription in an existing dialog may be refused with 403 saying why.
    if (record.event !== pkg.name || record.eventId !== eventId) {
      throw new SipError(403, 'Forbidden: dialog sharing is not supported');
    }
    const cseq = req.required(CSeqHeader).seq;
    // RFC 3261 §12.2.2: a CSeq below the remote sequence number MUST get 500 (an equal one is no new request).
    if (cseq <= record.remoteCSeq) throw new SipError(500, 'Server Internal Error: CSeq out of order');
    const accept = negotiateAccept(req, pkg);
    const body = subscribeBody(req, pkg, record.resource, record.body);
    const granted = grantExpires(req, pkg.expires);
    const localTarget = localTargetFor(ctx.flow, req);
    // RFC 3261 §12.2.2: a target refresh request replaces the remote target with its Contact URI.
    const target = refreshedTarget(req);
    const now = this.clock.now();
    const updated: SubscriptionRecord = {
      ...record,
      remoteCSeq: cseq,
      remoteTarget: target !== undefined ? detached(target) : record.remoteTarget,
      flow: this.parts.flow(ctx.flow),
      accept: this.parts.accept(accept),
      expiresAt: now + granted * 1000,
      extra: this.parts.extra(withAgreedRates(withLocalTarget(record.extra, localTarget), req.header(EventHeader), granted, this.throttle.policy)),
    };
    // RFC 4660 §5.2.2: a refresh without a body keeps the filter it had.
    if (body) updated.body = { contentType: detached(body.contentType), data: detachedBytes(body.data) };

    if (granted === 0) {
      // RFC 6665 §4.2.1.4: Expires 0 unsubscribes: a final NOTIFY terminated;reason=timeout, which may
      // carry the state (§4.4.3: and does, for polling), then the subscription is gone.
      const retired = await this.retire(id, 'timeout', updated);
      if (retired) ctx.after(() => this.detach(this.sendFinal(retired, { reason: 'timeout', withBody: true }), id));
      return subscribeOk(req, 0, localTarget);
    }
    const decision = await pkg.authorize({ record: updated, request: req });
    if (decision === 'rejected') {
      // RFC 6665 §4.2.1.3: refused (403), and the subscription ends with reason=rejected.
      const retired = await this.retire(id, 'rejected', updated);
      if (retired) ctx.after(() => this.detach(this.sendFinal(retired, { reason: 'rejected', withBody: false }), id));
      return createResponse(req, 403, 'Forbidden');
    }
    updated.state = decision === 'pending' ? 'pending' : 'active';
    await this.save(updated);
    this.expiry.set(id, undefined, updated.expiresAt);
    this.pending.track(id, updated.createdAt, updated.state);
    publishSubscription(subscriptionRefreshed, updated, granted);
    this.observe({ kind: 'refreshed', record: updated });
    // RFC 6665 §4.2.1.2: a NOTIFY follows every accepted refresh too.
    ctx.after(() => this.detach(this.chain.run(id, () => this.queueState(updated, live, true)), id));
    return subscribeOk(req, granted, localTarget);
  }

  /** The package's decision as a subscription state; RFC 6665 §4.2.1.3: a refusal gets 403. */
  private async decide(pkg: EventPackage, record: SubscriptionRecord, req: SipRequest): Promise<'active' | 'pending'> {
    const decision = await pkg.authorize({ record, request: req });
    if (decision === 'rejected') {
      this.observe({ kind: 'refused', record });
      throw new SipError(403, 'Forbidden');
    }
    return decision === 'pending' ? 'pending' : 'active';
  }

  // ---- NOTIFY (RFC 6665 §4.2.2) ----

  /** Queues a NOTIFY of the current state (always sent: a new subscription's first, a min-rate one) and lets its queue go. */
  private firstNotify(id: string): void {
    this.detach(this.chain.run(id, async () => {
      try {
        const live = this.live.get(id);
        if (live && !live.ended) await this.queueState(live.record, live, true);
      } finally {
        this.queue.release(id);
      }
    }), id);
  }

  /** Renders the current state of `rec` and queues it unless it equals the last one queued (`force`: always). */
  private async queueState(rec: SubscriptionRecord, live: Live, force: boolean): Promise<void> {
    if (live.ended) return;
    const pkg = this.registry.get(rec.event);
    if (!pkg) return;
    const rendered = await renderBody(pkg, rec, this.log);
    // A package that cannot render skips a change; a NOTIFY that MUST go out goes without a body.
    if (rendered === RENDER_FAILED && !force) return;
    const state = rec.state === 'pending' ? 'pending' : 'active';
    // One object per NOTIFY, built whole (a fan-out makes one for each watcher).
    const job: Job = rendered !== RENDER_FAILED && rendered
      ? { state, body: rendered, final: false, urgent: force, record: rec }
      : { state, final: false, urgent: force, record: rec };
    const hash = this.hashes.of(job);
    if (!force && hash === live.lastHash) return;
    live.lastHash = hash;
    if (force) this.encoding.requireFull(rec.id);
    this.queue.push(rec.id, job);
  }

  /** Queues the final NOTIFY (Subscription-State terminated) of a retired subscription. */
  private async sendFinal(retired: Retired, opts: { reason: string; withBody: boolean; retryAfter?: number }): Promise<void> {
    const { record, cseq } = retired;
    const pkg = this.registry.get(record.event);
    const rendered = opts.withBody && pkg ? await renderBody(pkg, record, this.log) : undefined;
    const body = rendered === RENDER_FAILED ? undefined : rendered;
    const job: Job = {
      final: true,
      record,
      cseq,
      state: 'terminated',
      reason: opts.reason,
      ...(opts.retryAfter !== undefined ? { retryAfter: opts.retryAfter } : {}),
      ...(body ? { body } : {}),
    };
    if (!this.queue.push(record.id, job)) this.forgetIfEnded(record.id);
    // A final NOTIFY goes out even if the 2xx that would have released the queue was never sent.
    this.queue.release(record.id);
  }

  /** Sends one queued NOTIFY; resolves when its transaction has ended (the queue then sends the next). */
  private async deliver(id: string, job: Job): Promise<void> {
    try {
      // RFC 3261 §12.2.1.1: each NOTIFY takes the next local CSeq; the store keeps it across restarts.
      const handedAt = this.clock.now();
      const cseq = job.cseq ?? (await this.nextCSeq(id));
      if (cseq === undefined || this.closed) return;
      const encoded = this.encoding.encode(job.record, job, job.final);
      const outcome = await this.sender.send(job.record, cseq, encoded.content, this.clock.now());
      encoded.settled(outcome.kind === 'delivered');
      if (this.closed) return;
      // RFC 6446 §5.2: rates changed in the 2xx apply from the next NOTIFY on (awaited: it may be waiting).
      if (outcome.kind === 'delivered' && outcome.event && !job.final && (await this.responseRates.answered(id, outcome.event))) {
        // The agreed rates count from this NOTIFY, which went without rate state if none applied then.
        this.throttle.noteSent(id, handedAt);
      }
      if (notifyCompleted.hasSubscribers) notifyCompleted.publish({ id, cseq, final: job.final, outcome });
      if (outcome.kind !== 'delivered') this.log.info({ id, cseq, cause: outcome.cause }, `NOTIFY failed (${outcome.kind})`);
      // RFC 6665 §4.2.2: the failure ends the subscription, and no NOTIFY says so.
      if (outcome.kind === 'ended' && !job.final) await this.chain.run(id, () => this.endAfterFailure(id, outcome.cause));
    } catch (err) {
      this.log.error({ err, id }, 'NOTIFY could not be sent');
    } finally {
      if (job.final) this.forgetIfEnded(id);
    }
  }

  // ---- ending subscriptions ----

  /**
   * Ends a subscription durably: marks it ended, takes the CSeq of its final NOTIFY and removes it from
   * the store. `snapshot` is the record to notify from (e.g. updated by the unsubscribing request).
   * Undefined when it is not running. Runs inside the subscription's chain.
   */
  private async retire(id: string, reason: string, snapshot?: SubscriptionRecord): Promise<Retired | undefined> {
    const live = this.live.get(id);
    if (!live || live.ended) return undefined;
    this.markEnded(id, live);
    try {
      const record = snapshot ?? live.record;
      const cseq = await this.nextCSeq(id);
      await this.store.remove(id);
      publishTermination(id, record.resource, record.event, reason);
      this.observe({ kind: 'terminated', record, reason });
      if (cseq === undefined) {
        this.forgetIfEnded(id);
        return undefined;
      }
      return { record, cseq };
    } catch (err) {
      this.queue.drop(id);
      this.forgetIfEnded(id);
      throw err;
    }
  }

  /** RFC 6665 §4.2.2: a failed NOTIFY ends the subscription; no NOTIFY (not even a final one) follows. */
  private async endAfterFailure(id: string, cause: string): Promise<void> {
    this.queue.drop(id);
    const live = this.live.get(id);
    if (!live) return;
    if (live.ended) {
      // Already retired meanwhile: its final NOTIFY was just dropped.
      this.live.delete(id);
      return;
    }
    this.markEnded(id, live);
    this.live.delete(id);
    this.firstCSeqDue.delete(id);
    const { record } = live;
    this.encoding.forget(id, record.event);
    await this.store.remove(id);
    publishTermination(id, record.resource, record.event, cause);
    this.observe({ kind: 'terminated', record, reason: cause });
  }

  /** RFC 3261 §12.2.1.1: the CSeq of the next NOTIFY of `id` (undefined when it is no longer stored). */
  private async nextCSeq(id: string): Promise<number | undefined> {
    return this.firstCSeqDue.delete(id) ? FIRST_NOTIFY_CSEQ : this.store.nextLocalCSeq(id);
  }

  private markEnded(id: string, live: Live): void {
    this.pending.cancel(id);
    this.live.end(live);
    this.expiry.delete(id);
  }

  private forgetIfEnded(id: string): void {
    const live = this.live.get(id);
    if (!live?.ended) return;
    this.live.delete(id);
    this.firstCSeqDue.delete(id);
    this.encoding.forget(id, live.record.event);
  }

  // ---- expiry ----

  private expire(id: string): void {
    if (this.live.get(id)?.ended !== false) return;
    // RFC 6665 §4.2.1.4: an unrefreshed subscription is removed with NOTIFY terminated;reason=timeout.
    this.detach(this.terminate(id, 'timeout'), id);
  }

  /**
   * The giveup timer of a subscription fired: still pending, it ends with NOTIFY terminated;reason=giveup
   * (RFC 6665 §4.1.3: "the notifier could not obtain authorization in a timely fashion").
   */
  private giveUp(id: string): void {
    this.detach(this.chain.run(id, async () => {
      const live = this.live.get(id);
      if (!live || live.ended || this.closed || live.record.state !== 'pending') return;
      const retired = await this.retire(id, 'giveup');
      if (retired) await this.sendFinal(retired, { reason: 'giveup', withBody: false });
    }), id);
  }

  // ---- plumbing ----

  /** Runs `fn` for each running subscription of a resource, in its chain; failures are logged. */
  private async eachOf(resource: string, event: string, fn: (live: Live) => Promise<void>): Promise<void> {
    if (this.closed) return;
    await Promise.all(this.live.idsOf(resource, event).map((id) => this.chain.run(id, () => {
      const live = this.live.get(id);
      return live && !live.ended && !this.closed ? fn(live) : Promise.resolve();
    }).catch((err: unknown) => this.log.error({ err, id }, 'subscription update failed'))));
  }

  /** Stores a changed record and, once it is durable, makes it the current one of its running subscription. */
  private async save(record: SubscriptionRecord): Promise<void> {
    await this.store.put(record);
    const live = this.live.get(record.id);
    if (live && !live.ended) live.record = record;
  }

  /** Tells the lifecycle observer; its failure is logged and changes nothing. */
  private observe(step: SubscriptionLifecycle): void {
    if (!this.onLifecycle) return;
    try {
      this.onLifecycle(step);
    } catch (err) {
      this.log.error({ err, id: step.record.id }, 'lifecycle observer failed');
    }
  }

  private detach(p: Promise<unknown>, id: string): void {
    p.catch((err: unknown) => this.log.error({ err, id }, 'subscription task failed'));
  }

}
