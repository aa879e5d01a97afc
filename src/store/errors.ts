/**
 * The store layer's error catalogue (STYLE habit 7). Every adapter rejects with a {@link StoreError}
 * carrying one of these stable codes; backend failures (disk full, I/O errors) pass through unchanged.
 */

/**
 * - `ERR_STORE_CLOSED`: the stores were closed; no operation runs after `Stores.close()`.
 * - `ERR_STORE_BAD_BINDINGS`: `replaceAor` was given a binding of another aor, or two bindings with the
 *   same key (a caller bug; nothing was changed).
 * - `ERR_STORE_SCHEMA_TOO_NEW`: the database was written by a newer presenced (its schema version is above
 *   the newest this build knows); it is left untouched.
 * - `ERR_STORE_CONFLICT`: a subscriber's digest username (in its realm) or one of its identities already
 *   belongs to another subscriber, or one record names an identity twice; nothing was changed.
 */
export type StoreErrorCode = 'ERR_STORE_CLOSED' | 'ERR_STORE_BAD_BINDINGS' | 'ERR_STORE_SCHEMA_TOO_NEW' | 'ERR_STORE_CONFLICT';

/** A store operation refused for a reason the caller can act on; see {@link StoreErrorCode}. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: StoreErrorCode,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** The error every operation rejects with once the stores are closed. */
export function storeClosed(): StoreError {
  return new StoreError('the stores are closed', 'ERR_STORE_CLOSED');
}
