import type { SipRequest, SipResponse } from '../message/message.js';
import { ServerTransactionBase } from './server-transaction-base.js';

/** States of the non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8). */
export type ServerTransactionState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/**
 * A non-INVITE server transaction (RFC 3261 §17.2.2). The layer creates it for a new request and hands
 * it to the TU, which answers with {@link respond}. Request retransmissions are absorbed: nothing is
 * sent in Trying, the last response is re-sent in Proceeding and Completed. After the final response the
 * transaction stays Completed for Timer J (64*T1 over unreliable transports, 0 over reliable ones).
 */
export class ServerTransaction extends ServerTransactionBase<'trying' | 'proceeding' | 'completed'> {
  /** Discriminates the two server transaction kinds. */
  readonly kind = 'non-invite' as const;
  protected stateValue: ServerTransactionState = 'trying';

  /** Current state (RFC 3261 Figure 8). */
  get state(): ServerTransactionState {
    return this.stateValue;
  }

  receive(_retransmission: SipRequest): void {
    // RFC 3261 §17.2.2: in Trying retransmissions are discarded; in Proceeding the most recent
    // provisional response, in Completed the final response, MUST be passed to the transport again.
    if (this.stateValue === 'proceeding' || this.stateValue === 'completed') this.resend();
  }

  protected accepting(): boolean {
    return this.stateValue === 'trying' || this.stateValue === 'proceeding';
  }

  protected take(res: SipResponse): void {
    if (res.status < 200) {
      // RFC 3261 §17.2.2: a provisional response MUST move Trying to Proceeding and be sent.
      this.stateValue = 'proceeding';
      this.send(res);
      return;
    }
    // RFC 3261 §17.2.2: a final response MUST enter Completed and be sent; Timer J MUST be set to 64*T1
    // for unreliable transports and zero for reliable ones.
    this.stateValue = 'completed';
    this.send(res);
    if (this.reliable) this.terminate();
    else this.timers.start('timerJ', 64 * this.ctx.timers.t1, () => this.terminate());
  }
}
