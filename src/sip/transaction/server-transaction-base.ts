import type { SipRequest, SipResponse } from '../message/message.js';
import { serialize } from '../message/serialize.js';
import type { Via } from '../message/types.js';
import { responseTarget } from '../transport/response-routing.js';
import type { Flow, SendTarget, TransportError } from '../transport/types.js';
import { callUser, sendSafely } from './context.js';
import type { TransactionContext } from './context.js';
import { TimerSet } from './timers.js';
import type { TimerName } from './timers.js';

/** The keys a server transaction is indexed under by its layer (see transaction-keys.ts). */
export interface ServerTransactionKeys {
  /** The server transaction key (RFC 3261 §17.2.3). */
  readonly match: string;
  /** RFC 2543 INVITE only: the key its ACK is found under. */
  readonly ack?: string;
  /** Merged-request detection (§8.2.2.2), for transactions handed to the TU. */
  readonly merge?: string;
}

/**
 * What the INVITE and non-INVITE server transactions share: the request and its flow, sending and
 * re-sending the last response toward the RFC 3261 §18.2.2 target, transport-error reporting (§17.2.4)
 * and the rule that the TU passes at most one final response.
 *
 * Once the final response is sent, a transaction keeps only what absorbing retransmissions needs: the
 * bytes of that response (as a latin1 string, which maps each byte to one character and back), where it
 * went, its keys and its timer. The request, the response object and the top Via are let go, so a
 * completed transaction waiting for Timer J (32 s) holds a few hundred bytes instead of two parsed
 * messages.
 *
 * @typeParam S the states before Terminated
 */
export abstract class ServerTransactionBase<S extends string> {
  /** Set by the TU: told when the transport cannot send a response; the transaction then terminates (RFC 3261 §17.2.4). */
  onTransportError?: (err: TransportError) => void;
  /** The method of the request that created the transaction (kept once the request is let go). */
  readonly method: string;
  protected abstract stateValue: S | 'terminated';
  protected readonly timers: TimerSet;
  /** True over a reliable transport: Timers G, I and J are not run (RFC 3261 §17.2.1, §17.2.2). */
  protected readonly reliable: boolean;
  /** The request until the final response; undefined afterwards. */
  private requestValue: SipRequest | undefined;
  /** The top Via of the request until the response target is known from it (§18.2.2). */
  private topVia: Via | undefined;
  /** The bytes of the last response sent, for retransmission, one latin1 character per byte. */
  private lastData: string | undefined;
  private target?: SendTarget;
  private finalFromTu = false;

  /** The key the transaction was stored under (RFC 3261 §17.2.3). */
  readonly key: string;
  /** RFC 2543 INVITE only: the key its ACK is found under (§17.2.3). */
  readonly ackKey: string | undefined;
  /** The key of merged-request detection (§8.2.2.2) it is indexed under, if any. */
  readonly mergeKey: string | undefined;

  /**
   * @param keys the keys the layer indexes the transaction under
   * @param request the request that created the transaction
   * @param flow the flow it arrived on
   * @param topVia the request's top Via, which routes the responses (§18.2.2)
   * @param destroyed called once with the transaction when it enters Terminated (one function shared
   *   by every transaction of a layer: a closure each would outlive the request by Timer J)
   */
  constructor(
    protected readonly ctx: TransactionContext,
    keys: ServerTransactionKeys,
    request: SipRequest,
    readonly flow: Flow,
    topVia: Via,
    private readonly destroyed: (tx: ServerTransactionBase<string>) => void,
  ) {
    this.key = keys.match;
    this.ackKey = keys.ack;
    this.mergeKey = keys.merge;
    this.method = request.method;
    this.requestValue = request;
    this.topVia = topVia;
    this.timers = new TimerSet(ctx.clock);
    this.reliable = ctx.transport.isReliable(flow.transport);
  }

  /**
   * The request that created the transaction, for the TU while it answers.
   * @throws Error once the TU's final response was sent: the transaction no longer holds the request
   *   (a retransmission needs only the response's bytes).
   */
  get request(): SipRequest {
    if (!this.requestValue) throw new Error(`the ${this.method} transaction ${this.key} no longer holds its request (final response sent)`);
    return this.requestValue;
  }

  /** Names of the timers now running, e.g. `['timerJ']`. */
  get runningTimers(): TimerName[] {
    return this.timers.names();
  }

  /**
   * Passes a response from the TU to the transaction, which sends it toward the request's top Via
   * (RFC 3261 §18.2.2, RFC 3581) and moves its state machine. A response passed after the transaction
   * already terminated without a final response from the TU (transport error, CANCEL, layer closed) is
   * discarded.
   * @throws Error when the status is outside 100-699, or when the TU already passed a final response.
   */
  respond(res: SipResponse): void {
    if (!Number.isInteger(res.status) || res.status < 100 || res.status > 699) {
      throw new Error(`respond(): status ${res.status} is not 100-699`);
    }
    if (this.finalFromTu) throw new Error(`respond(${res.status}) after a final response on ${this.method}`);
    if (res.status >= 200) this.finalFromTu = true;
    if (!this.accepting()) {
      this.ctx.logger.debug({ status: res.status, state: this.stateValue }, 'response after the transaction ended: discarded');
      return;
    }
    this.take(res);
  }

  /**
   * Enters Terminated: stops every timer and forgets the transaction; later retransmissions make a new
   * transaction. Calling it again does nothing.
   */
  terminate(): void {
    if (this.stateValue === 'terminated') return;
    this.stateValue = 'terminated';
    this.timers.stopAll();
    this.lastData = undefined;
    // RFC 3261 §17.2.1, §17.2.2: once Terminated, the transaction MUST be destroyed immediately.
    this.destroyed(this);
  }

  /** A retransmission of the request, or (INVITE) an ACK, matched to this transaction by the layer. */
  abstract receive(req: SipRequest): void;

  /** True while the state machine takes responses (before a final response was sent). */
  protected abstract accepting(): boolean;

  /** Runs the state machine for a response allowed by {@link respond}. */
  protected abstract take(res: SipResponse): void;

  /** True once a response was sent (the INVITE transaction then sends no 100 Trying of its own). */
  protected get responded(): boolean {
    return this.lastData !== undefined;
  }

  /**
   * Sends a response and keeps its bytes as the ones to retransmit. The TU's final response lets the
   * request go: the TU is done with it, and a retransmission needs only those bytes. (A final response
   * the transaction sends itself, the 487 after a CANCEL, keeps it: the TU may still be reading it.)
   */
  protected send(res: SipResponse): void {
    const data = serialize(res);
    if (res.status >= 200 && this.finalFromTu) this.requestValue = undefined;
    this.lastData = data.toString('latin1');
    this.transmit(data);
  }

  /** Sends the last response again, if there is one. */
  protected resend(): void {
    if (this.lastData !== undefined) this.transmit(Buffer.from(this.lastData, 'latin1'));
  }

  private transmit(data: Buffer): void {
    // RFC 3261 §18.2.2 / RFC 3581: the transport layer decides where a response goes from the top Via.
    if (!this.target) {
      this.target = responseTarget(this.topVia!, this.flow);
      this.topVia = undefined;
    }
    sendSafely(this.ctx, this.target, data, (err) => {
      if (this.stateValue === 'terminated') return;
      // RFC 3261 §17.2.4: the server transaction SHOULD inform the TU and enter Terminated.
      this.terminate();
      const handler = this.onTransportError;
      if (handler) callUser(this.ctx.logger, 'onTransportError', () => handler(err));
      else this.ctx.logger.warn({ err, method: this.method }, 'response could not be sent');
    });
  }
}
