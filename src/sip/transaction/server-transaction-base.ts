import type { SipRequest, SipResponse } from '../message/message.js';
import { serialize } from '../message/serialize.js';
import type { Via } from '../message/types.js';
import { ToHeader } from '../parser/headers/from-to.js';
import { responseTarget } from '../transport/response-routing.js';
import type { Flow, SendTarget, TransportError } from '../transport/types.js';
import { callUser, sendSafely } from './context.js';
import type { TransactionContext } from './context.js';
import { TimerSet } from './timers.js';
import type { TimerName } from './timers.js';

/**
 * What the INVITE and non-INVITE server transactions share: the request and its flow, sending and
 * re-sending the last response toward the RFC 3261 §18.2.2 target, transport-error reporting (§17.2.4)
 * and the rule that the TU passes at most one final response.
 *
 * @typeParam S the states before Terminated
 */
export abstract class ServerTransactionBase<S extends string> {
  /** Set by the TU: told when the transport cannot send a response; the transaction then terminates (RFC 3261 §17.2.4). */
  onTransportError?: (err: TransportError) => void;
  protected abstract stateValue: S | 'terminated';
  protected readonly timers: TimerSet;
  /** True over a reliable transport: Timers G, I and J are not run (RFC 3261 §17.2.1, §17.2.2). */
  protected readonly reliable: boolean;
  /** The last response sent, and its bytes for retransmission. */
  protected last?: { res: SipResponse; data: Buffer };
  private target?: SendTarget;
  private finalFromTu = false;

  /**
   * @param key the key the transaction was stored under (RFC 3261 §17.2.3)
   * @param request the request that created the transaction
   * @param flow the flow it arrived on
   * @param topVia the request's top Via, which routes the responses (§18.2.2)
   * @param destroyed called once when the transaction enters Terminated
   */
  constructor(
    protected readonly ctx: TransactionContext,
    readonly key: string,
    readonly request: SipRequest,
    readonly flow: Flow,
    private readonly topVia: Via,
    private readonly destroyed: () => void,
  ) {
    this.timers = new TimerSet(ctx.clock);
    this.reliable = ctx.transport.isReliable(flow.transport);
  }

  /** Names of the timers now running, e.g. `['timerJ']`. */
  get runningTimers(): TimerName[] {
    return this.timers.names();
  }

  /** The To tag of the last response sent, if it had one. */
  get toTag(): string | undefined {
    const to = this.last?.res.tryHeader(ToHeader);
    return to?.ok ? (to.value?.params.get('tag') ?? undefined) : undefined;
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
    if (this.finalFromTu) throw new Error(`respond(${res.status}) after a final response on ${this.request.method}`);
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
    // RFC 3261 §17.2.1, §17.2.2: once Terminated, the transaction MUST be destroyed immediately.
    this.destroyed();
  }

  /** A retransmission of the request, or (INVITE) an ACK, matched to this transaction by the layer. */
  abstract receive(req: SipRequest): void;

  /** True while the state machine takes responses (before a final response was sent). */
  protected abstract accepting(): boolean;

  /** Runs the state machine for a response allowed by {@link respond}. */
  protected abstract take(res: SipResponse): void;

  /** Sends a response and keeps it as the one to retransmit. */
  protected send(res: SipResponse): void {
    const data = serialize(res);
    this.last = { res, data };
    this.transmit(data);
  }

  /** Sends the last response again, if there is one. */
  protected resend(): void {
    if (this.last) this.transmit(this.last.data);
  }

  private transmit(data: Buffer): void {
    // RFC 3261 §18.2.2 / RFC 3581: the transport layer decides where a response goes from the top Via.
    this.target ??= responseTarget(this.topVia, this.flow);
    sendSafely(this.ctx, this.target, data, (err) => {
      if (this.stateValue === 'terminated') return;
      // RFC 3261 §17.2.4: the server transaction SHOULD inform the TU and enter Terminated.
      this.terminate();
      const handler = this.onTransportError;
      if (handler) callUser(this.ctx.logger, 'onTransportError', () => handler(err));
      else this.ctx.logger.warn({ err, method: this.request.method }, 'response could not be sent');
    });
  }
}
