import { canonicalAorOfText } from '../../../src/sip/core/aor-text.js';
import { SubscriberRegistry } from '../../../src/hss/subscriber-registry.js';
import { MemoryStores } from '../../../src/store/memory/memory-stores.js';
import type { Stores } from '../../../src/store/ports.js';
import { FakeClock } from '../../../src/util/clock.js';

/** A registry for realm `example.com` over fresh memory stores, on a FakeClock at 1,000,000 ms. */
export function registryFixture(stores: Stores = new MemoryStores()): { registry: SubscriberRegistry; stores: Stores; clock: FakeClock } {
  const clock = new FakeClock(1_000_000);
  const registry = new SubscriberRegistry({ store: stores.subscribers, realm: 'example.com', canonicalIdentity: (t) => canonicalAorOfText(t), clock });
  return { registry, stores, clock };
}
