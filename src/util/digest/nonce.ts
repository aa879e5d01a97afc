import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';

/**
 * Stateless signed nonces (RFC 7616 §3.3 "nonce", §5.4; RFC 3261 §22.4 item 4: no ETag in SIP). A nonce
 * is base64url(timestamp || random || MAC) with
 * - timestamp: issue time, 6 bytes big-endian milliseconds since the epoch (enough until year 10889);
 * - random: 8 bytes, so two nonces issued in the same millisecond differ;
 * - MAC: HMAC-SHA256(secret, timestamp || random || realm) truncated to 16 bytes (128 bits).
 * 30 bytes, 40 base64url characters, no quoting needed. The server keeps no state per nonce: it
 * recomputes the MAC and reads the age from the timestamp. Independent of SIP message types.
 */

const TS_BYTES = 6;
const RANDOM_BYTES = 8;
const MAC_BYTES = 16;
const NONCE_BYTES = TS_BYTES + RANDOM_BYTES + MAC_BYTES;
const NONCE_TEXT = /^[A-Za-z0-9_-]{40}$/;

/** The state of a nonce received in credentials. Times are milliseconds since the epoch. */
export type NonceState =
  | { kind: 'fresh'; issuedAt: number; expiresAt: number }
  | { kind: 'expired'; issuedAt: number; expiresAt: number }
  /** Not issued with this secret and realm: forged, altered, or from before a secret change. */
  | { kind: 'invalid' };

/** Options of the stateless nonce issuer (RFC 7616 §3.3: the nonce is opaque, server-chosen). */
export interface NonceIssuerOptions {
  /** HMAC key; at least 16 bytes. Servers sharing the key accept each other's nonces. */
  secret: Buffer;
  /** Realm bound into the MAC, so a nonce of one realm is not valid in another. */
  realm: string;
  /** Lifetime of a nonce in milliseconds. */
  ttlMs: number;
  clock: Clock;
}

/** Issues and checks stateless signed nonces for one realm. */
export class NonceIssuer {
  private readonly secret: Buffer;
  private readonly realm: Buffer;
  private readonly ttlMs: number;
  private readonly clock: Clock;

  /** @throws Error when the secret is shorter than 16 bytes or the lifetime is not positive. */
  constructor(opts: NonceIssuerOptions) {
    if (opts.secret.length < 16) throw new Error('nonce secret must be at least 16 bytes');
    if (!(opts.ttlMs > 0)) throw new Error('nonce lifetime must be positive');
    this.secret = Buffer.from(opts.secret);
    this.realm = Buffer.from(opts.realm, 'utf8');
    this.ttlMs = opts.ttlMs;
    this.clock = opts.clock;
  }

  /** A new nonce stamped with the clock's current time. */
  issue(): string {
    const buf = Buffer.alloc(NONCE_BYTES);
    buf.writeUIntBE(Math.floor(this.clock.now()), 0, TS_BYTES);
    randomBytes(RANDOM_BYTES).copy(buf, TS_BYTES);
    this.mac(buf.subarray(0, TS_BYTES + RANDOM_BYTES)).copy(buf, TS_BYTES + RANDOM_BYTES);
    return buf.toString('base64url');
  }

  /**
   * Checks a nonce: `invalid` unless it has the nonce shape and its MAC verifies (constant-time
   * comparison); otherwise `fresh` while younger than the lifetime, then `expired`.
   */
  check(nonce: string): NonceState {
    if (!NONCE_TEXT.test(nonce)) return { kind: 'invalid' };
    const buf = Buffer.from(nonce, 'base64url');
    if (buf.length !== NONCE_BYTES) return { kind: 'invalid' };
    const body = buf.subarray(0, TS_BYTES + RANDOM_BYTES);
    if (!timingSafeEqual(this.mac(body), buf.subarray(TS_BYTES + RANDOM_BYTES))) return { kind: 'invalid' };
    const issuedAt = buf.readUIntBE(0, TS_BYTES);
    const expiresAt = issuedAt + this.ttlMs;
    return { kind: this.clock.now() < expiresAt ? 'fresh' : 'expired', issuedAt, expiresAt };
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(body).update(this.realm).digest().subarray(0, MAC_BYTES);
  }
}
