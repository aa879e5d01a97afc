import type { BindingRecord, BindingStore } from '../ports.js';
import { storeClosed } from '../errors.js';
import { bindingKeysOf } from '../binding-keys.js';
import { copyBinding } from './copy.js';
import { RecordTable, pairKey } from './record-table.js';

/**
 * Registrar bindings in process memory (volatile), indexed by (aor, binding key), by aor and by expiry.
 * An AOR's bindings list in the order `replaceAor` was given them; expired ones earliest first.
 */
export class MemoryBindingStore implements BindingStore {
  private readonly table = new RecordTable<BindingRecord>((r) => r.expiresAt);
  private closed = false;

  async listByAor(aor: string): Promise<BindingRecord[]> {
    this.check();
    return this.table.list(aor).map(copyBinding);
  }

  async replaceAor(aor: string, bindings: BindingRecord[]): Promise<void> {
    this.check();
    const keys = bindingKeysOf(aor, bindings);
    const stored = bindings.map(copyBinding);
    // RFC 3261 §10.3 step 8: the REGISTER is applied whole; nothing awaits between removal and insertion.
    this.table.deleteGroup(aor);
    stored.forEach((b, i) => this.table.set(pairKey(aor, keys[i]!), aor, b));
  }

  async listExpired(now: number): Promise<BindingRecord[]> {
    this.check();
    return this.table.expired(now).map(copyBinding);
  }

  async remove(aor: string, key: string): Promise<void> {
    this.check();
    this.table.delete(pairKey(aor, key));
  }

  /** Drops every binding; later calls reject with `ERR_STORE_CLOSED`. */
  close(): void {
    this.closed = true;
    this.table.clear();
  }

  private check(): void {
    if (this.closed) throw storeClosed();
  }
}
