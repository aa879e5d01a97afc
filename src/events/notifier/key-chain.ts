/**
 * One chain of asynchronous operations per key: an operation starts after every earlier one of the same
 * key has settled (resolved or rejected); different keys do not wait for each other. The notifier runs
 * every change of one subscription through it, so a refresh, a state change and an expiry never
 * interleave.
 */
export class KeyChain {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` after the operations queued for `key` so far; resolves or rejects as `fn` does. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(fn);
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with an operation queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
