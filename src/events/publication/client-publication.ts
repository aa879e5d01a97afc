import { HeaderList } from '../../sip/message/headers.js';
import { SipRequest } from '../../sip/message/message.js';
import type { SipResponse } from '../../sip/message/message.js';
import { SipETagHeader } from '../../sip/parser/headers/etag.js';
import { ExpiresHeader, MinExpiresHeader } from '../../sip/parser/headers/expires.js';
import { RetryAfterHeader } from '../../sip/parser/headers/retry-after.js';
import { parseUri } from '../../sip/parser/uri.js';
import type { TransactionLayer } from '../../sip/transaction/transaction-layer.js';
import type { SendTarget } from '../../sip/transport/types.js';
import { systemClock } from '../../util/clock.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import { newCallId, newTag } from '../../util/ids.js';
import { silentLogger } from '../../util/logger.js';
import type { Logger } from '../../util/logger.js';
import { RequestSender } from '../subscriber/request-sender.js';
import type { SentBy } from '../subscriber/request-sender.js';
import { refreshDelay } from '../subscriber/refresh-delay.js';

/** A successful publication: the entity tag the ESC assigned and the interval it granted. */
export interface PublishResult {
  /** The current entity tag (RFC 3903 §4.1); the next refresh, modify or remove names it. */
  readonly etag: string;
  /** Granted lifetime in seconds (the Expires of the 2xx, RFC 3903 §4.2). */
  readonly expires: number;
}

/** A PUBLISH that failed: the final status (408 for a timeout, 503 for a transport failure) and reason. */
export class PublicationError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    /** The response's Retry-After in ms, when it had one. */
    readonly retryAfterMs?: number,
  ) {
    super(`PUBLISH failed: ${status} ${reason}`);
    this.name = 'PublicationError';
  }
}

/**
 * What a {@link ClientPublication} tells its user (the `presenced publish` tool). Every method is
 * optional; exceptions thrown by one are logged and change nothing.
 */
export interface ClientPublicationDelegate {
  /** An initial or modifying PUBLISH succeeded (also a re-publication after 412). */
  published?(result: PublishResult): void;
  /** A refresh succeeded (manual or automatic). */
  refreshed?(result: PublishResult): void;
  /** The state was removed at the ESC. */
  removed?(): void;
  /** A PUBLISH failed; automatic refreshes go on (after Retry-After, else 30 s) until stop(). */
  failed?(error: PublicationError): void;
}

/** Options of {@link ClientPublication}. */
export interface ClientPublicationOptions {
  transactions: TransactionLayer;
  /** The ESC, or the outbound proxy toward it; every PUBLISH goes there. */
  target: SendTarget;
  /** Where this agent is reached, for the Via. */
  sentBy: SentBy;
  /** The presentity's AOR URI: Request-URI, From and To of every PUBLISH (RFC 3903 §4). */
  aor: string;
  /** The event package, e.g. `presence`. */
  event: string;
  /** Requested lifetime in seconds (> 0). */
  expires: number;
  /** Contact of this agent; sent when given, though the ESC ignores it (RFC 3903 §4). */
  contact?: string;
  credentials?: { username: string; password: string };
  clock?: Clock;
  logger?: Logger;
}

/**
 * The whole state, for when the body last given to {@link ClientPublication.publish} was a delta (a
 * partial publication, RFC 5264 §4.2) and a full publication is due: called when it is sent.
 */
export type FullState = () => { body: Buffer; contentType: string };

/** Delay of the next automatic refresh after a failed one without Retry-After, in ms. */
const FAILED_REFRESH_RETRY_MS = 30_000;

/**
 * The Event Publication Agent side of RFC 3903 (§4, §5) for one piece of event state: publishes it,
 * refreshes it automatically before it expires (see {@link refreshDelay}: at 90 % of the granted interval
 * or 5 s before its end, whichever is earlier), modifies and removes it. Sends one PUBLISH at a time
 * (RFC 3903 §4: no new PUBLISH before the final response to the previous one).
 *
 * Answers on its own: 412 by publishing the full state again as an initial publication (RFC 3903 §5),
 * 423 by retrying once with the Min-Expires value (RFC 3903 §5), 401/407 by retrying once with Digest
 * credentials.
 */
export class ClientPublication {
  /** Hears about successes and failures; set it before publishing. */
  delegate: ClientPublicationDelegate = {};

  private readonly sender: RequestSender;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly callId: string;
  private readonly fromTag = newTag();
  private cseq = 0;
  private expires: number;
  private etagValue: string | undefined;
  private state: { body: Buffer; contentType: string; full?: FullState } | undefined;
  private timer: TimerHandle | undefined;
  /** The PUBLISH in progress; the next one waits for it (RFC 3903 §4). */
  private tail: Promise<unknown> = Promise.resolve();
  private stopped = false;

  /** @throws RangeError when `aor` is not a URI or `expires` is not a positive integer. */
  constructor(private readonly opts: ClientPublicationOptions) {
    if (!parseUri(opts.aor).ok) throw new RangeError(`aor is not a URI: ${opts.aor}`);
    if (!Number.isInteger(opts.expires) || opts.expires < 1) throw new RangeError('expires must be a positive integer (s)');
    this.sender = new RequestSender(opts);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.callId = newCallId(opts.sentBy.host.includes(':') ? `[${opts.sentBy.host}]` : opts.sentBy.host);
    this.expires = opts.expires;
  }

  /** The current entity tag, or undefined when nothing is published. */
  get etag(): string | undefined {
    return this.etagValue;
  }

  /**
   * Publishes `body` as the whole state: an initial publication, or a modification of the current one
   * (RFC 3903 §4.2, §4.4). Starts automatic refreshing.
   * @param contentType e.g. `application/pidf+xml`
   * @param full when `body` is a delta (RFC 5264 §4.2: only for a modification): the whole state, sent
   *   instead of `body` whenever an initial publication is due (after a 412, or with no entity tag).
   * @throws PublicationError when the ESC refuses it.
   */
  publish(body: Buffer, contentType: string, full?: FullState): Promise<PublishResult> {
    return this.serial(async () => {
      this.stopped = false;
      this.state = { body, contentType, ...(full ? { full } : {}) };
      const { result } = await this.send(true);
      this.notify('published', result);
      return result;
    });
  }

  /**
   * Refreshes the publication now (RFC 3903 §4.3); a 412 is answered by publishing the full state again.
   * @throws Error when nothing has been published; PublicationError when the ESC refuses it.
   */
  refresh(): Promise<PublishResult> {
    return this.serial(() => this.refreshNow());
  }

  /**
   * Removes the published state (RFC 3903 §4.5: Expires 0 with SIP-If-Match, no body) and stops
   * refreshing. Does nothing when nothing is published.
   * @throws PublicationError when the ESC refuses it (the entity tag is forgotten all the same).
   */
  remove(): Promise<void> {
    return this.serial(async () => {
      this.stop();
      const etag = this.etagValue;
      this.etagValue = undefined;
      this.state = undefined;
      if (etag === undefined) return;
      const res = await this.exchange(this.request(etag, 0));
      // A 412 means the state is gone already (RFC 3903 §4.5 asks for exactly that).
      if (res.status >= 300 && res.status !== 412) throw this.failure(res);
      this.call(() => this.delegate.removed?.());
    });
  }

  /** Stops automatic refreshing; the state stays published until it expires or {@link remove} is called. */
  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A refresh; when the entity tag was lost (a failed re-publication after 412), the state is published anew. */
  private async refreshNow(): Promise<PublishResult> {
    if (this.etagValue === undefined && !this.state) throw new Error('nothing is published');
    const { result, republished } = await this.send(this.etagValue === undefined);
    this.notify(republished ? 'published' : 'refreshed', result);
    return result;
  }

  /** Runs `op` after the PUBLISH in progress; a failure of `op` is also reported to the delegate. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.tail.then(op).catch((err: unknown) => {
      if (err instanceof PublicationError) this.call(() => this.delegate.failed?.(err));
      throw err;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends the state (with body) or a refresh (without), handling 412 and 423 once each, and records the
   * new entity tag and granted interval. `republished`: the state was sent in full (initial or modify).
   */
  private async send(withBody: boolean): Promise<{ result: PublishResult; republished: boolean }> {
    let useBody = withBody;
    // RFC 5264 §4.2: an initial publication carries full state, never a delta.
    if (this.etagValue === undefined) this.wholeState();
    let res = await this.exchange(this.request(this.etagValue, this.expires, useBody));
    if (res.status === 423) {
      // RFC 3903 §5: retry with an Expires at least the Min-Expires of the 423.
      const min = res.tryHeader(MinExpiresHeader);
      if (min.ok && min.value !== undefined && min.value > this.expires) {
        this.expires = min.value;
        res = await this.exchange(this.request(this.etagValue, this.expires, useBody));
      }
    }
    if (res.status === 412 && this.etagValue !== undefined) {
      // RFC 3903 §5: MUST discard the entity tag and MUST NOT retry the request; SHOULD publish anew.
      this.etagValue = undefined;
      useBody = true;
      this.wholeState();
      res = await this.exchange(this.request(undefined, this.expires, true));
    }
    if (res.status >= 300) throw this.failure(res);
    const etag = res.tryHeader(SipETagHeader);
    if (!etag.ok || etag.value === undefined) throw new PublicationError(res.status, 'response without a valid SIP-ETag');
    // RFC 3903 §4.3: the EPA MUST store the new entity tag, replacing the previous one.
    this.etagValue = etag.value;
    const granted = res.tryHeader(ExpiresHeader);
    const expires = granted.ok && granted.value !== undefined ? granted.value : this.expires;
    this.scheduleRefresh(refreshDelay(expires));
    return { result: { etag: etag.value, expires }, republished: useBody };
  }

  /** Makes the kept state the whole state when it was a delta (given with a {@link FullState}). */
  private wholeState(): void {
    if (this.state?.full) this.state = this.state.full();
  }

  private async exchange(req: SipRequest): Promise<SipResponse> {
    return (await this.sender.send(req, () => ++this.cseq)).response;
  }

  /** A PUBLISH: with SIP-If-Match when `etag` is given, and the state as body when `withBody`. */
  private request(etag: string | undefined, expires: number, withBody = false): SipRequest {
    const { aor, event, contact } = this.opts;
    const h = new HeaderList();
    h.append('Max-Forwards', '70');
    h.append('From', `<${aor}>;tag=${this.fromTag}`);
    h.append('To', `<${aor}>`);
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${++this.cseq} PUBLISH`);
    // RFC 3903 §4.1: a single Event header naming the package.
    h.append('Event', event);
    h.append('Expires', String(expires));
    // RFC 3903 §4.1: updates carry a single SIP-If-Match with the entity tag.
    if (etag !== undefined) h.append('SIP-If-Match', etag);
    if (contact !== undefined) h.append('Contact', `<${contact}>`);
    const state = withBody ? this.state : undefined;
    if (state) h.append('Content-Type', state.contentType);
    return new SipRequest('PUBLISH', aor, h, state?.body);
  }

  private scheduleRefresh(ms: number): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      const attempt = async (): Promise<PublishResult> => {
        try {
          return await this.refreshNow();
        } catch (err) {
          // Re-armed before the delegate hears of the failure, so it sees the retry already planned.
          const retry = err instanceof PublicationError ? err.retryAfterMs : undefined;
          this.scheduleRefresh(retry ?? FAILED_REFRESH_RETRY_MS);
          throw err;
        }
      };
      this.serial(attempt).catch((err: unknown) => this.log.warn({ err }, 'automatic PUBLISH refresh failed'));
    }, ms);
  }

  private failure(res: SipResponse): PublicationError {
    const ra = res.tryHeader(RetryAfterHeader);
    return new PublicationError(res.status, res.reason, ra.ok && ra.value ? ra.value.seconds * 1000 : undefined);
  }

  private notify(kind: 'published' | 'refreshed', result: PublishResult): void {
    this.call(() => this.delegate[kind]?.(result));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'ClientPublication delegate failed');
    }
  }
}
