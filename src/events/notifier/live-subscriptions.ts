/** What the notifier keeps in memory per stored subscription. */
export interface Live {
  readonly resource: string;
  readonly event: string;
  /** ms since the epoch. */
  expiresAt: number;
  /** Hash of the state and body last queued, to skip NOTIFYs that would change nothing. */
  lastHash: string | undefined;
  /** Ended: in-dialog requests get 481, and only its final NOTIFY may still go out. */
  ended: boolean;
}

/**
 * The subscriptions a notifier runs, in memory next to the store (an ended one stays until its final
 * NOTIFY went), and how many running subscriptions each resource has per event package (for the limit
 * of subscriptions per resource).
 */
export class LiveSubscriptions {
  private readonly live = new Map<string, Live>();
  private readonly counts = new Map<string, number>();

  get(id: string): Live | undefined {
    return this.live.get(id);
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  /** Tracks subscription `id`, running; its count must have been added ({@link adjust}). */
  add(id: string, resource: string, event: string, expiresAt: number): Live {
    const live: Live = { resource, event, expiresAt, lastHash: undefined, ended: false };
    this.live.set(id, live);
    return live;
  }

  /** Subscriptions running now (not ended). */
  get running(): number {
    let n = 0;
    for (const l of this.live.values()) if (!l.ended) n++;
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

  /** Marks `live` ended: it no longer counts. */
  end(live: Live): void {
    live.ended = true;
    this.adjust(live.resource, live.event, -1);
  }

  delete(id: string): void {
    this.live.delete(id);
  }

  clear(): void {
    this.live.clear();
    this.counts.clear();
  }
}

/** The key of a resource's subscriptions to one event package. */
export function countKey(resource: string, event: string): string {
  return `${event}\n${resource}`;
}
