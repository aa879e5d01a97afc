import type { WatcherInfoRecord, WatcherInfoStore } from '../ports.js';
import { storeClosed } from '../errors.js';

/**
 * The watcher-information log in process memory (volatile): one append-ordered list per presentity and
 * package. Reads and writes copy the records.
 */
export class MemoryWatcherInfoStore implements WatcherInfoStore {
  /** `package\npresentity` -> entries in append order. */
  private readonly logs = new Map<string, WatcherInfoRecord[]>();
  private closed = false;

  async append(record: WatcherInfoRecord): Promise<void> {
    this.check();
    const key = `${record.package}\n${record.presentity}`;
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = []));
    log.push({ ...record });
  }

  async listByPresentity(presentity: string, pkg: string, since: number): Promise<WatcherInfoRecord[]> {
    this.check();
    return (this.logs.get(`${pkg}\n${presentity}`) ?? []).filter((r) => r.at >= since).map((r) => ({ ...r }));
  }

  async purgeBefore(before: number): Promise<number> {
    this.check();
    let removed = 0;
    for (const [key, log] of this.logs) {
      const kept = log.filter((r) => r.at >= before);
      removed += log.length - kept.length;
      if (kept.length === 0) this.logs.delete(key);
      else this.logs.set(key, kept);
    }
    return removed;
  }

  /** Drops every entry; later calls reject with `ERR_STORE_CLOSED`. */
  close(): void {
    this.closed = true;
    this.logs.clear();
  }

  private check(): void {
    if (this.closed) throw storeClosed();
  }
}
