import type { EventType } from '../../sip/message/types.js';
import { SipError } from '../../sip/message/sip-error.js';
import type { SubscriptionRecord } from '../../store/ports.js';

/**
 * RFC 6446 notification rate control: the `max-rate`, `min-rate` and `adaptive-min-rate` parameters a
 * subscriber puts in the Event header of its SUBSCRIBE, the values the notifier agrees to (adjusted by
 * its local policy and the subscription's duration), kept in the subscription record and reflected in
 * the Subscription-State of every NOTIFY.
 */

/** The server's local rate policy (TS 23.141 §5.1: "rate-limiting ... based on local policy"). */
export interface RateControlPolicy {
  /** Least time between two NOTIFYs of one subscription (watcher), ms; 0: no limit. */
  readonly minIntervalPerWatcherMs: number;
  /** Least time between two rounds of NOTIFYs about one presentity's changes, ms; 0: no limit. */
  readonly minIntervalPerPresentityMs: number;
}

/** The policy that changes nothing: no local limit. */
export const NO_RATE_POLICY: RateControlPolicy = { minIntervalPerWatcherMs: 0, minIntervalPerPresentityMs: 0 };

/** Rate control values of one subscription, notifications per second (RFC 6446 §9.2: 1e-10 to 99.9999999999). */
export interface Rates {
  readonly maxRate?: number;
  readonly minRate?: number;
  readonly adaptiveMinRate?: number;
}

/**
 * The most a periodic NOTIFY (min-rate, adaptive-min-rate) may be asked for, per second: the notifier
 * lowers larger values (RFC 6446 §6.3, §7.3: it MAY decrease them by local policy). Re-sending an
 * unchanged state more than once a second helps no watcher and costs the server and the radio.
 */
export const MIN_RATE_CEILING = 1;

/** The record's `extra` key of the agreed rates (the store ports have no field for them). */
const EXTRA_KEY = 'rates';

const PARAMS = [
  ['max-rate', 'maxRate'],
  ['min-rate', 'minRate'],
  ['adaptive-min-rate', 'adaptiveMinRate'],
] as const;

// RFC 6446 §9.2: max-rate-param = "max-rate" EQUAL (1*2DIGIT ["." 1*10DIGIT]) (min-rate, adaptive-min-rate alike).
const RATE_VALUE = /^[0-9]{1,2}(?:\.[0-9]{1,10})?$/;

/**
 * The rate control parameters of an Event header (RFC 6446 §4.1). Absent ones are absent.
 * @throws SipError 400 naming the parameter when a value does not match the grammar of RFC 6446 §9.2 or
 *   is zero (§5.1, §6.1, §7.1: "Zero is not an allowed value"): RFC 3261 §8.2 answers malformed requests 400.
 */
export function requestedRates(event: EventType | undefined): Rates {
  const out: { -readonly [K in keyof Rates]: number } = {};
  if (!event) return out;
  for (const [param, key] of PARAMS) {
    const raw = event.params.get(param);
    if (raw === undefined) continue;
    if (raw === null || !RATE_VALUE.test(raw) || Number(raw) === 0) {
      throw new SipError(400, `Bad Request: invalid ${param} parameter of Event`);
    }
    out[key] = Number(raw);
  }
  return out;
}

/**
 * A rate as RFC 6446 §9.2 writes it: at most two integer digits and ten decimals, rounded up (so the
 * value adopted is never below the one computed), never below 0.0000000001.
 */
export function formatRate(rate: number): string {
  const up = Math.max(1, Math.ceil(rate * 1e10 - 1e-6));
  const int = Math.floor(up / 1e10);
  const frac = String(up % 1e10).padStart(10, '0').replace(/0+$/, '');
  return frac ? `${int}.${frac}` : String(int);
}

const adopted = (rate: number): number => Number(formatRate(rate));

/**
 * The rates the notifier adopts for a subscription granted `grantedSeconds` (> 0), from the ones
 * requested and the local policy:
 * - max-rate is lowered to 1000 / minIntervalPerWatcherMs (§5.3: the notifier MAY decrease it), then
 *   raised to 1 / grantedSeconds when it would allow no NOTIFY before the subscription expires (§5.3 MUST);
 * - min-rate and adaptive-min-rate are lowered to the max-rate, the local interval and
 *   {@link MIN_RATE_CEILING} (§8 MUST: not above max-rate; §6.3, §7.3 MAY);
 * - min-rate is dropped when not below adaptive-min-rate (§8: the notifier MUST NOT consider it).
 * Every value is the one reflected (rounded as {@link formatRate}); only requested parameters appear.
 */
export function agreeRates(requested: Rates, grantedSeconds: number, policy: RateControlPolicy): Rates {
  const localMax = policy.minIntervalPerWatcherMs > 0 ? 1000 / policy.minIntervalPerWatcherMs : Infinity;
  let maxRate: number | undefined;
  if (requested.maxRate !== undefined) {
    maxRate = Math.min(requested.maxRate, localMax);
    // RFC 6446 §5.3: a max-rate allowing no notification before expiry MUST be raised to 1/remaining.
    if (1 / maxRate > grantedSeconds) maxRate = 1 / grantedSeconds;
    maxRate = adopted(maxRate);
  }
  const ceiling = Math.min(maxRate ?? Infinity, localMax, MIN_RATE_CEILING);
  const adaptiveMinRate = requested.adaptiveMinRate !== undefined ? adopted(Math.min(requested.adaptiveMinRate, ceiling)) : undefined;
  let minRate = requested.minRate !== undefined ? adopted(Math.min(requested.minRate, ceiling)) : undefined;
  // RFC 6446 §8: a min-rate not lower than adaptive-min-rate MUST NOT be considered.
  if (minRate !== undefined && adaptiveMinRate !== undefined && minRate >= adaptiveMinRate) minRate = undefined;
  return {
    ...(maxRate !== undefined ? { maxRate } : {}),
    ...(minRate !== undefined ? { minRate } : {}),
    ...(adaptiveMinRate !== undefined ? { adaptiveMinRate } : {}),
  };
}

/**
 * A record's `extra` with the rates agreed for the SUBSCRIBE whose Event is `event` (initial or
 * refresh: RFC 6446 §5.1: a refresh without a parameter removes that control), granted `grantedSeconds`.
 * A fetch or an unsubscribe (0 s) keeps no rates, but its parameters are still checked.
 * @throws SipError 400 for a malformed parameter ({@link requestedRates}).
 */
export function withAgreedRates(
  extra: Record<string, unknown> | undefined,
  event: EventType | undefined,
  grantedSeconds: number,
  policy: RateControlPolicy,
): Record<string, unknown> | undefined {
  const requested = requestedRates(event);
  return withRates(extra, grantedSeconds > 0 ? agreeRates(requested, grantedSeconds, policy) : {});
}

/** A record's `extra` keeping `rates` as the agreed ones (none: the key is removed). */
export function withRates(extra: Record<string, unknown> | undefined, rates: Rates): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = { ...extra };
  if (Object.keys(rates).length) out[EXTRA_KEY] = rates;
  else delete out[EXTRA_KEY];
  return extra === undefined && !Object.keys(out).length ? undefined : out;
}

/**
 * The rates to adopt after the subscriber answered a NOTIFY of `record` with a 2xx whose Event header is
 * `event` (RFC 6446 §5.2, §6.2, §7.2: the notifier MUST extract the parameters from a 2xx response to
 * the NOTIFY too), at `now` (ms); undefined when the agreed rates stay as they are:
 * - a 2xx without an Event header (as most are) updates nothing; one with an Event header is an update,
 *   and a parameter it does not carry is removed (§5.1, §6.1, §7.1: removing a control is "not including"
 *   its parameter in a 2xx response);
 * - an Event header naming another package or `id` is not about this subscription: ignored;
 * - a malformed value (§9.2, or zero) cannot be answered 400 in a response: the update is ignored and
 *   the current rates are kept;
 * - the rates are agreed as for a SUBSCRIBE ({@link agreeRates}) with the remaining duration (§5.3: a
 *   max-rate allowing no NOTIFY before expiry is raised to 1 / the remaining time).
 */
export function ratesAfterResponse(
  record: Readonly<SubscriptionRecord>,
  event: EventType | undefined,
  policy: RateControlPolicy,
  now: number,
): Rates | undefined {
  if (!event) return undefined;
  const name = [event.package, ...event.templates].join('.');
  if (name !== record.event || (event.params.get('id') ?? undefined) !== record.eventId) return undefined;
  const remainingSeconds = (record.expiresAt - now) / 1000;
  if (remainingSeconds <= 0) return undefined;
  let requested: Rates;
  try {
    requested = requestedRates(event);
  } catch (err) {
    if (err instanceof SipError) return undefined;
    throw err;
  }
  const agreed = agreeRates(requested, remainingSeconds, policy);
  const current = ratesOf(record);
  const same = PARAMS.every(([, key]) => agreed[key] === current[key]);
  return same ? undefined : agreed;
}

/** No rate control (shared: asked for on every NOTIFY of every subscription, most of which have none). */
const NO_RATES: Rates = Object.freeze({});

/** The rates agreed for a subscription (none when it uses no rate control). */
export function ratesOf(record: Readonly<SubscriptionRecord>): Rates {
  const stored = record.extra?.[EXTRA_KEY];
  if (!stored || typeof stored !== 'object') return NO_RATES;
  const out: { -readonly [K in keyof Rates]: number } = {};
  for (const [, key] of PARAMS) {
    const v = (stored as Record<string, unknown>)[key];
    if (typeof v === 'number' && v > 0) out[key] = v;
  }
  return out;
}

/**
 * The Subscription-State parameters reflecting the agreed rates (RFC 6446 §4.2, §5.2, §6.2, §7.2: the
 * notifier MUST reflect the possibly adjusted values in the NOTIFYs), e.g. `max-rate` → `0.2`.
 */
export function rateStateParams(record: Readonly<SubscriptionRecord>): Map<string, string> {
  const rates = ratesOf(record);
  const out = new Map<string, string>();
  for (const [param, key] of PARAMS) {
    const v = rates[key];
    if (v !== undefined) out.set(param, formatRate(v));
  }
  return out;
}
