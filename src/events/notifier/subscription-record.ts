import type { DialogState } from '../../sip/dialog/dialog-state.js';
import type { Flow } from '../../sip/transport/types.js';
import type { SubscriptionRecord } from '../../store/ports.js';
import { withLocalTarget } from './local-target.js';
import { detached, detachedBytes } from './record-parts.js';
import type { RecordParts } from './record-parts.js';

/** What a new subscription is made of besides its dialog (all from the initial SUBSCRIBE). */
export interface NewSubscription {
  /** The canonical AOR of the Request-URI. */
  readonly resource: string;
  /** The package name and the Event `id` parameter (RFC 6665 §4.2.1.1, §4.5.2: both are stored). */
  readonly event: string;
  readonly eventId: string | undefined;
  readonly watcher: string;
  readonly watcherDisplayName: string | undefined;
  /** The negotiated NOTIFY types, preferred first. */
  readonly accept: string[];
  readonly body: { contentType: string; data: Buffer } | undefined;
  /** Granted duration, seconds. */
  readonly expires: number;
  /** Our Contact URI in the dialog. */
  readonly localTarget: string;
  /** The flow the SUBSCRIBE arrived on. */
  readonly flow: Flow;
  /** The current time, ms since the epoch. */
  readonly now: number;
}

/** The route set of every record without one: one frozen empty list (an empty array costs 32 bytes). */
const NO_ROUTES = Object.freeze([]) as readonly string[] as string[];

/** `same` when `text` equals it (the dialog URIs are often the resource and the watcher), else a detached copy of `text`. */
function detachedOr(text: string, same: string): string {
  return text === same ? same : detached(text);
}

/** The CSeq of a subscription's first NOTIFY (RFC 3261 §12.2.1.1: any number below 2^31 may start a sequence). */
export const FIRST_NOTIFY_CSEQ = 1;

/**
 * The record of a new subscription in state `pending` (the package has not decided yet), whose id is the
 * dialog's local tag, with no NOTIFY sent yet (local CSeq 0). Its text taken from the request is
 * {@link detached}, and the parts it has in common with other records come from `parts`: the notifier
 * keeps the record as long as the subscription runs.
 */
export function newSubscriptionRecord(dialog: DialogState, s: NewSubscription, parts: RecordParts): SubscriptionRecord {
  const resource = detached(s.resource);
  const watcher = detached(s.watcher);
  const record: SubscriptionRecord = {
    id: dialog.localTag,
    resource,
    event: s.event,
    state: 'pending',
    watcher,
    callId: detached(dialog.callId),
    localTag: dialog.localTag,
    remoteTag: detached(dialog.remoteTag),
    localUri: detachedOr(dialog.localUri, resource),
    remoteUri: detachedOr(dialog.remoteUri, watcher),
    remoteTarget: detached(dialog.remoteTarget),
    routeSet: dialog.routeSet.length ? dialog.routeSet.map(detached) : NO_ROUTES,
    localCSeq: 0,
    remoteCSeq: dialog.remoteSeq ?? 0,
    secure: dialog.secure,
    flow: parts.flow(s.flow),
    accept: parts.accept(s.accept),
    expiresAt: s.now + s.expires * 1000,
    createdAt: s.now,
    extra: withLocalTarget(undefined, s.localTarget),
  };
  if (s.eventId !== undefined) record.eventId = detached(s.eventId);
  if (s.watcherDisplayName !== undefined) record.watcherDisplayName = detached(s.watcherDisplayName);
  if (s.body) record.body = { contentType: detached(s.body.contentType), data: detachedBytes(s.body.data) };
  return record;
}
