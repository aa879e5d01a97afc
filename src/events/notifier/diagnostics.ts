import { channel } from 'node:diagnostics_channel';
import type { Channel } from 'node:diagnostics_channel';
import type { SubscriptionRecord } from '../../store/ports.js';

/**
 * Observability of the notifier through `node:diagnostics_channel` (as undici's `lib/core/diagnostics.js`):
 * subscribers attach with `diagnostics_channel.subscribe(name, fn)`; nothing is built when no one listens,
 * and a listener that throws cannot disturb a transaction (Node reports it as an uncaught exception on a
 * later tick).
 */

/** `presence:subscription:created`: a subscription was stored and answered 2xx. */
export const subscriptionCreated = channel('presence:subscription:created');
/** `presence:subscription:refreshed`: an in-dialog SUBSCRIBE extended a subscription. */
export const subscriptionRefreshed = channel('presence:subscription:refreshed');
/** `presence:subscription:terminated`: a subscription was removed; `reason` says why. */
export const subscriptionTerminated = channel('presence:subscription:terminated');
/** `presence:notify:completed`: a NOTIFY transaction ended; `outcome` is its NotifyOutcome. */
export const notifyCompleted = channel('presence:notify:completed');

/** The message of {@link subscriptionCreated} and {@link subscriptionRefreshed}. */
export interface SubscriptionMessage {
  readonly id: string;
  readonly resource: string;
  readonly event: string;
  readonly watcher: string;
  readonly state: string;
  /** Granted duration, seconds. */
  readonly expires: number;
}

/** The message of {@link subscriptionTerminated}. */
export interface TerminationMessage {
  readonly id: string;
  readonly resource: string;
  readonly event: string;
  /** The Subscription-State reason sent, or the NOTIFY failure that ended it. */
  readonly reason: string;
}

/** Publishes a created or refreshed subscription on `ch`, when someone listens. */
export function publishSubscription(ch: Channel, r: Readonly<SubscriptionRecord>, expires: number): void {
  if (!ch.hasSubscribers) return;
  const msg: SubscriptionMessage = { id: r.id, resource: r.resource, event: r.event, watcher: r.watcher, state: r.state, expires };
  ch.publish(msg);
}

/** Publishes the end of a subscription on {@link subscriptionTerminated}, when someone listens. */
export function publishTermination(id: string, resource: string, event: string, reason: string): void {
  if (!subscriptionTerminated.hasSubscribers) return;
  const msg: TerminationMessage = { id, resource, event, reason };
  subscriptionTerminated.publish(msg);
}
