import type { SipRequest } from '../sip/message/message.js';
import type { SubscriptionRecord } from '../store/ports.js';

/**
 * An event package plugged into the generic SUBSCRIBE/NOTIFY/PUBLISH framework (RFC 6665 §7, RFC 3903
 * §4; STYLE habit 3). The framework owns dialogs, expiry, CSeqs, retransmission and storage; a package
 * owns its documents: who may subscribe, what each subscriber is shown, and which publications are
 * valid. Kamailio's `presence/event_list.h` and PJSIP's `pjsip_evsub_register_pkg` play the same role.
 */

/** Allowed durations of a subscription or publication, in seconds. */
export interface ExpiryPolicy {
  /** Used when the request has no Expires header. */
  readonly default: number;
  /** Shorter non-zero requests get 423 Interval Too Brief with Min-Expires (RFC 6665 §4.2.1.1, RFC 3903 §6). */
  readonly min: number;
  /** Longer requests are granted this maximum. */
  readonly max: number;
}

/**
 * A NOTIFY body: its Content-Type (`type/subtype` with parameters if any) and bytes. The bytes are not
 * changed once rendered: a package may hand the same Buffer to every watcher with the same view, and the
 * notifier compares and sends it as it was.
 */
export interface NotifyBody {
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * The authorisation decision for a subscription (RFC 6665 §4.2.1.3; TS 23.141 §7): `active` delivers
 * state, `pending` holds it until the decision changes, `polite-block` looks active to the watcher but
 * shows nothing real, `rejected` refuses it (403 for a new subscription, NOTIFY terminated;reason=rejected
 * for an existing one).
 */
export type AuthorizationDecision = 'active' | 'pending' | 'polite-block' | 'rejected';

/** The context a package gets when asked to decide on or render a subscription. */
export interface SubscriptionContext {
  readonly record: Readonly<SubscriptionRecord>;
  /** The SUBSCRIBE being processed, when there is one (initial or refresh); absent for state changes. */
  readonly request?: SipRequest;
}

/** Publication support of a package (RFC 3903 §4). */
export interface PublicationPolicy {
  /** Content types accepted in PUBLISH bodies (`type/subtype`); others get 415 with Accept. */
  readonly types: readonly string[];
  readonly expires: ExpiryPolicy;
  /** Largest accepted body, in bytes (413 above). */
  readonly maxBodyBytes: number;
  /**
   * Validates a published document (RFC 3903 §6 step 5) for `resource`, the canonical AOR of the
   * presentity the PUBLISH is for. Throw SipError 400 naming the defect (or 413, 415) to reject it; the
   * stored state is then unchanged.
   */
  validate(body: Buffer, contentType: string, request: SipRequest, resource: string): void;
  /**
   * Optional: turns a validated body into the document stored for the publication, e.g. a partial
   * publication (RFC 5264 §4.3: <pidf-diff> patches applied to the publication's stored document).
   * `previous` is the stored document of the publication a SIP-If-Match names (undefined for an initial
   * publication). Called after {@link validate}, before anything is stored; throw SipError to reject the
   * PUBLISH (the stored state is then unchanged). Without it, the body is stored as received.
   */
  apply?(previous: StoredBody | undefined, body: Buffer, contentType: string, request: SipRequest): StoredBody;
}

/** A publication's document as stored: its Content-Type (`type/subtype`) and bytes. */
export interface StoredBody {
  readonly contentType: string;
  readonly body: Buffer;
}

/** A NOTIFY body as it goes out, from {@link EventPackage.encode}. */
export interface EncodedNotify {
  readonly body: NotifyBody | undefined;
  /**
   * Told once the NOTIFY's transaction ended (`delivered`: a 2xx). May return entries to merge into the
   * subscription's stored `extra` (e.g. a version counter that must survive a restart).
   */
  settled?(delivered: boolean): Record<string, unknown> | undefined;
}

/** What {@link EventPackage.encode} is given. */
export interface EncodeContext {
  readonly record: Readonly<SubscriptionRecord>;
  /** The body rendered for this NOTIFY (after queued states coalesced). */
  readonly body: NotifyBody | undefined;
  /**
   * The NOTIFY must carry full state: it is the first after an accepted SUBSCRIBE (initial or refresh,
   * RFC 5263 §4.4), a change of subscription state, or a final NOTIFY.
   */
  readonly fullState: boolean;
}

/** A SUBSCRIBE body as a subscription stores it: its Content-Type as received and its bytes. */
export interface SubscribeBody {
  readonly contentType: string;
  readonly data: Buffer;
}

/** An event package. */
export interface EventPackage {
  /** The Event header value naming it, e.g. `presence` or `presence.winfo` (compared byte by byte). */
  readonly name: string;
  /**
   * Content types the package can send in NOTIFY, preferred first. A SUBSCRIBE without Accept is
   * treated as accepting the first (RFC 3856 §6.7: application/pidf+xml); one whose
   * Accept allows none of them gets 406 (RFC 6665 §4.1.2.1).
   */
  readonly notifyTypes: readonly string[];
  /** Content types accepted in SUBSCRIBE bodies (e.g. event filters); empty: no body allowed (415). */
  readonly subscribeBodyTypes: readonly string[];
  /**
   * Optional: checks a SUBSCRIBE body of one of {@link subscribeBodyTypes} and returns the body to store
   * with the subscription, e.g. event filters merged with those it holds (RFC 4660 §5.2.2). `previous` is
   * the body the subscription holds (a refresh; undefined for a new subscription), `resource` the
   * subscribed resource. Called before anything changes: throw SipError (e.g. 488, RFC 4660 §5.4) to
   * refuse the SUBSCRIBE. Without it, the body is stored as received.
   */
  acceptSubscribeBody?(body: SubscribeBody, previous: SubscribeBody | undefined, resource: string, request: SipRequest): SubscribeBody;
  /** Subscription durations. */
  readonly expires: ExpiryPolicy;
  /** Present when the package accepts PUBLISH. */
  readonly publication?: PublicationPolicy;
  /**
   * Decides whether the watcher may subscribe, on every initial and refreshing SUBSCRIBE and when asked
   * to re-evaluate (e.g. after a rule change). Throw SipError for other refusals (404 unknown resource).
   */
  authorize(ctx: SubscriptionContext): Promise<AuthorizationDecision> | AuthorizationDecision;
  /**
   * The NOTIFY body for this subscriber now (its authorised, filtered view), or `undefined` to send a
   * NOTIFY without a body (RFC 6665 §4.2.2: e.g. while pending). `negotiated` is the content type chosen
   * from the subscriber's Accept. Called for the initial NOTIFY, on every state change, and on refresh.
   */
  render(ctx: SubscriptionContext, negotiated: string): Promise<NotifyBody | undefined> | NotifyBody | undefined;
  /**
   * Optional: the body actually sent, computed right before each NOTIFY goes out, one at a time per
   * subscription (so relative to what the subscriber last received), e.g. a partial notification
   * (RFC 5263). The notifier still compares rendered bodies to skip NOTIFYs that change nothing.
   * Without it, the rendered body is sent.
   */
  encode?(ctx: EncodeContext): EncodedNotify;
  /** Optional: the subscription `id` is gone; drop what {@link encode} kept for it. */
  forget?(id: string): void;
}
