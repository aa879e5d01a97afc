import type { EncodeContext, EncodedNotify } from '../../events/event-package.js';
import type { SubscriptionRecord } from '../../store/ports.js';
import { buildPidfDiff, buildPidfFull, PIDF_DIFF } from './pidf-diff.js';

/** The `extra` key of a subscription record holding the last pidf-diff version delivered (RFC 5263 §4.4). */
export const VERSION_KEY = 'pidfDiffVersion';

/** What a subscriber last received: the version and the full view it stands for (absent: resynchronise). */
interface Delivered {
  readonly version: number;
  readonly view: Buffer | undefined;
}

function storedVersion(record: Readonly<SubscriptionRecord>): number {
  const v = record.extra?.[VERSION_KEY];
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

/**
 * Partial notification (RFC 5263) for subscriptions whose Accept includes application/pidf-diff+xml:
 * their PIDF views go out as <pidf-full> first and whenever full state is due (after every SUBSCRIBE,
 * RFC 5263 §4.4; after a NOTIFY that was not delivered; after a restart), else as a <pidf-diff> against
 * the view last delivered, or as <pidf-full> when the diff would not be smaller. The version starts at 1
 * and grows by one per delivered document (RFC 5263 §4.4); it is kept in memory per subscription id and
 * returned for the record's `extra` (key {@link VERSION_KEY}), so after a restart the subscription goes
 * on with full state at the next version.
 */
export class PartialNotifications {
  private readonly delivered = new Map<string, Delivered>();

  /** @param pidf the media type of full documents (application/pidf+xml) the package renders. */
  constructor(private readonly pidf: string) {}

  /** The body to send for `ctx` (the package's {@link EventPackage.encode}). */
  encode(ctx: EncodeContext): EncodedNotify {
    const { record, body } = ctx;
    if (!body || body.contentType !== this.pidf || !record.accept.includes(PIDF_DIFF)) return { body };
    const last = this.delivered.get(record.id);
    // RFC 5263 §4.4: the version increments by one over the last document successfully sent.
    const version = (last?.version ?? storedVersion(record)) + 1;
    // RFC 5263 §4.4: the first document is full state (<pidf-full>), as after every SUBSCRIBE.
    const diff = !ctx.fullState && last?.view ? buildPidfDiff(last.view, body.body, version) : undefined;
    const encoded = diff ?? buildPidfFull(body.body, version);
    return {
      body: { contentType: PIDF_DIFF, body: encoded },
      settled: (ok) => {
        if (!ok) {
          // Not received: the next document is full state, and the version does not move.
          if (last) this.delivered.set(record.id, { version: last.version, view: undefined });
          return undefined;
        }
        this.delivered.set(record.id, { version, view: body.body });
        return { [VERSION_KEY]: version };
      },
    };
  }

  /** The subscription is gone (RFC 5263 §4.4: its version is reset only then). */
  forget(id: string): void {
    this.delivered.delete(id);
  }
}
