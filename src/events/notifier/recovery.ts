import type { SubscriptionRecord } from '../../store/ports.js';
import type { PackageRegistry } from '../package-registry.js';
import type { LiveSubscriptions } from './live-subscriptions.js';

/** Counts of {@link Notifier.recover}. */
export interface NotifierRecovery {
  /** Subscriptions still running, whose expiry is scheduled again. */
  readonly active: number;
  /** Subscriptions found expired (or of a package no longer served), ended with a final NOTIFY. */
  readonly ended: number;
}

/**
 * Takes over stored subscriptions after a restart (at `now`, ms): each one not yet tracked is tracked
 * in `live` and counted; those of a package no longer registered are to end with reason `noresource`,
 * expired or terminated ones with `timeout`; the others are handed to `resume` (to set their timers).
 * Returns how many run on and which to end, with the reason.
 */
export function takeOver(
  records: readonly SubscriptionRecord[],
  now: number,
  live: LiveSubscriptions,
  registry: PackageRegistry,
  resume: (r: SubscriptionRecord) => void,
): { active: number; ending: Array<[string, string]> } {
  const ending: Array<[string, string]> = [];
  let active = 0;
  for (const r of records) {
    if (live.has(r.id)) continue;
    live.adjust(r.resource, r.event, 1);
    live.add(r);
    if (!registry.get(r.event)) ending.push([r.id, 'noresource']);
    else if (r.expiresAt <= now || r.state === 'terminated') ending.push([r.id, 'timeout']);
    else {
      resume(r);
      active++;
    }
  }
  return { active, ending };
}
