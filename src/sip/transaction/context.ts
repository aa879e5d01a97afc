import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { TransportError } from '../transport/types.js';
import type { Flow, SendTarget, TransportSender } from '../transport/types.js';
import type { TimerValues } from './timers.js';

/** What every transaction gets from the {@link TransactionLayer} that owns it. */
export interface TransactionContext {
  readonly transport: TransportSender;
  readonly clock: Clock;
  readonly timers: TimerValues;
  readonly logger: Logger;
}

/**
 * Hands `data` to the transport without ever throwing: `onSent` gets the flow it left on, `onError` a
 * {@link TransportError}. A rejection that is not a TransportError (or a synchronous throw) is a bug in
 * the transport; it is logged and reported as a TransportError with code `EINTERNAL` so the transaction
 * still terminates instead of hanging.
 */
export function sendSafely(
  ctx: TransactionContext,
  target: SendTarget,
  data: Buffer,
  onError: (err: TransportError) => void,
  onSent?: (flow: Flow) => void,
): void {
  let pending: Promise<Flow>;
  try {
    pending = ctx.transport.send(target, data);
  } catch (err) {
    pending = Promise.reject(err as Error);
  }
  pending.then(
    (flow) => onSent?.(flow),
    (err: unknown) => {
      if (err instanceof TransportError) return onError(err);
      ctx.logger.error({ err }, 'transport send failed with a non-TransportError');
      onError(new TransportError(err instanceof Error ? err.message : String(err), 'EINTERNAL'));
    },
  );
}

/**
 * Calls a transaction user callback; an exception thrown by it is logged and never breaks the
 * transaction state machine (STYLE: listeners cannot break a transaction).
 */
export function callUser(logger: Logger, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    logger.error({ err }, `transaction user callback ${what} threw`);
  }
}
