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
 * The subscriptions of one resource to one event package: how many, counting those being created, and
 * the running ones' ids in the order they were added: the id alone while there is one (most resources
 * have one watcher, and a Set costs about 150 bytes), a Set from the second on.
 */
interface ResourceEntry {
  count: number;
  ids: string | Set<string> | undefined;
}

/**
 * The subscriptions a notifier runs, in memory next to the store (an ended one stays until its final
 * NOTIFY went): each one's record as last stored, so that NOTIFYs and in-dialog requests need no store
 * read; the running ones of each resource per event package, in the order they were added; and how many
 * each resource has, counting those being created (for the limit of subscriptions per resource).
 */
export class LiveSubscriptions {
  private readonly live = new Map<string, Live>();
  /** Subscriptions by {@link countKey} (an entry goes when its count falls to 0). */
  private readonly resources = new Map<string, ResourceEntry>();
  private runningCount = 0;

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
    const entry = this.resources.get(countKey(record.resource, record.event));
    if (!entry) throw new Error(`subscription ${record.id} added without its count`);
    const { ids } = entry;
    if (ids === undefined) entry.ids = record.id;
    else if (typeof ids === 'string') entry.ids = new Set([ids, record.id]);
    else ids.add(record.id);
    this.runningCount++;
    return live;
  }

  /** The running subscriptions of `resource` to `event`, in the order they were added (a copy). */
  idsOf(resource: string, event: string): string[] {
    const ids = this.resources.get(countKey(resource, event))?.ids;
    if (ids === undefined) return [];
    return typeof ids === 'string' ? [ids] : [...ids];
  }

  /** Subscriptions running now (not ended). */
  get running(): number {
    return this.runningCount;
  }

  /** Running subscriptions of `resource` to `event`, plus those being created. */
  countOf(resource: string, event: string): number {
    return this.resources.get(countKey(resource, event))?.count ?? 0;
  }

  /** Counts `delta` (+1, -1) more subscriptions of `resource` to `event`. */
  adjust(resource: string, event: string, delta: number): void {
    const key = countKey(resource, event);
    const entry = this.resources.get(key);
    if (!entry) {
      if (delta > 0) this.resources.set(key, { count: delta, ids: undefined });
    } else if ((entry.count += delta) <= 0) {
      this.resources.delete(key);
    }
  }

  /** Marks `live` ended: it no longer counts nor runs (ending it again does nothing). */
  end(live: Live): void {
    if (live.ended) return;
    live.ended = true;
    const { id, resource, event } = live.record;
    const entry = this.resources.get(countKey(resource, event));
    if (entry) {
      const { ids } = entry;
      if (ids === id) {
        entry.ids = undefined;
        this.runningCount--;
      } else if (typeof ids === 'object' && ids.delete(id)) {
        if (ids.size === 1) entry.ids = ids.values().next().value!;
        this.runningCount--;
      }
    }
    this.adjust(resource, event, -1);
  }

  /** Forgets an ended subscription (its final NOTIFY went, or none will). */
  delete(id: string): void {
    this.live.delete(id);
  }

  clear(): void {
    this.live.clear();
    this.resources.clear();
    this.runningCount = 0;
  }
}

/** The key of a resource's subscriptions to one event package. */
export function countKey(resource: string, event: string): string {
  return `${event}\n${resource}`;
}
