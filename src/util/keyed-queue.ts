/**
 * One FIFO of asynchronous tasks per key: tasks with the same key run one at a time in the order they
 * were queued; tasks with different keys run independently (no global lock). The PUBLISHes of one
 * presentity (RFC 3903 §6: processed in the order received, and atomically) and the REGISTERs of one
 * address-of-record (RFC 3261 §10.3) go through one. A key's entry is dropped once its queue is empty,
 * so memory stays bounded by the keys in use.
 */
export class KeyedQueue {
  private readonly queues = new Map<string, { tail: Promise<void>; length: number }>();

  /**
   * @param maxLength most tasks (running and waiting) one key may hold before {@link tryRun} refuses a
   *   new one; a positive integer, or Infinity (the default).
   * @throws RangeError when maxLength is not a positive integer or Infinity.
   */
  constructor(private readonly maxLength = Infinity) {
    if (maxLength !== Infinity && (!Number.isInteger(maxLength) || maxLength < 1)) {
      throw new RangeError('maxLength must be a positive integer');
    }
  }

  /**
   * Queues `task` behind the tasks of `key` and resolves or rejects as it does; returns undefined,
   * queuing nothing, when the key already holds `maxLength` tasks.
   */
  tryRun<T>(key: string, task: () => Promise<T>): Promise<T> | undefined {
    if ((this.queues.get(key)?.length ?? 0) >= this.maxLength) return undefined;
    return this.run(key, task);
  }

  /** Queues `task` behind the tasks of `key` whatever the queue length (for internal work such as expiry). */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let q = this.queues.get(key);
    if (!q) {
      q = { tail: Promise.resolve(), length: 0 };
      this.queues.set(key, q);
    }
    const entry = q;
    entry.length++;
    const result = entry.tail.then(task);
    entry.tail = result.then(
      () => this.done(key, entry),
      () => this.done(key, entry),
    );
    return result;
  }

  /** Tasks queued or running for `key`. */
  lengthOf(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  /** Resolves once every task queued so far (and any queued behind them meanwhile) has settled. */
  async drain(): Promise<void> {
    while (this.queues.size) await Promise.all([...this.queues.values()].map((q) => q.tail));
  }

  private done(key: string, entry: { length: number }): void {
    entry.length--;
    if (entry.length === 0 && this.queues.get(key) === entry) this.queues.delete(key);
  }
}
