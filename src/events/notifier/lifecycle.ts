import type { SubscriptionRecord } from '../../store/ports.js';

/**
 * A step in the life of a subscription, as the notifier's observer sees it (the feed of watcher
 * information, RFC 3857 §3.2):
 * - `created`: a new subscription was stored and is answered 2xx; `record.state` is pending or active;
 * - `fetched`: a fetch (RFC 6665 §4.4.3: Expires 0) was answered 2xx; nothing is stored;
 * - `refused`: a new subscription or fetch was refused by its package (403, RFC 6665 §4.2.1.3);
 * - `refreshed`: an in-dialog SUBSCRIBE extended it (its state may have changed with it);
 * - `state`: its authorisation changed without a request (pending to active, or back);
 * - `terminated`: it ended; `reason` is the Subscription-State reason sent (`timeout`, `rejected`,
 *   `giveup`, `noresource`, `deactivated`, …) or the NOTIFY failure that ended it.
 * `record` is the subscription at that step; observers must not change it.
 */
export type SubscriptionLifecycle =
  | { readonly kind: 'created' | 'fetched' | 'refused' | 'refreshed' | 'state'; readonly record: Readonly<SubscriptionRecord> }
  | { readonly kind: 'terminated'; readonly record: Readonly<SubscriptionRecord>; readonly reason: string };

/** Observes subscription lifecycles; called synchronously, its exceptions are caught and logged. */
export type LifecycleObserver = (step: SubscriptionLifecycle) => void;
