import { randomFillSync } from 'node:crypto';

/**
 * Random tokens for SIP identifiers. Tokens use only RFC 3261 `token` characters (letters and digits),
 * so they can stand in any header without quoting.
 */

const ALPHABET_CODES = Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 'latin1');

/**
 * Random octets drawn from the CSPRNG in blocks: one `randomFillSync` per block instead of one per token
 * (a call costs far more than the copy of a few octets). Each octet is handed out once, then the block is
 * refilled, so a token never shares randomness with another.
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let used = POOL_BYTES;

/** Where a token's characters are written, so that it becomes one flat string (see {@link randomToken}). */
const scratch = Buffer.allocUnsafe(64);

/**
 * A random alphanumeric token of `length` characters (about 5.95 bits of entropy each). Written to a
 * buffer and decoded once rather than appended character by character: appending builds a chain of
 * partial strings past a dozen characters, which every identifier kept in a map or a timer would hold on
 * to (hundreds of bytes for an entity tag).
 */
export function randomToken(length = 16): string {
  const out = length <= scratch.length ? scratch : Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) {
    if (used === POOL_BYTES) {
      randomFillSync(pool);
      used = 0;
    }
    out[i] = ALPHABET_CODES[pool[used++]! % ALPHABET_CODES.length]!;
  }
  return out.toString('latin1', 0, length);
}

/** RFC 3261 §8.1.1.7: a Via branch beginning with the magic cookie `z9hG4bK`. */
export function newBranch(): string {
  return `z9hG4bK${randomToken(20)}`;
}

/** RFC 3261 §19.3: a From/To tag with at least 32 bits of randomness. */
export function newTag(): string {
  return randomToken(12);
}

/** RFC 3261 §8.1.1.4: a globally unique Call-ID, `random@host`. */
export function newCallId(host: string): string {
  return `${randomToken(24)}@${host}`;
}
