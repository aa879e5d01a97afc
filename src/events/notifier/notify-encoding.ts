import type { SubscriptionRecord } from '../../store/ports.js';
import type { KeyedQueue } from '../../util/keyed-queue.js';
import type { Logger } from '../../util/logger.js';
import type { PackageRegistry } from '../package-registry.js';
import type { CurrentRecords } from './live-subscriptions.js';
import type { NotifyContent } from './notify-request.js';

/**
 * The last step before a NOTIFY goes out: the package's {@link EventPackage.encode} hook (e.g. partial
 * notification, RFC 5263), told whether full state is due, and the `extra` entries the package asks to
 * keep stored once the NOTIFY's transaction ended. Full state is due for a subscription from
 * {@link requireFull} until its next NOTIFY is encoded.
 */
export class NotifyEncoding {
  private readonly fullDue = new Set<string>();

  constructor(
    private readonly registry: PackageRegistry,
    private readonly records: CurrentRecords,
    private readonly chain: KeyedQueue,
    private readonly log: Logger,
  ) {}

  /** The next NOTIFY of `id` must carry full state (after a SUBSCRIBE or a change of subscription state). */
  requireFull(id: string): void {
    this.fullDue.add(id);
  }

  /**
   * The content to send for `content` (queued for `record`), and the function to call with whether it
   * was delivered (a 2xx).
   */
  encode(record: SubscriptionRecord, content: NotifyContent, final: boolean): { content: NotifyContent; settled: (delivered: boolean) => void } {
    const pkg = this.registry.get(record.event);
    const fullState = final || this.fullDue.delete(record.id);
    if (!pkg?.encode) return { content, settled: () => undefined };
    const encoded = pkg.encode({ record, body: content.body, fullState });
    return {
      content: sent(content, encoded.body),
      settled: (delivered) => {
        const extra = encoded.settled?.(delivered);
        if (extra) this.persist(record.id, extra);
        // A final NOTIFY is the last: nothing is kept for it (a fetch never had a running subscription).
        if (final) pkg.forget?.(record.id);
      },
    };
  }

  /** `id` is gone: drops its state here and in its package. */
  forget(id: string, event: string): void {
    this.fullDue.delete(id);
    this.registry.get(event)?.forget?.(id);
  }

  /** Merges `extra` into the stored subscription, in its chain (after any SUBSCRIBE being processed). */
  private persist(id: string, extra: Record<string, unknown>): void {
    this.chain.run(id, async () => {
      const rec = this.records.current(id);
      if (rec) await this.records.save({ ...rec, extra: { ...rec.extra, ...extra } });
    }).catch((err: unknown) => this.log.error({ err, id }, 'could not store the subscription after a NOTIFY'));
  }
}

/** What goes out for `content` when the package encoded its body as `body` (none: without a body). */
function sent(content: NotifyContent, body: NotifyContent['body']): NotifyContent {
  if (body === content.body) return content;
  const { state, reason, retryAfter } = content;
  const out: { -readonly [K in keyof NotifyContent]: NotifyContent[K] } = { state };
  if (reason !== undefined) out.reason = reason;
  if (retryAfter !== undefined) out.retryAfter = retryAfter;
  if (body) out.body = body;
  return out;
}
