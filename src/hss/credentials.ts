import { ha1 } from '../util/digest/digest.js';
import { HssError } from './errors.js';

/** Longest password accepted, in characters (UTF-16 code units). */
export const MAX_PASSWORD_LENGTH = 128;
/** Longest digest username or display name accepted, in characters. */
export const MAX_NAME_LENGTH = 128;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** What is wrong with a password, or undefined when it follows the rules (non-empty, <= 128, no controls). */
export function passwordDefect(password: string): string | undefined {
  if (password.length === 0) return 'the password is empty';
  if (password.length > MAX_PASSWORD_LENGTH) return `the password is longer than ${MAX_PASSWORD_LENGTH} characters`;
  if (CONTROL.test(password)) return 'the password contains a control character';
  return undefined;
}

/** What is wrong with a digest username or display name (`what` names it), or undefined. */
export function nameDefect(name: string, what: string): string | undefined {
  if (name.length === 0) return `the ${what} is empty`;
  if (name.length > MAX_NAME_LENGTH) return `the ${what} is longer than ${MAX_NAME_LENGTH} characters`;
  if (CONTROL.test(name)) return `the ${what} contains a control character`;
  return undefined;
}

/** @throws HssError `ERR_HSS_BAD_PASSWORD` when the password breaks the rules of {@link passwordDefect}. */
export function checkPassword(password: string): void {
  const defect = passwordDefect(password);
  if (defect) throw new HssError(defect, 'ERR_HSS_BAD_PASSWORD');
}

/**
 * The digest username a subscriber gets when none is given: the user part of its canonical AOR
 * (`alice` of `sip:alice@example.com`), or the number of a tel URI (`+15551234567`).
 */
export function defaultUsername(aor: string): string {
  const colon = aor.indexOf(':');
  const at = aor.lastIndexOf('@');
  return at > colon ? aor.slice(colon + 1, at) : aor.slice(colon + 1);
}

/** Both H(A1) values a subscriber record keeps (RFC 7616 §3.4.2): never the password itself. */
export function ha1Pair(username: string, realm: string, password: string): { ha1Md5: string; ha1Sha256: string } {
  return { ha1Md5: ha1(username, realm, password, 'MD5'), ha1Sha256: ha1(username, realm, password, 'SHA-256') };
}
