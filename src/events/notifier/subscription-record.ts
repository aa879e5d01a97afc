import type { DialogState } from '../../sip/dialog/dialog-state.js';
import type { Flow } from '../../sip/transport/types.js';
import type { SubscriptionRecord } from '../../store/ports.js';
import { withLocalTarget } from './local-target.js';

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

/** The CSeq of a subscription's first NOTIFY (RFC 3261 §12.2.1.1: any number below 2^31 may start a sequence). */
export const FIRST_NOTIFY_CSEQ = 1;

/** The flow a NOTIFY goes back on (RFC 5626): the source of the SUBSCRIBE and its connection. */
export function flowOf(flow: Flow): NonNullable<SubscriptionRecord['flow']> {
  return { transport: flow.transport, address: flow.remoteAddress, port: flow.remotePort, flowId: flow.id };
}

/**
 * The record of a new subscription in state `pending` (the package has not decided yet), whose id is the
 * dialog's local tag, with no NOTIFY sent yet (local CSeq 0).
 */
export function newSubscriptionRecord(dialog: DialogState, s: NewSubscription): SubscriptionRecord {
  const record: SubscriptionRecord = {
    id: dialog.localTag,
    resource: s.resource,
    event: s.event,
    state: 'pending',
    watcher: s.watcher,
    callId: dialog.callId,
    localTag: dialog.localTag,
    remoteTag: dialog.remoteTag,
    localUri: dialog.localUri,
    remoteUri: dialog.remoteUri,
    remoteTarget: dialog.remoteTarget,
    routeSet: dialog.routeSet,
    localCSeq: 0,
    remoteCSeq: dialog.remoteSeq ?? 0,
    secure: dialog.secure,
    flow: flowOf(s.flow),
    accept: s.accept,
    expiresAt: s.now + s.expires * 1000,
    createdAt: s.now,
    extra: withLocalTarget(undefined, s.localTarget),
  };
  if (s.eventId !== undefined) record.eventId = s.eventId;
  if (s.watcherDisplayName !== undefined) record.watcherDisplayName = s.watcherDisplayName;
  if (s.body) record.body = s.body;
  return record;
}
