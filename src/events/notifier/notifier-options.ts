import type { LocalIdentity } from '../../sip/core/local-identity.js';
import type { HostResolver } from '../../sip/dialog/uri-target.js';
import type { SipRequest } from '../../sip/message/message.js';
import type { TransactionLayer } from '../../sip/transaction/transaction-layer.js';
import type { SubscriptionStore } from '../../store/ports.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { PackageRegistry } from '../package-registry.js';
import type { LifecycleObserver } from './lifecycle.js';
import type { RateControlPolicy } from './rate-control.js';

/** Options of the {@link Notifier}. */
export interface NotifierOptions {
  /** Sends the NOTIFYs (non-INVITE client transactions). */
  transactions: TransactionLayer;
  /** Where subscriptions live; a SUBSCRIBE is answered 2xx only once its write resolved. */
  store: SubscriptionStore;
  /** The event packages served. */
  registry: PackageRegistry;
  /** This server's domains and addresses, for the canonical AOR of the Request-URI. */
  identity: LocalIdentity;
  /** Time source of expiry timers; default the system clock. */
  clock?: Clock;
  logger?: Logger;
  /** The watcher identity stored with a new subscription; default the canonical AOR of the From URI. */
  watcherOf?: (req: SipRequest) => string;
  /** Name resolution of next hops (A/AAAA); default the system resolver. */
  resolve?: HostResolver;
  /** Told of every step of every subscription ({@link SubscriptionLifecycle}), e.g. to feed watcher information. */
  onLifecycle?: LifecycleObserver;
  /**
   * How long a subscription may stay pending (not yet authorised), ms from its creation; then it is
   * ended with reason=giveup (RFC 6665 §4.1.3, RFC 3857 §4.7.1). Default 0: no such timer (it ends
   * only when it expires unrefreshed).
   */
  pendingTimeoutMs?: number;
  /** Local rate policy (RFC 6446 rates are agreed per subscription within it); default no limit. */
  rateControl?: RateControlPolicy;
  limits?: {
    /**
     * Most subscriptions one resource may have per event package (default 10,000); one more is answered
     * 480 Temporarily Unavailable with Retry-After.
     */
    maxSubscriptionsPerResource?: number;
    /** Retry-After of that 480, seconds (default 300). */
    retryAfterSeconds?: number;
    /**
     * Most NOTIFY transactions in progress at once, over all subscriptions (default
     * 256, the queue's `DEFAULT_MAX_IN_FLIGHT`); the others wait their turn, coalescing to the newest state, so a
     * fan-out to many watchers is paced by their answers instead of leaving in one burst.
     */
    maxNotifiesInFlight?: number;
  };
}
