import type { SubscriptionRecord } from '../../store/ports.js';

/** What the notifier keeps in memory per stored subscription. */
export interface Live {
  /**
   * The subscription as last stored (its local CSeq aside, which only the store advances). Replaced by
   * a new object on every change, never changed in place: queued NOTIFYs keep the snapshot they were
   * prepared from.
   */
  record: SubscriptionRecord;
  /** Hash of the state and body last queued, to skip NOTIFYs that would change nothing. */
  lastHash: string | undefined;
  /** Ended: in-dialog requests get 481, and only its final NOTIFY may still go out. */
  ended: boolean;
}

/**
 * The running subscriptions' records as the notifier holds them: {@link current} is the record as last
 * stored (undefined once ended), {@link save} stores a changed one and, once durable, makes it current.
 */
export interface CurrentRecords {
  current(id: string): SubscriptionRecord | undefined;
  save(record: SubscriptionRecord): Promise<void>;
}

/**
 * The subscriptions a notifier runs, in memory next to the store (an ended one stays until its final
 * NOTIFY went): each one's record as last stored, so that NOTIFYs and in-dialog requests need no store
 * read; the running ones of each resource per event package, in the order they were added; and how many
 * each resource has, counting those being created (for the limit of subscriptions per resource).
 */
export class LiveSubscriptions {
  private readonly live = new Map<string, Live>();
  /** Running subscriptions by {@link countKey}, in the order they were added. */
  private readonly byResource = new Map<string, Set<string>>();
  private readonly counts = new Map<string, number>();

  get(id: string): Live | undefined {
    return this.live.get(id);
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  /** Tracks stored subscription `record`, running; its count must have been added ({@link adjust}). */
  add(record: SubscriptionRecord): Live {
    const live: Live = { record, lastHash: undefined, ended: false };
    this.live.set(record.id, live);
    const key = countKey(record.resource, record.event);
    let ids = this.byResource.get(key);
    if (!ids) {
      ids = new Set();
      this.byResource.set(key, ids);
    }
    ids.add(record.id);
    return live;
  }

  /** The running subscriptions of `resource` to `event`, in the order they were added (a copy). */
  idsOf(resource: string, event: string): string[] {
    const ids = this.byResource.get(countKey(resource, event));
    return ids ? [...ids] : [];
  }

  /** Subscriptions running now (not ended). */
  get running(): number {
    let n = 0;
    for (const ids of this.byResource.values()) n += ids.size;
    return n;
  }

  /** Running subscriptions of `resource` to `event`, plus those being created. */
  countOf(resource: string, event: string): number {
    return this.counts.get(countKey(resource, event)) ?? 0;
  }

  /** Counts `delta` (+1, -1) more subscriptions of `resource` to `event`. */
  adjust(resource: string, event: string, delta: number): void {
    const key = countKey(resource, event);
    const n = (this.counts.get(key) ?? 0) + delta;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }

  /** Marks `live` ended: it no longer counts nor runs. */
  end(live: Live): void {
    live.ended = true;
    const { id, resource, event } = live.record;
    this.adjust(resource, event, -1);
    const key = countKey(resource, event);
    const ids = this.byResource.get(key);
    if (ids?.delete(id) && !ids.size) this.byResource.delete(key);
  }

  /** Forgets an ended subscription (its final NOTIFY went, or none will). */
  delete(id: string): void {
    this.live.delete(id);
  }

  clear(): void {
    this.live.clear();
    this.byResource.clear();
    this.counts.clear();
  }
}

/** The key of a resource's subscriptions to one event package. */
export function countKey(resource: string, event: string): string {
  return `${event}\n${resource}`;
}
