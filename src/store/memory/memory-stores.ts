import type { Stores } from '../ports.js';
import { MemoryBindingStore } from './binding-store.js';
import { MemoryPublicationStore } from './publication-store.js';
import { MemorySubscriberStore } from './subscriber-store.js';
import { MemorySubscriptionStore } from './subscription-store.js';
import { MemoryXcapDocumentStore } from './xcap-document-store.js';
import { MemoryWatcherInfoStore } from './watcher-info-store.js';

/**
 * All stores in process memory: for tests and for deployments that accept losing state on restart.
 * A write's promise resolves once the state is in this process's memory, which a kill -9 loses: the
 * durability contract of the ports holds only up to the process's life.
 *
 * Reads and writes copy records (see ./copy.ts): no caller ever holds a stored object. Buffers returned by
 * reads are shared with the store and must not be mutated.
 */
export class MemoryStores implements Stores {
  readonly publications = new MemoryPublicationStore();
  readonly subscriptions = new MemorySubscriptionStore();
  readonly bindings = new MemoryBindingStore();
  readonly subscribers = new MemorySubscriberStore();
  readonly xcapDocuments = new MemoryXcapDocumentStore();
  readonly watcherInfo = new MemoryWatcherInfoStore();

  /** Drops all state; later store calls reject with `ERR_STORE_CLOSED`. Safe to call twice. */
  async close(): Promise<void> {
    this.publications.close();
    this.subscriptions.close();
    this.bindings.close();
    this.subscribers.close();
    this.xcapDocuments.close();
    this.watcherInfo.close();
  }
}
