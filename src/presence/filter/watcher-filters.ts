import { SipError } from '../../sip/message/sip-error.js';
import { LruCache } from '../../util/lru.js';
import type { PresenceDocument } from '../pidf/model.js';
import { serializePidf } from '../pidf/serialize.js';
import type { HeldFilters } from './filter-set.js';
import { applicableFilter, mergeFilters, serializeFilters } from './filter-set.js';
import { SIMPLE_FILTER } from './model.js';
import { parseFilterSet } from './parse-filter-set.js';
import { fires } from './trigger.js';
import type { Publishers } from './what.js';
import { applyWhat } from './what.js';

/** The subscription as the filter step needs it. */
export interface FilteredSubscription {
  readonly id: string;
  readonly resource: string;
  readonly watcher: string;
  /** The stored SUBSCRIBE body: the filters it holds. */
  readonly body?: { readonly contentType: string; readonly data: Buffer };
}

/** What the filter step remembers of a subscription: the raw view and body last rendered for sending. */
interface Sent {
  /** The stored filter body it was rendered with: another one is a new filter (RFC 4660 §5.3). */
  readonly filters: string;
  readonly baseline: PresenceDocument;
  readonly body: Buffer;
}

/**
 * The event notification filters of the subscriptions to one package (RFC 4660, RFC 4661): accepts the
 * filter sets of SUBSCRIBEs ({@link accept}) and applies them to the watcher's authorised view when a
 * NOTIFY body is rendered ({@link render}). What each subscription was last sent is kept in memory, at
 * most `size` subscriptions (least recently rendered dropped): one forgotten (or after a restart) is
 * rendered as if its filter had just been placed, so it gets the current filtered view once.
 */
export class WatcherFilters {
  /** Parsed stored filter sets by their text (undefined value: none usable). */
  private readonly held = new LruCache<string, { readonly value: HeldFilters | undefined }>(1000);
  private readonly sent: LruCache<string, Sent>;

  constructor(
    private readonly pkg: string,
    size = 10_000,
  ) {
    this.sent = new LruCache(size);
  }

  /**
   * Merges the filter set of a SUBSCRIBE (`body`) into those the subscription holds (`previous`, its
   * stored body; undefined for a new subscription) and returns the filter set to store (RFC 4660
   * §5.2.2: same id replaces, remove="true" removes, others are kept).
   * @throws SipError 488 with a Warning naming the defect when the filter set cannot be applied (RFC 4660
   *   §5.4, §5.2); nothing has changed then.
   */
  accept(body: Buffer, previous: Buffer | undefined, resource: string): Buffer {
    const incoming = parseFilterSet(body, this.pkg);
    const prior = previous && this.heldOf(previous);
    const merged = incoming.ok ? mergeFilters(prior, incoming.value, resource) : incoming;
    if (!merged.ok) {
      // RFC 4660 §5.4: an invalid filter is rejected with 488; a Warning may say why (RFC 3261 §20.43: 399 misc).
      throw new SipError(488, 'Not Acceptable Here', [['Warning', `399 presenced "${merged.defect.replace(/["\\]/g, "'")}"`]]);
    }
    return serializeFilters(merged.value, this.pkg);
  }

  /**
   * The NOTIFY body for `sub` from its authorised view `view`, or undefined when it holds no filter that
   * applies (the caller sends the view as it is). With a <what>, the view as it selects (RFC 4660
   * §5.3.1); with triggers, the body last rendered unless a trigger fires on the change of the raw view
   * since then (§5.3.2), so the notifier, which sends only changed bodies, sends nothing. The first
   * rendering with a filter ignores its triggers (§5.3.1).
   */
  render(sub: FilteredSubscription, view: PresenceDocument, publishers: Publishers): Buffer | undefined {
    const stored = sub.body && sub.body.contentType.split(';', 1)[0]!.trim().toLowerCase() === SIMPLE_FILTER ? sub.body.data : undefined;
    const held = stored && this.heldOf(stored);
    const filter = held && applicableFilter(held, sub.resource);
    if (!filter) {
      this.sent.delete(sub.id);
      return undefined;
    }
    const key = stored.toString('utf8');
    const last = this.sent.get(sub.id);
    if (last && last.filters === key && filter.triggers.length && !fires(filter.triggers, last.baseline, view)) return last.body;
    const body = serializePidf(filter.what ? applyWhat(view, filter.what, sub.watcher, publishers) : view);
    this.sent.set(sub.id, { filters: key, baseline: view, body });
    return body;
  }

  /** The subscription `id` is gone: drops what was kept for it. */
  forget(id: string): void {
    this.sent.delete(id);
  }

  private heldOf(stored: Buffer): HeldFilters | undefined {
    const key = stored.toString('utf8');
    const cached = this.held.get(key);
    if (cached) return cached.value;
    const p = parseFilterSet(stored, this.pkg, true);
    // A stored filter set was checked when it was accepted; one that no longer parses counts as none.
    const value = p.ok ? { bindings: p.value.bindings, filters: p.value.entries.flatMap((e) => (e.remove ? [] : [e])) } : undefined;
    this.held.set(key, { value });
    return value;
  }
}
