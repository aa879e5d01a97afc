import type { SubscriptionLifecycle } from '../../events/notifier/lifecycle.js';
import type { WatcherEvent, WatcherInfoRecord, WatcherInfoStore, WatcherStatus } from '../../store/ports.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { ANONYMOUS_WATCHER } from '../authorization/model.js';

/** One watcher (one subscription or fetch) of a presentity as watcher information shows it (RFC 3858 §3). */
export interface WatcherState {
  /** The subscription id (not yet made opaque: the package does that). */
  readonly subscriptionId: string;
  /** The watcher's identity; `sip:anonymous@anonymous.invalid` for an anonymous one. */
  readonly watcher: string;
  readonly anonymous: boolean;
  readonly displayName?: string;
  readonly fetch: boolean;
  readonly status: WatcherStatus;
  readonly event: WatcherEvent;
  /** When the subscription was created, ms since the epoch. */
  readonly subscribedAt: number;
  /** When it expires (ms); when it ended, for a terminated one. */
  readonly expiresAt: number;
  /** When its last step happened (ms). */
  readonly changedAt: number;
}

/** Options of {@link WatcherInfoLog}. */
export interface WatcherInfoLogOptions {
  readonly store: WatcherInfoStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The package whose watchers are logged, e.g. `presence`. */
  readonly watchedPackage: string;
  /** How long entries are kept, seconds (TS 23.141 §5.1: the operator-defined period). */
  readonly historySeconds: number;
  /** Called once an entry of `presentity` is durable: its watcher information changed. */
  readonly onChange: (presentity: string) => void;
}

/** RFC 3857 §3.2.3: the Subscription-State reasons that are watcher events; any other end is `deactivated`. */
const REASON_EVENTS: ReadonlySet<string> = new Set(['deactivated', 'probation', 'rejected', 'timeout', 'giveup', 'noresource']);

/**
 * The watcher-information log (TS 23.141 §5.1, RFC 3857 §3.2): turns the notifier's lifecycle steps of
 * one package's subscriptions into {@link WatcherInfoRecord}s (status and event in RFC 3857 words), keeps
 * them in the {@link WatcherInfoStore} for `historySeconds`, and folds them into each presentity's current
 * and past watchers. Entries are appended one at a time, in the order the steps happened.
 *
 * Mapping (RFC 3857 §3.2.3): a new subscription is `subscribe` (pending or active); pending to active is
 * `approved`; a refused request is terminated `rejected`; an end carries its Subscription-State reason
 * (`timeout`, `rejected`, `giveup`, `noresource`, `deactivated`, `probation`; a NOTIFY failure is
 * `deactivated`); a fetch is logged with the state it was decided in and its own flag.
 */
export class WatcherInfoLog {
  /** Status and event last logged per running subscription, for the next transition. */
  private readonly last = new Map<string, Readonly<{ status: WatcherStatus; event: WatcherEvent }>>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: WatcherInfoLogOptions) {}

  /** The notifier's `onLifecycle`: logs steps of the watched package, ignores the others. */
  readonly observe = (step: SubscriptionLifecycle): void => {
    const r = step.record;
    if (r.event !== this.opts.watchedPackage) return;
    const before = this.last.get(r.id);
    const { status, event } = transition(step, before);
    if (status === 'terminated' || step.kind === 'fetched') this.last.delete(r.id);
    else this.last.set(r.id, lastOf(status, event));
    const now = this.opts.clock.now();
    const anonymous = r.watcher === ANONYMOUS_WATCHER;
    const entry: WatcherInfoRecord = {
      presentity: r.resource,
      package: r.event,
      subscriptionId: r.id,
      watcher: r.watcher,
      fetch: step.kind === 'fetched' || (step.kind === 'refused' && r.expiresAt <= r.createdAt),
      status,
      event,
      subscribedAt: r.createdAt,
      expiresAt: status === 'terminated' ? Math.min(r.expiresAt, now) : r.expiresAt,
      at: now,
    };
    // Item 4 of issue 5: an anonymous watcher's display name could identify it; it is never kept.
    if (r.watcherDisplayName !== undefined && !anonymous) entry.displayName = r.watcherDisplayName;
    this.tail = this.tail.then(async () => {
      await this.opts.store.append(entry);
      this.opts.onChange(entry.presentity);
    }).catch((err: unknown) => this.opts.logger.error({ err, presentity: entry.presentity }, 'watcher information not logged'));
  };

  /** Resolves once every step observed so far is logged (for shutdown and tests). */
  flushed(): Promise<void> {
    return this.tail;
  }

  /**
   * The watchers of `presentity` with a step in the last `historySeconds` (at most the configured
   * history), one per subscription or fetch, in the order they first appeared, each in its latest state.
   */
  async watchers(presentity: string, historySeconds = this.opts.historySeconds): Promise<WatcherState[]> {
    const since = this.opts.clock.now() - Math.min(historySeconds, this.opts.historySeconds) * 1000;
    const entries = await this.opts.store.listByPresentity(presentity, this.opts.watchedPackage, since);
    const out = new Map<string, WatcherState>();
    for (const e of entries) {
      const first = out.get(e.subscriptionId);
      out.set(e.subscriptionId, {
        subscriptionId: e.subscriptionId,
        watcher: e.watcher,
        anonymous: e.watcher === ANONYMOUS_WATCHER,
        ...(e.displayName !== undefined ? { displayName: e.displayName } : {}),
        fetch: e.fetch,
        status: e.status,
        event: e.event,
        subscribedAt: first?.subscribedAt ?? e.subscribedAt,
        expiresAt: e.expiresAt,
        changedAt: e.at,
      });
    }
    return [...out.values()];
  }

  /** Removes the entries older than the history period (TS 23.141 §5.1); resolves to how many. */
  purge(): Promise<number> {
    return this.opts.store.purgeBefore(this.opts.clock.now() - this.opts.historySeconds * 1000);
  }
}

/** The RFC 3857 §3.2 status and event after `step`, given what was logged before for it. */
/** One frozen object per status and event pair (there are a few dozen), shared by every entry of `last`. */
const LAST = new Map<string, Readonly<{ status: WatcherStatus; event: WatcherEvent }>>();

function lastOf(status: WatcherStatus, event: WatcherEvent): Readonly<{ status: WatcherStatus; event: WatcherEvent }> {
  const key = `${status} ${event}`;
  let last = LAST.get(key);
  if (!last) {
    last = Object.freeze({ status, event });
    LAST.set(key, last);
  }
  return last;
}

function transition(step: SubscriptionLifecycle, before: { status: WatcherStatus; event: WatcherEvent } | undefined): { status: WatcherStatus; event: WatcherEvent } {
  const state: WatcherStatus = step.record.state === 'pending' ? 'pending' : 'active';
  switch (step.kind) {
    case 'created':
    case 'fetched':
      return { status: state, event: 'subscribe' };
    case 'refused':
      return { status: 'terminated', event: 'rejected' };
    case 'terminated':
      return { status: 'terminated', event: REASON_EVENTS.has(step.reason) ? (step.reason as WatcherEvent) : 'deactivated' };
    case 'state':
      // The notifier reports a state step only when the state changed: to active is pending to active.
      return { status: state, event: state === 'active' ? 'approved' : 'subscribe' };
    case 'refreshed':
      // RFC 3857 §3.2.3: pending to active is `approved`; otherwise the event that led here stays.
      if (before?.status === 'pending' && state === 'active') return { status: state, event: 'approved' };
      return { status: state, event: before && before.status === state ? before.event : 'subscribe' };
  }
}
