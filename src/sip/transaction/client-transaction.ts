import type { SipRequest, SipResponse } from '../message/message.js';
import type { Flow, SendTarget, TransportError } from '../transport/types.js';
import { callUser, sendSafely } from './context.js';
import type { TransactionContext } from './context.js';
import { TimerSet } from './timers.js';
import type { TimerName } from './timers.js';

/** States of the non-INVITE client transaction (RFC 3261 §17.1.2.2, Figure 6). */
export type ClientTransactionState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/** What the transaction user hears from a client transaction. Callbacks that throw are logged. */
export interface ClientTransactionHandler {
  /** Each provisional response and the first final response (retransmissions are filtered out). */
  onResponse(res: SipResponse): void;
  /** Timer F fired before a final response arrived; the UAC treats it as 408 (RFC 3261 §8.1.3.1). */
  onTimeout(): void;
  /** The transport could not send the request; the UAC treats it as 503 (RFC 3261 §8.1.3.1). */
  onTransportError(err: TransportError): void;
}

/**
 * A non-INVITE client transaction (RFC 3261 §17.1.2): sends the request, retransmits it with Timer E
 * over unreliable transports, gives up with Timer F (64*T1), and stays Completed for Timer K (T4 over
 * unreliable transports, 0 over reliable ones) to absorb response retransmissions. Created by
 * `TransactionLayer.sendRequest`.
 *
 * Once Completed it only absorbs responses: it lets go of the request, its bytes and the TU's handler,
 * so waiting for Timer K costs little more than the transaction object and its timer.
 */
export class ClientTransaction {
  private stateValue: ClientTransactionState = 'trying';
  private readonly timers: TimerSet;
  /** The request, its bytes and the TU's handler, until the final response (or Terminated). */
  private requestValue: SipRequest | undefined;
  private data: Buffer | undefined;
  private handler: ClientTransactionHandler | undefined;
  private target: SendTarget;
  private readonly reliable: boolean;
  /** The current Timer E interval in ms. */
  private intervalE: number;

  /**
   * @param key the client transaction key (§17.1.3)
   * @param request the request, already carrying its branch
   * @param data the serialised request
   * @param target where to send it
   * @param destroyed called once when the transaction enters Terminated
   */
  constructor(
    private readonly ctx: TransactionContext,
    readonly key: string,
    request: SipRequest,
    data: Buffer,
    target: SendTarget,
    handler: ClientTransactionHandler,
    private readonly destroyed: () => void,
  ) {
    this.timers = new TimerSet(ctx.clock);
    this.requestValue = request;
    this.data = data;
    this.handler = handler;
    this.target = target;
    this.reliable = ctx.transport.isReliable(target.transport);
    this.intervalE = ctx.timers.t1;
  }

  /**
   * The request the transaction sends.
   * @throws Error once a final response arrived or the transaction terminated: it no longer holds it.
   */
  get request(): SipRequest {
    if (!this.requestValue) throw new Error(`the client transaction ${this.key} no longer holds its request (${this.stateValue})`);
    return this.requestValue;
  }

  /** Current state (RFC 3261 Figure 6). */
  get state(): ClientTransactionState {
    return this.stateValue;
  }

  /** Names of the timers now running, e.g. `['timerF', 'timerE']`. */
  get runningTimers(): TimerName[] {
    return this.timers.names();
  }

  /** Enters Trying: sends the request and starts Timers F and E. Called once by the layer. */
  start(): void {
    const { t1 } = this.ctx.timers;
    // RFC 3261 §17.1.2.2: Timer F = 64*T1 on entering Trying.
    this.timers.start('timerF', 64 * t1, () => this.onTimerF());
    // RFC 3261 §17.1.2.2: over an unreliable transport the client transaction MUST set Timer E to T1.
    if (!this.reliable) this.timers.start('timerE', t1, () => this.onTimerE());
    // RFC 3261 §17.1.2.2: the request MUST be passed to the transport layer.
    this.send((flow) => {
      // Retransmissions leave by the same flow (same local socket for UDP).
      if (this.target.flowId === undefined) this.target = { ...this.target, flowId: flow.id };
    });
  }

  /** A response matched to this transaction (§17.1.3) by the layer. */
  receive(res: SipResponse): void {
    const state = this.stateValue;
    if (state === 'completed' || state === 'terminated') return; // retransmission, absorbed
    const handler = this.handler!;
    if (res.status < 200) {
      // RFC 3261 §17.1.2.2: a provisional response MUST be passed to the TU; Trying -> Proceeding.
      this.stateValue = 'proceeding';
      callUser(this.ctx.logger, 'onResponse', () => handler.onResponse(res));
      return;
    }
    // RFC 3261 §17.1.2.2: a final response MUST be passed to the TU and the transaction MUST enter
    // Completed, setting Timer K to T4 for unreliable transports and zero for reliable ones.
    this.stateValue = 'completed';
    this.timers.stop('timerE');
    this.timers.stop('timerF');
    // Completed only absorbs response retransmissions: nothing is sent or reported any more.
    this.release();
    callUser(this.ctx.logger, 'onResponse', () => handler.onResponse(res));
    if (this.stateValue !== 'completed') return; // the TU terminated it from its callback
    if (this.reliable) this.terminate();
    else this.startTimerK();
  }

  /**
   * Timer K, armed outside {@link receive}: a closure made there would share its context with the TU
   * callback and keep the response and the handler alive for T4.
   */
  private startTimerK(): void {
    this.timers.start('timerK', this.ctx.timers.t4, () => this.terminate());
  }

  /**
   * Enters Terminated: stops every timer and forgets the transaction; later responses are stray. The TU
   * may call this to abandon a transaction; no callback follows. Calling it again does nothing.
   */
  terminate(): void {
    if (this.stateValue === 'terminated') return;
    this.stateValue = 'terminated';
    this.timers.stopAll();
    this.release();
    // RFC 3261 §17.1.2.2: once Terminated, the transaction MUST be destroyed immediately.
    this.destroyed();
  }

  /** Lets go of what only Trying and Proceeding need. */
  private release(): void {
    this.requestValue = undefined;
    this.data = undefined;
    this.handler = undefined;
  }

  private onTimerE(): void {
    const { t2 } = this.ctx.timers;
    // RFC 3261 §17.1.2.2: in Trying the interval doubles up to T2; in Proceeding it MUST be reset to T2.
    this.intervalE = this.stateValue === 'proceeding' ? t2 : Math.min(2 * this.intervalE, t2);
    this.timers.start('timerE', this.intervalE, () => this.onTimerE());
    this.send();
  }

  private onTimerF(): void {
    // RFC 3261 §17.1.2.2: Timer F in Trying or Proceeding: inform the TU, enter Terminated.
    const handler = this.handler!;
    this.terminate();
    callUser(this.ctx.logger, 'onTimeout', () => handler.onTimeout());
  }

  private send(onSent?: (flow: Flow) => void): void {
    sendSafely(
      this.ctx,
      this.target,
      this.data!,
      (err) => {
        // RFC 3261 §17.1.4: inform the TU of the transport failure and go to Terminated. A failure that
        // lands after the final response changes nothing.
        if (this.stateValue !== 'trying' && this.stateValue !== 'proceeding') return;
        const handler = this.handler!;
        this.terminate();
        callUser(this.ctx.logger, 'onTransportError', () => handler.onTransportError(err));
      },
      onSent,
    );
  }
}
