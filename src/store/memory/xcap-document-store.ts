import type { XcapDocumentRecord, XcapDocumentStore, XcapTree } from '../ports.js';
import { storeClosed } from '../errors.js';
import { compareCodePoints } from './code-point-order.js';
import { copyXcapDocument } from './copy.js';
import { pairKey } from './record-table.js';

/** The key of a document within its application usage. */
function docKey(tree: XcapTree, xui: string, name: string): string {
  return `${tree}:${pairKey(xui, name)}`;
}

/** xui, then name, then tree, by code point (the order of `XcapDocumentStore.list`). */
function listOrder(a: XcapDocumentRecord, b: XcapDocumentRecord): number {
  return compareCodePoints(a.xui, b.xui) || compareCodePoints(a.name, b.name) || compareCodePoints(a.tree, b.tree);
}

/**
 * XCAP documents in process memory (volatile), grouped by application usage. A conditional write checks
 * the entity tag and stores with no await in between, so it is atomic.
 */
export class MemoryXcapDocumentStore implements XcapDocumentStore {
  /** auid -> docKey -> document. */
  private readonly byAuid = new Map<string, Map<string, XcapDocumentRecord>>();
  private closed = false;

  async get(auid: string, tree: XcapTree, xui: string, name: string): Promise<XcapDocumentRecord | undefined> {
    this.check();
    const r = this.byAuid.get(auid)?.get(docKey(tree, xui, name));
    return r && copyXcapDocument(r, false);
  }

  async put(record: XcapDocumentRecord, expectedEtag: string | null | undefined): Promise<boolean> {
    this.check();
    const key = docKey(record.tree, record.xui, record.name);
    let docs = this.byAuid.get(record.auid);
    if (!holds(docs?.get(key), expectedEtag)) return false;
    if (!docs) this.byAuid.set(record.auid, (docs = new Map()));
    docs.set(key, copyXcapDocument(record, true));
    return true;
  }

  async remove(auid: string, tree: XcapTree, xui: string, name: string, expectedEtag: string | null): Promise<boolean> {
    this.check();
    const docs = this.byAuid.get(auid);
    const key = docKey(tree, xui, name);
    const current = docs?.get(key);
    if (!current || !holds(current, expectedEtag)) return false;
    docs!.delete(key);
    if (docs!.size === 0) this.byAuid.delete(auid);
    return true;
  }

  async list(auid: string, xui?: string): Promise<XcapDocumentRecord[]> {
    this.check();
    const docs = [...(this.byAuid.get(auid)?.values() ?? [])];
    return docs
      .filter((r) => xui === undefined || r.xui === xui)
      .sort(listOrder)
      .map((r) => copyXcapDocument(r, false));
  }

  /** Drops every document; later calls reject with `ERR_STORE_CLOSED`. */
  close(): void {
    this.closed = true;
    this.byAuid.clear();
  }

  private check(): void {
    if (this.closed) throw storeClosed();
  }
}

/** Whether the write condition holds for the current version (see `XcapDocumentStore.put`). */
function holds(current: XcapDocumentRecord | undefined, expectedEtag: string | null | undefined): boolean {
  if (expectedEtag === null) return true;
  if (expectedEtag === undefined) return current === undefined;
  return current !== undefined && current.etag === expectedEtag;
}
