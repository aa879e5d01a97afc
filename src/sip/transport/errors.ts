import { TransportError } from './types.js';

/** The `code` of a Node.js system error (`ECONNREFUSED`, …), else `fallback`. */
export function errorCode(err: unknown, fallback = 'EIO'): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code ? code : fallback;
}

/** `err` itself when it is a TransportError, else a TransportError saying what failed, with the error's code. */
export function asTransportError(err: unknown, what: string): TransportError {
  if (err instanceof TransportError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TransportError(`${what}: ${message}`, errorCode(err));
}
