import { createResponse } from '../message/response.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { ToHeader } from '../parser/headers/from-to.js';
import { callUser } from './context.js';
import { ServerTransactionBase } from './server-transaction-base.js';

/** States of the INVITE server transaction (RFC 3261 §17.2.1, Figure 7). */
export type InviteServerTransactionState = 'proceeding' | 'completed' | 'confirmed' | 'terminated';

/** How long the TU has to answer an INVITE before the transaction sends 100 Trying itself (§17.2.1). */
export const TRYING_DELAY_MS = 200;

/**
 * An INVITE server transaction (RFC 3261 §17.2.1). presenced establishes no sessions, but a stray
 * INVITE still deserves a proper final response (e.g. 405 or 501) delivered reliably: a 300-699 final
 * response is retransmitted with Timer G over unreliable transports until the ACK arrives or Timer H
 * (64*T1) fires, and the ACK is absorbed (Confirmed, Timer I). A 2xx ends the transaction at once; its
 * retransmission and ACK belong to the TU.
 */
export class InviteServerTransaction extends ServerTransactionBase<'proceeding' | 'completed' | 'confirmed'> {
  /** Discriminates the two server transaction kinds. */
  readonly kind = 'invite' as const;
  /** Set by the TU: Timer H fired without an ACK, a transaction failure (RFC 3261 §17.2.1). */
  onTimeout?: () => void;
  protected stateValue: InviteServerTransactionState = 'proceeding';
  /** The current Timer G interval in ms. */
  private intervalG = 0;
  /** The To tag of the last response sent. */
  private lastToTag: string | undefined;

  /**
   * The To tag of the last response sent, if it had one: an RFC 2543 ACK must carry it (§17.2.3), and
   * the 200 to a CANCEL takes it (§9.2).
   */
  get toTag(): string | undefined {
    return this.lastToTag;
  }

  /** Current state (RFC 3261 Figure 7). */
  get state(): InviteServerTransactionState {
    return this.stateValue;
  }

  /** Enters Proceeding. Called once by the layer before the TU sees the request. */
  start(): void {
    // RFC 3261 §17.2.1: the transaction MUST send 100 Trying unless the TU answers within 200 ms.
    this.timers.start('timerTrying', TRYING_DELAY_MS, () => {
      if (this.stateValue === 'proceeding' && !this.responded) this.send(createResponse(this.request, 100));
    });
  }

  receive(req: SipRequest): void {
    if (req.method === 'ACK') {
      if (this.stateValue !== 'completed') return; // Confirmed absorbs further ACKs
      // RFC 3261 §17.2.1: an ACK in Completed MUST move to Confirmed; Timer G stops; Timer I is T4 for
      // unreliable transports and zero for reliable ones.
      this.stateValue = 'confirmed';
      this.timers.stop('timerG');
      this.timers.stop('timerH');
      if (this.reliable) this.terminate();
      else this.timers.start('timerI', this.ctx.timers.t4, () => this.terminate());
      return;
    }
    // RFC 3261 §17.2.1: a retransmitted INVITE gets the most recent provisional response in Proceeding
    // (MUST) and the final response in Completed (SHOULD).
    if (this.stateValue === 'proceeding' || this.stateValue === 'completed') this.resend();
  }

  /**
   * RFC 3261 §9.2: a CANCEL matched this transaction. If no final response was sent, answer the INVITE
   * 487 Request Terminated with `toTag` (the tag of the 200 to the CANCEL); a later response from the TU
   * is discarded. Returns true when the 487 was sent.
   */
  cancel(toTag: string): boolean {
    if (this.stateValue !== 'proceeding') return false;
    this.take(createResponse(this.request, 487, undefined, toTag));
    return true;
  }

  protected accepting(): boolean {
    return this.stateValue === 'proceeding';
  }

  protected take(res: SipResponse): void {
    this.timers.stop('timerTrying');
    // RFC 3261 §17.2.1: each provisional response in Proceeding MUST be passed to the transport.
    this.send(res);
    if (res.status < 200) return;
    if (res.status < 300) {
      // RFC 3261 §17.2.1: after a 2xx the transaction MUST enter Terminated.
      this.terminate();
      return;
    }
    // RFC 3261 §17.2.1: 300-699 MUST enter Completed; Timer G = T1 over unreliable transports only;
    // Timer H MUST be set to 64*T1 for all transports.
    this.stateValue = 'completed';
    if (!this.reliable) {
      this.intervalG = this.ctx.timers.t1;
      this.timers.start('timerG', this.intervalG, () => this.onTimerG());
    }
    this.timers.start('timerH', 64 * this.ctx.timers.t1, () => this.onTimerH());
  }

  protected override send(res: SipResponse): void {
    const to = res.tryHeader(ToHeader);
    this.lastToTag = to.ok ? (to.value?.params.get('tag') ?? undefined) : undefined;
    super.send(res);
  }

  private onTimerG(): void {
    // RFC 3261 §17.2.1: re-send the response and double the interval, capped at T2.
    this.intervalG = Math.min(2 * this.intervalG, this.ctx.timers.t2);
    this.timers.start('timerG', this.intervalG, () => this.onTimerG());
    this.resend();
  }

  private onTimerH(): void {
    // RFC 3261 §17.2.1: Timer H in Completed MUST enter Terminated and MUST tell the TU of the failure.
    this.terminate();
    const handler = this.onTimeout;
    if (handler) callUser(this.ctx.logger, 'onTimeout', handler);
  }
}
