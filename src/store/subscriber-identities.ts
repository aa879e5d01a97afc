import type { SubscriberRecord } from './ports.js';
import { StoreError } from './errors.js';

/** The error of a subscriber write that would give an identity or username two owners; see `SubscriberStore.put`. */
export function subscriberConflict(message: string): StoreError {
  return new StoreError(message, 'ERR_STORE_CONFLICT');
}

/**
 * Every identity of a subscriber record: its AOR, then its aliases in order. Every adapter runs this before
 * changing anything, so a record naming one identity twice is refused the same way everywhere.
 *
 * @throws StoreError `ERR_STORE_CONFLICT` when an identity appears twice (an alias equal to the AOR or to
 *   another alias).
 */
export function identitiesOf(record: SubscriberRecord): string[] {
  const identities = [record.aor, ...record.aliases];
  const seen = new Set<string>();
  for (const identity of identities) {
    if (seen.has(identity)) throw subscriberConflict(`subscriber ${record.aor} names the identity ${identity} twice`);
    seen.add(identity);
  }
  return identities;
}
