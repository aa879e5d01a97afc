import type { EventType } from '../../sip/message/types.js';
import type { SubscriptionRecord } from '../../store/ports.js';
import type { Clock } from '../../util/clock.js';
import type { KeyedQueue } from '../../util/keyed-queue.js';
import type { Logger } from '../../util/logger.js';
import type { CurrentRecords } from './live-subscriptions.js';
import type { NotifyQueue, QueuedNotify } from './notify-queue.js';
import { ratesAfterResponse, withRates } from './rate-control.js';
import type { RateControlPolicy } from './rate-control.js';

/** What this needs of a queued NOTIFY: the subscription snapshot it is sent (and paced) from. */
export interface RecordedNotify extends QueuedNotify {
  readonly record: SubscriptionRecord;
}

/**
 * Rates changed in the 2xx to a NOTIFY (RFC 6446 §4.1: a subscriber updates them in "a 2xx response to
 * the NOTIFY request"; §5.2, §6.2, §7.2: the notifier MUST extract them from it): agrees them as
 * {@link ratesAfterResponse} says, stores them (one write, only when they change) and puts them in the
 * NOTIFY waiting in the queue, so that rate control and the Subscription-State of the next NOTIFY use them.
 */
export class ResponseRates<J extends RecordedNotify> {
  constructor(
    private readonly records: CurrentRecords,
    private readonly chain: KeyedQueue,
    private readonly queue: NotifyQueue<J>,
    private readonly policy: RateControlPolicy,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * Takes the Event header `event` of the 2xx answering a NOTIFY of subscription `id` (none: nothing
   * changes). Runs in the subscription's chain; resolves once done, to whether the rates changed; never
   * rejects (failures are logged).
   */
  async answered(id: string, event: EventType | undefined): Promise<boolean> {
    if (!event) return false;
    try {
      return await this.chain.run(id, async () => {
        const rec = this.records.current(id);
        if (!rec || rec.state === 'terminated') return false;
        const rates = ratesAfterResponse(rec, event, this.policy, this.clock.now());
        if (!rates) return false;
        await this.records.save({ ...rec, extra: withRates(rec.extra, rates) });
        this.queue.update(id, (job) => ({ ...job, record: { ...job.record, extra: withRates(job.record.extra, rates) } }));
        return true;
      });
    } catch (err) {
      this.log.error({ err, id }, 'could not store the rates of a NOTIFY response');
      return false;
    }
  }
}
