import { createHash } from 'node:crypto';
import type { SubscriptionRecord } from '../../store/ports.js';
import type { Logger } from '../../util/logger.js';
import type { EventPackage, NotifyBody } from '../event-package.js';
import type { QueuedNotify } from './notify-queue.js';
import type { NotifyContent } from './notify-request.js';

/** A NOTIFY waiting in the notifier's queue. */
export interface Job extends NotifyContent, QueuedNotify {
  readonly final: boolean;
  /** The subscription as it was when the NOTIFY was prepared (its dialog, flow and expiry). */
  readonly record: SubscriptionRecord;
  /** The CSeq, taken before queuing for final NOTIFYs (their record is already gone from the store). */
  readonly cseq?: number;
}

/** A subscription removed from the store whose final NOTIFY is still to be sent. */
export interface Retired {
  readonly record: SubscriptionRecord;
  readonly cseq: number;
}

/** The hashes computed for a body Buffer, by subscription state, with the Content-Type they are for. */
interface BodyHashes {
  readonly contentType: string;
  readonly byState: Map<string, string>;
}

function computeHash(content: NotifyContent): string {
  const h = createHash('sha1').update(content.state).update('\0');
  if (content.body) h.update(content.body.contentType).update('\0').update(content.body.body);
  return h.digest('base64');
}

/**
 * Hashes of NOTIFYs' subscription state and body, to skip NOTIFYs that would change nothing. A package
 * renders one Buffer per distinct view and hands the same one to every watcher with that view (a
 * NotifyBody is not changed once rendered), so hashes are kept by Buffer and a fan-out hashes each view
 * once; they go with their Buffer (weakly held).
 */
export class NotifyHashes {
  private readonly byBody = new WeakMap<Buffer, BodyHashes>();

  /** The hash of `content`'s state and body. */
  of(content: NotifyContent): string {
    const body = content.body;
    if (!body) return computeHash(content);
    let hashes = this.byBody.get(body.body);
    if (hashes?.contentType !== body.contentType) {
      hashes = { contentType: body.contentType, byState: new Map() };
      this.byBody.set(body.body, hashes);
    }
    let hash = hashes.byState.get(content.state);
    if (hash === undefined) {
      hash = computeHash(content);
      hashes.byState.set(content.state, hash);
    }
    return hash;
  }
}

/** What {@link renderBody} gives when the package failed (threw or rejected). */
export const RENDER_FAILED = Symbol('render failed');

/**
 * The package's NOTIFY body for `rec` in its preferred type (undefined: a NOTIFY without a body); a
 * package that throws is logged and gives {@link RENDER_FAILED}.
 */
export async function renderBody(pkg: EventPackage, rec: SubscriptionRecord, log: Logger): Promise<NotifyBody | undefined | typeof RENDER_FAILED> {
  try {
    return await pkg.render({ record: rec }, rec.accept[0] ?? pkg.notifyTypes[0]!);
  } catch (err) {
    log.error({ err, id: rec.id, event: rec.event }, 'event package failed to render a NOTIFY body');
    return RENDER_FAILED;
  }
}
