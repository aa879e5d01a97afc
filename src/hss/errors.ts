/**
 * The subscriber registry's error catalogue (STYLE habit 7): every refusal of `SubscriberRegistry` is an
 * {@link HssError} with one of these stable codes; store failures pass through unchanged.
 *
 * - `ERR_HSS_BAD_IDENTITY`: an AOR or alias is not a user identity (a sip, sips or tel URI with a user).
 * - `ERR_HSS_BAD_PASSWORD`: a password breaks the rules (non-empty, at most 128 characters, no control
 *   characters).
 * - `ERR_HSS_BAD_USERNAME`: a digest username or display name is empty, too long or has control characters.
 * - `ERR_HSS_EXISTS`: `add` of an AOR that already is a subscriber's identity.
 * - `ERR_HSS_CONFLICT`: an alias or the username belongs to another subscriber.
 * - `ERR_HSS_UNKNOWN`: no subscriber has this AOR.
 * - `ERR_HSS_CSV`: a CSV import was refused before anything was written; `defects` names each bad row.
 */
export type HssErrorCode =
  | 'ERR_HSS_BAD_IDENTITY'
  | 'ERR_HSS_BAD_PASSWORD'
  | 'ERR_HSS_BAD_USERNAME'
  | 'ERR_HSS_EXISTS'
  | 'ERR_HSS_CONFLICT'
  | 'ERR_HSS_UNKNOWN'
  | 'ERR_HSS_CSV';

/** One defect of a CSV import: the line its row starts on (1-based) and what is wrong. */
export interface CsvDefect {
  readonly line: number;
  readonly message: string;
}

/** A registry operation refused for a reason the caller can act on; see {@link HssErrorCode}. */
export class HssError extends Error {
  constructor(
    message: string,
    readonly code: HssErrorCode,
    /** For `ERR_HSS_CSV`: the defects found (at most the import's `maxDefects`), in line order. */
    readonly defects: readonly CsvDefect[] = [],
  ) {
    super(message);
    this.name = 'HssError';
  }
}
