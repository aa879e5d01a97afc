import { bindingKey } from './ports.js';
import type { BindingRecord } from './ports.js';
import { StoreError } from './errors.js';

/**
 * Checks the bindings of one `BindingStore.replaceAor` call and returns their {@link bindingKey}s, in
 * order. Every adapter runs this before changing anything, so a bad call rejects the same way everywhere
 * and leaves the AOR untouched.
 *
 * @throws StoreError `ERR_STORE_BAD_BINDINGS` when a binding names another aor, or two share a key.
 */
export function bindingKeysOf(aor: string, bindings: readonly BindingRecord[]): string[] {
  const seen = new Set<string>();
  const keys: string[] = [];
  for (const b of bindings) {
    if (b.aor !== aor) {
      throw new StoreError(`binding ${b.contact} belongs to ${b.aor}, not to ${aor}`, 'ERR_STORE_BAD_BINDINGS');
    }
    const key = bindingKey(b);
    if (seen.has(key)) throw new StoreError(`two bindings of ${aor} have the key ${key}`, 'ERR_STORE_BAD_BINDINGS');
    seen.add(key);
    keys.push(key);
  }
  return keys;
}
