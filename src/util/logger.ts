import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * Creates the process logger (pino, JSON lines on stdout). `level` is a pino level name
 * ('fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent').
 */
export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { name: 'presenced' } });
}

/** A logger that writes nothing: the default for library use and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
