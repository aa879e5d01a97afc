import { SipError } from '../../sip/message/sip-error.js';
import { MAX_DELTA_SECONDS } from '../../sip/parser/headers/expires.js';

/** Registration intervals of the registrar, in seconds (RFC 3261 §10.3 step 7). */
export interface RegistrationIntervals {
  /** Taken when neither the Contact's expires parameter nor an Expires header gives one. */
  readonly default: number;
  /** Shorter non-zero requests are refused with 423 and this value in Min-Expires. */
  readonly min: number;
  /** Longer requests are granted this much. */
  readonly max: number;
}

/** 3600 s by default, 60 s at least, one day at most. */
export const DEFAULT_INTERVALS: RegistrationIntervals = Object.freeze({ default: 3600, min: 60, max: 86_400 });

/**
 * Checks a configuration of intervals: whole seconds with 1 <= min <= default <= max <= 2^32-1.
 * @throws RangeError naming the offending value.
 */
export function checkIntervals(iv: RegistrationIntervals): RegistrationIntervals {
  const { min, max } = iv;
  for (const [name, v] of Object.entries(iv)) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_DELTA_SECONDS) throw new RangeError(`expires.${name} must be 1 to 2^32-1 seconds`);
  }
  if (!(min <= iv.default && iv.default <= max)) throw new RangeError('expires must satisfy min <= default <= max');
  return Object.freeze({ default: iv.default, min, max });
}

/**
 * The interval the registrar grants for a requested one (seconds); 0 stays 0 (removal).
 *
 * RFC 3261 §10.3 step 7: a request may be refused with 423 only if it is greater than zero, below one
 * hour and below the configured minimum; the 423 carries Min-Expires. The registrar may grant less than
 * requested, never more: requests above `max` get `max`, and a request of an hour or more stays as it is
 * even when a minimum above an hour is configured.
 *
 * @throws SipError 423 Interval Too Brief with Min-Expires.
 */
export function grantedInterval(requested: number, iv: RegistrationIntervals): number {
  if (requested === 0) return 0;
  // RFC 3261 §10.3 step 7: 423 MUST contain Min-Expires.
  if (requested < iv.min && requested < 3600) {
    throw new SipError(423, 'Interval Too Brief', [['Min-Expires', String(iv.min)]]);
  }
  return Math.min(requested, iv.max);
}
