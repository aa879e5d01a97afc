import type { DialogState } from '../../sip/dialog/dialog-state.js';
import { refreshedTarget, uacDialogFromResponse, uasDialogFromRequest } from '../../sip/dialog/dialog-state.js';
import { buildInDialogRequest } from '../../sip/dialog/in-dialog-request.js';
import { formatNameAddr } from '../../sip/message/format.js';
import { HeaderList } from '../../sip/message/headers.js';
import { SipRequest } from '../../sip/message/message.js';
import type { SipResponse } from '../../sip/message/message.js';
import { createResponse } from '../../sip/message/response.js';
import { SipError } from '../../sip/message/sip-error.js';
import type { EventType } from '../../sip/message/types.js';
import { CallIdHeader } from '../../sip/parser/headers/call-id.js';
import { ContentTypeHeader } from '../../sip/parser/headers/content-type.js';
import { CSeqHeader } from '../../sip/parser/headers/cseq.js';
import { EventHeader, eventMatches } from '../../sip/parser/headers/event.js';
import { ExpiresHeader, MinExpiresHeader } from '../../sip/parser/headers/expires.js';
import { FromHeader, ToHeader } from '../../sip/parser/headers/from-to.js';
import { RetryAfterHeader } from '../../sip/parser/headers/retry-after.js';
import { RecordRouteHeader } from '../../sip/parser/headers/route.js';
import { SubscriptionStateHeader } from '../../sip/parser/headers/subscription-state.js';
import { parseUri } from '../../sip/parser/uri.js';
import type { TransactionLayer } from '../../sip/transaction/transaction-layer.js';
import type { SendTarget, TransportName } from '../../sip/transport/types.js';
import { systemClock } from '../../util/clock.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import { newCallId, newTag } from '../../util/ids.js';
import { silentLogger } from '../../util/logger.js';
import type { Logger } from '../../util/logger.js';
import { refreshDelay } from './refresh-delay.js';
import { RequestSender } from './request-sender.js';
import type { SentBy } from './request-sender.js';

/** Subscriber states of RFC 6665 §4.1.2 (the state diagram). */
export type SubscriberState = 'init' | 'notify_wait' | 'pending' | 'active' | 'terminated';

/** One NOTIFY as the subscriber's user sees it (RFC 6665 §4.1.3). */
export interface NotifyInfo {
  /** The Subscription-State value, lower case: active, pending, terminated, or an extension. */
  readonly state: string;
  /** The reason parameter (with terminated), lower case. */
  readonly reason?: string;
  /** The expires parameter in seconds (with active or pending). */
  readonly expires?: number;
  /** The retry-after parameter in seconds. */
  readonly retryAfter?: number;
  /** `type/subtype` of the body, when there is one. */
  readonly contentType?: string;
  /** The body (empty when the NOTIFY had none). */
  readonly body: Buffer;
}

/** Why a subscription ended for good (no re-subscription follows). */
export interface TerminationInfo {
  /** The reason of the terminating NOTIFY, or `timeout` when Timer N or the final-NOTIFY wait expired. */
  readonly reason?: string;
  /** The final status of a refused SUBSCRIBE, when that ended it. */
  readonly status?: number;
}

/** A refused SUBSCRIBE: its final status (408 for a timeout, 503 for a transport failure) and reason. */
export class SubscriptionError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`SUBSCRIBE failed: ${status} ${reason}`);
    this.name = 'SubscriptionError';
  }
}

/** Options of {@link ClientSubscription}. */
export interface ClientSubscriptionOptions {
  transactions: TransactionLayer;
  /**
   * The first hop of every SUBSCRIBE, initial and in-dialog (the notifier or an outbound proxy, RFC 3261
   * §8.1.2); in-dialog requests still carry the dialog's Request-URI and Route.
   */
  target: SendTarget;
  /** Where this subscriber is reached, for the Via. */
  sentBy: SentBy;
  /** The resource's URI: Request-URI and To of the initial SUBSCRIBE. */
  resource: string;
  /** The watcher's AOR URI: From. */
  from: string;
  /** The Event value, e.g. `presence` (RFC 6665 §8.2.1). */
  event: string;
  /** Content types accepted in NOTIFY bodies, preferred first (the Accept header). */
  accept: readonly string[];
  /**
   * Requested duration in seconds (> 0), or 0 for a fetch (RFC 6665 §4.4.3): one NOTIFY with the state,
   * then the subscription ends without re-subscription.
   */
  expires: number;
  /** Our Contact URI (the remote target the notifier sends NOTIFYs to, RFC 6665 §3.1). */
  contact: string;
  credentials?: { username: string; password: string };
  /**
   * A body of the initial SUBSCRIBE, e.g. an event filter (RFC 4660 §5.2.1: application/simple-filter+xml);
   * refreshes carry none, which keeps it (RFC 4660 §5.2.2).
   */
  body?: { readonly contentType: string; readonly content: Buffer };
  /** Timer N in ms (RFC 6665 §4.1.2.4: 64*T1); also bounds the wait for the final NOTIFY in stop(). Default 32,000. */
  timerNMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Re-subscriptions in a row (without reaching pending or active) before the subscriber gives up. */
const MAX_RESUBSCRIPTIONS = 5;
/** Delay of a re-subscription after `probation` without retry-after, in seconds. */
const PROBATION_DEFAULT_S = 60;
/** Delay of the next refresh after one that failed without Retry-After, in ms. */
const FAILED_REFRESH_RETRY_MS = 30_000;
/** Refresh failures after which the subscription is gone (RFC 6665 §4.1.2.2). */
const FATAL_REFRESH_STATUS = new Set([404, 405, 410, 416, 480, 481, 482, 483, 484, 485, 489, 501, 604]);

/**
 * The subscriber side of RFC 6665 (§4.1) for one resource: sends the SUBSCRIBE, forms the dialog from the
 * 2xx or from a NOTIFY that overtakes it (§4.1.2.4), answers NOTIFYs passed to {@link handleNotify}
 * and reports each to {@link onNotify}, refreshes before expiry (see `refreshDelay`), re-subscribes when
 * the notifier ends the subscription with `deactivated`, `timeout`, `probation` or `giveup` (honouring
 * retry-after, §4.1.3), and unsubscribes on {@link stop}.
 *
 * Answers on its own: 423 by retrying once with Min-Expires, 401/407 by retrying once with Digest
 * credentials. Of forked subscriptions (§4.1.4) only the first dialog is kept; NOTIFYs of other forks
 * get 481, which ends them.
 *
 * NOTIFYs reach it through a {@link SubscriberRegistry} (or a NOTIFY handler that calls
 * {@link matches} and {@link handleNotify}).
 */
export class ClientSubscription {
  /** Each accepted NOTIFY, after it has been answered 200. Exceptions are logged. */
  onNotify: (info: NotifyInfo) => void = () => {};
  /** The subscription ended for good. Exceptions are logged. */
  onTerminated: (info: TerminationInfo) => void = () => {};

  private readonly sender: RequestSender;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly eventType: EventType;
  private readonly timerNMs: number;
  private expires: number;
  private stateValue: SubscriberState = 'init';
  private callId = '';
  private localTag = '';
  private cseq = 0;
  private dialogValue: DialogState | undefined;
  /** True once a NOTIFY of the current dialog was accepted (its route set and remote tag are final). */
  private notified = false;
  private refreshTimer: TimerHandle | undefined;
  private timerN: TimerHandle | undefined;
  private resubscriptions = 0;
  /** Counts re-subscriptions, so a planned one that was overtaken does nothing. */
  private generation = 0;
  private stopping: { resolve: () => void; timer: TimerHandle } | undefined;
  /** The initial SUBSCRIBE in progress, if any. */
  private initial: Promise<SipResponse> | undefined;
  private keyListener: ((sub: ClientSubscription, previous: string | undefined) => void) | undefined;

  /** @throws RangeError when a URI, the Event value or `expires` is invalid. */
  constructor(private readonly opts: ClientSubscriptionOptions) {
    for (const [name, uri] of [['resource', opts.resource], ['from', opts.from], ['contact', opts.contact]] as const) {
      if (!parseUri(uri).ok) throw new RangeError(`${name} is not a URI: ${uri}`);
    }
    const ev = EventHeader.parse([opts.event]);
    if (!ev.ok) throw new RangeError(`event is not an Event value: ${ev.defect}`);
    if (!Number.isInteger(opts.expires) || opts.expires < 0) throw new RangeError('expires must be a non-negative integer (s)');
    this.eventType = ev.value;
    this.expires = opts.expires;
    this.timerNMs = opts.timerNMs ?? 32_000;
    this.sender = new RequestSender(opts);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
  }

  /** The current state (RFC 6665 §4.1.2). */
  get state(): SubscriberState {
    return this.stateValue;
  }

  /** True in state `terminated` (a method, so checks after an await are not narrowed away). */
  private get ended(): boolean {
    return this.stateValue === 'terminated';
  }

  private currentDialog(): DialogState | undefined {
    return this.dialogValue;
  }

  /** The content types this subscription accepts in NOTIFY bodies (its Accept). */
  get accept(): readonly string[] {
    return this.opts.accept;
  }

  /** The dialog, once the 2xx or a NOTIFY has formed it. */
  get dialog(): Readonly<DialogState> | undefined {
    return this.dialogValue;
  }

  /**
   * The key NOTIFYs of this subscription carry (`Call-ID` LF `To tag`, RFC 6665 §4.4.1), or undefined
   * before start() and after termination.
   */
  get key(): string | undefined {
    const live = this.stateValue !== 'init' && this.stateValue !== 'terminated' && this.callId !== '';
    return live ? notifyKey(this.callId, this.localTag) : undefined;
  }

  /**
   * Sends the initial SUBSCRIBE (RFC 6665 §4.1.2.1). Resolves on its 2xx; NOTIFYs follow through
   * {@link handleNotify}.
   * @throws SubscriptionError when the SUBSCRIBE is refused (then the state is `terminated`);
   *   Error when already started.
   */
  async start(): Promise<void> {
    if (this.stateValue !== 'init') throw new Error('the subscription was already started');
    const res = await this.subscribe();
    if (res.status >= 300) {
      this.terminate({ status: res.status });
      throw new SubscriptionError(res.status, res.reason);
    }
  }

  /** True when `req` is a NOTIFY of this subscription (Call-ID, To tag = our From tag; RFC 6665 §4.4.1). */
  matches(req: SipRequest): boolean {
    const key = this.key;
    return key !== undefined && keyOf(req) === key;
  }

  /**
   * Processes a NOTIFY of this subscription (RFC 6665 §4.1.3) and returns the response to send: 200, or
   * 481 when it belongs to no live subscription of ours, 489 for another Event, 400 for a missing or bad
   * Subscription-State, 500 for an out-of-order CSeq (RFC 3261 §12.2.2).
   * @param transport the transport it arrived over (decides whether a dialog it forms is secure)
   */
  handleNotify(req: SipRequest, transport: TransportName = this.opts.target.transport): SipResponse {
    let info: NotifyInfo;
    try {
      info = this.check(req, transport);
    } catch (e) {
      if (!(e instanceof SipError)) throw e;
      const res = createResponse(req, e.status, e.reason);
      for (const [name, value] of e.headers) res.headers.append(name, value);
      return res;
    }
    // RFC 6665 §4.1.3: the subscriber SHOULD return 200 once the notification is acceptable; what
    // follows (reporting, re-subscribing) happens after the response is sent.
    queueMicrotask(() => this.afterNotify(info));
    return createResponse(req, 200);
  }

  /**
   * Unsubscribes (RFC 6665 §4.1.2.3: a SUBSCRIBE with Expires 0) and resolves once the final NOTIFY has
   * arrived, or after Timer N without it, or at once when the notifier refuses the unsubscription.
   * No re-subscription follows. Safe to call in any state.
   */
  async stop(): Promise<void> {
    this.clearTimers();
    this.resubscriptions = MAX_RESUBSCRIPTIONS;
    if (this.stateValue === 'init') {
      this.stateValue = 'terminated';
      return;
    }
    if (this.stateValue === 'terminated' || this.stopping) return;
    const done = new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(() => this.terminate({ reason: 'timeout' }), this.timerNMs);
      this.stopping = { resolve, timer };
    });
    // An initial SUBSCRIBE still in progress may yet form the dialog to unsubscribe from.
    if (!this.dialogValue && this.initial) await this.initial;
    if (this.currentDialog() && !this.ended) {
      const res = await this.inDialog(0);
      if (res.status >= 300) this.terminate({ status: res.status });
    } else {
      // No dialog to unsubscribe from (e.g. waiting to re-subscribe): it ends here.
      this.terminate({});
    }
    return done;
  }

  /**
   * Refreshes now rather than at the planned time (e.g. a watcherinfo subscriber asking for full state
   * after a version gap, RFC 3858 §4); nothing without a dialog, once terminated or while stopping.
   */
  async refreshNow(): Promise<void> {
    if (!this.dialogValue || this.ended || this.stopping) return;
    if (this.refreshTimer) this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    await this.refresh();
  }

  /** @internal Called by {@link SubscriberRegistry} to hear about key changes. */
  bindRegistry(listener: ((sub: ClientSubscription, previous: string | undefined) => void) | undefined): void {
    this.keyListener = listener;
  }

  /** A new initial SUBSCRIBE with a fresh Call-ID and From tag (RFC 6665 §4.1.2.2), answering 423 once. */
  private subscribe(): Promise<SipResponse> {
    const run = this.subscribeNow();
    this.initial = run;
    return run.finally(() => {
      if (this.initial === run) this.initial = undefined;
    });
  }

  private async subscribeNow(): Promise<SipResponse> {
    const previous = this.key;
    this.callId = newCallId(this.opts.sentBy.host.includes(':') ? `[${this.opts.sentBy.host}]` : this.opts.sentBy.host);
    this.localTag = newTag();
    this.cseq = 0;
    this.dialogValue = undefined;
    this.notified = false;
    this.stateValue = 'notify_wait';
    this.keyListener?.(this, previous);
    let { request, response } = await this.sendInitial();
    if (response.status === 423 && this.raiseExpires(response)) ({ request, response } = await this.sendInitial());
    // A terminating NOTIFY or Timer N may have ended this attempt meanwhile.
    if (this.ended || request.headers.get('Call-ID') !== this.callId) return response;
    if (response.status >= 200 && response.status < 300) {
      const localSeq = request.required(CSeqHeader).seq;
      const formed = this.currentDialog();
      if (formed) {
        // A NOTIFY overtook the 2xx and formed the dialog (RFC 6665 §4.1.2.4).
        formed.localSeq = Math.max(formed.localSeq ?? 0, localSeq);
      } else {
        try {
          this.dialogValue = uacDialogFromResponse(request, response, this.opts.target.transport);
        } catch (e) {
          // RFC 3261 §12.1.2: a 2xx to a dialog-creating request needs a Contact; a NOTIFY may still form the dialog.
          this.log.warn({ err: e }, 'the 2xx to SUBSCRIBE did not form a dialog');
        }
      }
      this.granted(response);
    }
    return response;
  }

  private sendInitial(): Promise<{ request: SipRequest; response: SipResponse }> {
    const { resource, from, contact } = this.opts;
    const h = new HeaderList();
    h.append('Max-Forwards', '70');
    h.append('From', `<${from}>;tag=${this.localTag}`);
    h.append('To', `<${resource}>`);
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${++this.cseq} SUBSCRIBE`);
    this.addSubscribeHeaders(h, this.expires);
    // RFC 3261 §8.1.1.8: a dialog-creating request MUST carry one Contact.
    h.append('Contact', `<${contact}>`);
    const body = this.opts.body;
    if (body) h.append('Content-Type', body.contentType);
    const req = new SipRequest('SUBSCRIBE', resource, h, body?.content);
    this.startTimerN();
    return this.sender.send(req, () => ++this.cseq);
  }

  private addSubscribeHeaders(h: HeaderList, expires: number): void {
    h.append('Event', this.opts.event);
    h.append('Expires', String(expires));
    if (this.opts.accept.length) h.append('Accept', this.opts.accept.join(', '));
  }

  /** An in-dialog SUBSCRIBE (refresh, or unsubscribe with 0; RFC 6665 §4.1.2.2-§4.1.2.3). */
  private async inDialog(expires: number): Promise<SipResponse> {
    const dialog = this.dialogValue!;
    const next = (): number => (dialog.localSeq = (dialog.localSeq ?? 0) + 1);
    const req = buildInDialogRequest(dialog, 'SUBSCRIBE', next(), this.opts.contact);
    this.addSubscribeHeaders(req.headers, expires);
    if (expires > 0) this.startTimerN();
    return (await this.sender.send(req, next)).response;
  }

  private async refresh(): Promise<void> {
    if (!this.dialogValue || this.stateValue === 'terminated' || this.stopping) return;
    let res = await this.inDialog(this.expires);
    if (res.status === 423 && this.raiseExpires(res)) res = await this.inDialog(this.expires);
    if (this.ended || this.stopping) return;
    if (res.status < 300) {
      this.granted(res);
      return;
    }
    this.cancelTimerN();
    if (FATAL_REFRESH_STATUS.has(res.status)) {
      // RFC 6665 §4.1.2.2: the subscription is terminated; a new one is an unrelated initial SUBSCRIBE.
      this.resubscribe(0, { status: res.status });
      return;
    }
    // RFC 6665 §4.1.2.2: other errors leave the subscription valid until it expires; try again.
    const ra = res.tryHeader(RetryAfterHeader);
    this.scheduleRefresh(ra.ok && ra.value ? ra.value.seconds * 1000 : FAILED_REFRESH_RETRY_MS);
  }

  /** Applies the Expires of a 2xx (RFC 6665 §4.1.2.1: the granted duration) and plans the refresh. */
  private granted(res: SipResponse): void {
    const e = res.tryHeader(ExpiresHeader);
    const seconds = e.ok && e.value !== undefined ? e.value : this.expires;
    if (seconds > 0) this.scheduleRefresh(refreshDelay(seconds));
  }

  /** RFC 6665 §4.2.1.1 / RFC 3261 §10.2.8 style: take the Min-Expires of a 423 once; false when unusable. */
  private raiseExpires(res: SipResponse): boolean {
    const min = res.tryHeader(MinExpiresHeader);
    if (!min.ok || min.value === undefined || min.value <= this.expires) return false;
    this.expires = min.value;
    return true;
  }

  /** Checks a NOTIFY and updates the dialog; throws SipError for a response other than 200. */
  private check(req: SipRequest, transport: TransportName): NotifyInfo {
    // RFC 6665 §4.1.3: a NOTIFY matching no subscription MUST get 481.
    if (!this.matches(req)) throw new SipError(481, 'Subscription does not exist');
    const ev = req.header(EventHeader);
    // RFC 6665 §4.4.1: the Event must match the SUBSCRIBE's (§8.2.1 comparison).
    if (!ev || !eventMatches(ev, this.eventType)) {
      throw new SipError(489, 'Bad Event', [['Allow-Events', [this.eventType.package, ...this.eventType.templates].join('.')]]);
    }
    // RFC 6665 §4.1.3: NOTIFY requests MUST contain Subscription-State.
    const st = req.required(SubscriptionStateHeader);
    const remoteTag = req.required(FromHeader).params.get('tag') ?? '';
    const cseq = req.required(CSeqHeader).seq;
    const dialog = this.dialogValue;
    if (dialog && this.notified && dialog.remoteTag !== remoteTag) {
      // RFC 6665 §4.1.4: another fork's subscription; only the first dialog is kept.
      throw new SipError(481, 'Subscription does not exist (another fork)');
    }
    // RFC 3261 §12.2.2: a CSeq lower than the remote sequence number MUST be rejected with 500.
    if (dialog && this.notified && dialog.remoteSeq !== undefined && cseq <= dialog.remoteSeq) {
      throw new SipError(500, 'Server Internal Error: CSeq out of order');
    }
    // RFC 6665 §3.2: NOTIFY is a target refresh request (RFC 3261 §12.2.2: its Contact replaces the remote target).
    const target = refreshedTarget(req);
    const terminated = st.state === 'terminated';
    if (!dialog) {
      // RFC 6665 §4.1.2.4: a NOTIFY can come before the 2xx; it forms the dialog (RFC 6665 §4.4.1),
      // unless it terminates the subscription at once.
      if (!terminated) {
        this.dialogValue = { ...uasDialogFromRequest(req, this.localTag, transport), localSeq: this.cseq };
      }
    } else {
      dialog.remoteSeq = cseq;
      if (!this.notified) {
        // RFC 6665 §4.4.1: the dialog usage is established by the NOTIFY: route set and peer from it.
        dialog.remoteTag = remoteTag;
        dialog.routeSet = (req.header(RecordRouteHeader) ?? []).map(formatNameAddr);
      }
      if (target !== undefined) dialog.remoteTarget = target;
    }
    this.notified = true;
    // RFC 6665 §4.1.2.2, §4.1.2.4: a NOTIFY stops Timer N.
    this.cancelTimerN();
    const ct = req.header(ContentTypeHeader);
    return {
      state: st.state,
      ...(st.reason !== undefined ? { reason: st.reason } : {}),
      ...(st.expires !== undefined && !terminated ? { expires: st.expires } : {}),
      ...(st.retryAfter !== undefined ? { retryAfter: st.retryAfter } : {}),
      ...(ct ? { contentType: `${ct.type}/${ct.subtype}` } : {}),
      body: req.body,
    };
  }

  /** What follows an accepted NOTIFY: state change, the report, and for `terminated` the next step. */
  private afterNotify(info: NotifyInfo): void {
    if (info.state === 'active' || info.state === 'pending') {
      this.stateValue = info.state;
      this.resubscriptions = 0;
      // RFC 6665 §4.1.3: expires of active/pending SHOULD be taken as the authoritative duration.
      if (info.expires !== undefined) this.scheduleRefresh(refreshDelay(info.expires));
    }
    this.report(() => this.onNotify(info));
    if (info.state !== 'terminated') return;
    // RFC 6665 §4.1.3: with terminated the subscriber MUST consider the subscription terminated.
    const { reason, retryAfter } = info;
    // A fetch (RFC 6665 §4.4.3) ends with its one NOTIFY (terminated;reason=timeout): no re-subscription.
    if (this.stopping || this.opts.expires === 0) return this.terminate({ ...(reason !== undefined ? { reason } : {}) });
    switch (reason) {
      case 'deactivated':
      case 'timeout':
        // RFC 6665 §4.1.3: retry at once (deactivated: SHOULD; timeout: MAY); retry-after has no meaning.
        return this.resubscribe(0, { reason });
      case 'probation':
      case 'giveup':
        // RFC 6665 §4.1.3: wait at least retry-after seconds when given.
        return this.resubscribe((retryAfter ?? (reason === 'probation' ? PROBATION_DEFAULT_S : 0)) * 1000, { reason });
      default:
        // rejected, noresource, invariant: SHOULD NOT re-subscribe; no or unknown reason: we do not either.
        return this.terminate(reason !== undefined ? { reason } : {});
    }
  }

  /** Ends the current dialog and, unless too many attempts failed in a row, subscribes anew after `delayMs`. */
  private resubscribe(delayMs: number, why: TerminationInfo): void {
    if (this.resubscriptions >= MAX_RESUBSCRIPTIONS) return this.terminate(why);
    this.resubscriptions++;
    this.clearTimers();
    const previous = this.key;
    this.stateValue = 'notify_wait';
    this.dialogValue = undefined;
    this.callId = '';
    this.keyListener?.(this, previous);
    const generation = ++this.generation;
    const run = (): void => {
      // stop() or a later re-subscription may have come first.
      if (generation !== this.generation || this.stopping || this.ended) return;
      this.subscribe().then(
        (res) => {
          if (res.status >= 300) this.terminate({ status: res.status });
        },
        (err: unknown) => {
          this.log.error({ err }, 're-subscription failed');
          this.terminate(why);
        },
      );
    };
    if (delayMs > 0) {
      this.refreshTimer = this.clock.setTimeout(() => {
        this.refreshTimer = undefined;
        run();
      }, delayMs);
    } else queueMicrotask(run);
  }

  private terminate(info: TerminationInfo): void {
    if (this.stateValue === 'terminated') return;
    const previous = this.key;
    this.stateValue = 'terminated';
    this.clearTimers();
    this.keyListener?.(this, previous);
    const stopping = this.stopping;
    if (stopping) {
      this.clock.clearTimeout(stopping.timer);
      stopping.resolve();
    }
    this.report(() => this.onTerminated(info));
  }

  private scheduleRefresh(ms: number): void {
    if (this.stopping) return;
    if (this.refreshTimer) this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = this.clock.setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh().catch((err: unknown) => this.log.error({ err }, 'subscription refresh failed'));
    }, ms);
  }

  /** RFC 6665 §4.1.2.4: Timer N (64*T1) from each SUBSCRIBE; without a NOTIFY by then the subscription failed. */
  private startTimerN(): void {
    this.cancelTimerN();
    this.timerN = this.clock.setTimeout(() => {
      this.timerN = undefined;
      this.terminate({ reason: 'timeout' });
    }, this.timerNMs);
  }

  private cancelTimerN(): void {
    if (this.timerN) this.clock.clearTimeout(this.timerN);
    this.timerN = undefined;
  }

  private clearTimers(): void {
    this.cancelTimerN();
    if (this.refreshTimer) this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  private report(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'subscription listener failed');
    }
  }
}

/** The routing key of a subscription: Call-ID and our tag (RFC 6665 §4.4.1). */
export function notifyKey(callId: string, localTag: string): string {
  return `${callId}\n${localTag}`;
}

/** The routing key a NOTIFY carries (its Call-ID and To tag), or undefined when unreadable. */
export function keyOf(req: SipRequest): string | undefined {
  const callId = req.tryHeader(CallIdHeader);
  const to = req.tryHeader(ToHeader);
  const tag = to.ok ? to.value?.params.get('tag') : undefined;
  if (!callId.ok || callId.value === undefined || !tag) return undefined;
  return notifyKey(callId.value, tag);
}
