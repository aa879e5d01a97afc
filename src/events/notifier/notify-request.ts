import type { DialogState } from '../../sip/dialog/dialog-state.js';
import { buildInDialogRequest } from '../../sip/dialog/in-dialog-request.js';
import { formatSubscriptionState } from '../../sip/message/format.js';
import type { SipRequest } from '../../sip/message/message.js';
import type { SubscriptionRecord } from '../../store/ports.js';
import type { NotifyBody } from '../event-package.js';
import { rateStateParams } from './rate-control.js';

/** What one NOTIFY says: the subscription state (RFC 6665 §8.2.3) and the body, if any. */
export interface NotifyContent {
  readonly state: 'active' | 'pending' | 'terminated';
  /** With `terminated`: why (RFC 6665 §4.1.3: deactivated, probation, rejected, timeout, giveup, noresource, invariant). */
  readonly reason?: string;
  /** With `terminated`: seconds before the subscriber should try again. */
  readonly retryAfter?: number;
  /** The body from the package's render, or undefined for a NOTIFY without one. */
  readonly body?: NotifyBody;
}

/** The dialog state embedded in a subscription record (the notifier is the UAS of the SUBSCRIBE). */
export function dialogOf(r: Readonly<SubscriptionRecord>): DialogState {
  return {
    callId: r.callId,
    localTag: r.localTag,
    remoteTag: r.remoteTag,
    localUri: r.localUri,
    remoteUri: r.remoteUri,
    remoteTarget: r.remoteTarget,
    routeSet: r.routeSet,
    localSeq: r.localCSeq,
    remoteSeq: r.remoteCSeq,
    secure: r.secure,
  };
}

/**
 * The Subscription-State value (RFC 6665 §4.2.2, §8.2.3): `active;expires=N` / `pending;expires=N` with
 * the whole seconds left at `now` (rounded down, so the notifier never lengthens the subscription), or
 * `terminated;reason=…[;retry-after=N]` (no expires: §4.1.3 says notifiers SHOULD NOT send it).
 * @param expiresAt when the subscription expires, ms since the epoch
 * @param now the current time, ms since the epoch
 * @param params more parameters of `active` / `pending`, e.g. the RFC 6446 rates
 */
export function subscriptionStateValue(content: NotifyContent, expiresAt: number, now: number, params: ReadonlyMap<string, string> = new Map()): string {
  if (content.state === 'terminated') {
    // RFC 6665 §4.2.2: with "terminated" the notifier SHOULD include a reason.
    return formatSubscriptionState({
      state: 'terminated',
      reason: content.reason ?? 'noresource',
      ...(content.retryAfter !== undefined ? { retryAfter: content.retryAfter } : {}),
      params: new Map(),
    });
  }
  // RFC 6665 §4.2.2: with "active" or "pending" the notifier MUST include expires (time remaining).
  const expires = Math.max(0, Math.floor((expiresAt - now) / 1000));
  return formatSubscriptionState({ state: content.state, expires, params: new Map(params) });
}

/**
 * The NOTIFY of a subscription with CSeq `cseq` (RFC 6665 §4.2.2, RFC 3261 §12.2.1.1): an in-dialog
 * request carrying Event (with the subscription's `id` parameter, RFC 6665 §4.5.2), Subscription-State,
 * Contact `localTarget`, and the body with its Content-Type when there is one. The sender adds the Via.
 * @param now the current time (ms), for the remaining seconds of Subscription-State
 */
export function buildNotify(r: Readonly<SubscriptionRecord>, cseq: number, content: NotifyContent, localTarget: string, now: number): SipRequest {
  const req = buildInDialogRequest(dialogOf(r), 'NOTIFY', cseq, localTarget);
  // RFC 6665 §3.2.1: the Event of a NOTIFY MUST match the Event of the SUBSCRIBE (§8.2.1: type and id).
  req.headers.append('Event', r.eventId === undefined ? r.event : `${r.event};id=${r.eventId}`);
  // RFC 6665 §4.2.2: NOTIFY requests MUST contain a Subscription-State header field.
  // RFC 6446 §4.2: the notifier MUST reflect the agreed rate control values in Subscription-State.
  req.headers.append('Subscription-State', subscriptionStateValue(content, r.expiresAt, now, rateStateParams(r)));
  if (content.body) {
    req.headers.append('Content-Type', content.body.contentType);
    req.body = content.body.body;
  }
  return req;
}
