/**
 * Runs asynchronous tasks one at a time per key, in the order they were queued; tasks of different
 * keys run concurrently. The registrar queues per address-of-record, so REGISTERs of one AOR are
 * processed in the order received and each is applied whole (RFC 3261 §10.3). A key's entry is dropped
 * once its queue is empty, so memory stays bounded by the keys in use.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` after every task queued before it under `key`; settles as the task does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}
