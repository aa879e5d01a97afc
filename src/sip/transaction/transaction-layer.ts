import { systemClock } from '../../util/clock.js';
import type { Clock } from '../../util/clock.js';
import { newBranch, newTag } from '../../util/ids.js';
import { silentLogger } from '../../util/logger.js';
import type { Logger } from '../../util/logger.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/message.js';
import { createResponse } from '../message/response.js';
import { serialize } from '../message/serialize.js';
import { ViaHeader } from '../parser/headers/via.js';
import { responseTarget } from '../transport/response-routing.js';
import type { Flow, SendTarget, TransportSender } from '../transport/types.js';
import { ClientTransaction } from './client-transaction.js';
import type { ClientTransactionHandler } from './client-transaction.js';
import { callUser, sendSafely } from './context.js';
import type { TransactionContext } from './context.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { ServerTransaction } from './server-transaction.js';
import type { ServerTransactionBase, ServerTransactionKeys } from './server-transaction-base.js';
import { DEFAULT_TIMER_VALUES } from './timers.js';
import type { TimerValues } from './timers.js';
import { clientKey, requestKeys, responseKey } from './transaction-keys.js';
import type { RequestKeys } from './transaction-keys.js';

/** A server transaction as the TU receives it; narrow on `kind` ('non-invite' | 'invite'). */
export type AnyServerTransaction = ServerTransaction | InviteServerTransaction;

/** Options of {@link TransactionLayer}. */
export interface TransactionLayerOptions {
  /** Sends serialised messages (the transport layer). */
  transport: TransportSender;
  /** Time source for every timer; default the system clock. */
  clock?: Clock;
  /** T1, T2, T4 in ms (defaults 500, 4000, 5000; RFC 3261 Appendix A). */
  timers?: Partial<TimerValues>;
  logger?: Logger;
  limits?: {
    /**
     * Most server transactions alive at once; a new request beyond it is answered 503 statelessly and
     * never reaches the TU. Default unlimited.
     */
    maxServerTransactions?: number;
  };
}

/** Counters for metrics; they only grow. */
export interface TransactionLayerStats {
  /** Request retransmissions absorbed by a server transaction. */
  retransmissions: number;
  /** Responses matching no client transaction (RFC 3261 §17.1.3). */
  strayResponses: number;
  /** ACKs matching no INVITE server transaction (e.g. the ACK for a 2xx). */
  strayAcks: number;
  /** Requests answered 482 as merged (RFC 3261 §8.2.2.2). */
  merged: number;
  /** New requests answered 503 because `maxServerTransactions` was reached. */
  overLimit: number;
  /** Messages dropped because Via, From, To, Call-ID or CSeq could not be read. */
  malformed: number;
}

/**
 * The RFC 3261 §17 transaction layer: matches incoming requests to server transactions and responses to
 * client transactions, creates transactions, and runs every transaction timer on the injected clock.
 *
 * The composition root passes each inbound message to {@link receive}; the TU sets {@link onRequest}
 * and answers through the server transaction it is given, and sends non-INVITE requests with
 * {@link sendRequest}. CANCEL (§9.2) and merged requests (§8.2.2.2) are answered here, without the TU.
 */
export class TransactionLayer {
  /**
   * Called with each new server transaction (never for retransmissions, ACK, CANCEL or merged
   * requests). The TU MUST answer through `tx.respond`. If it throws before answering, the request gets
   * 500. Default: answer 503.
   */
  onRequest: (tx: AnyServerTransaction) => void = (tx) => {
    this.logger.warn({ method: tx.request.method }, 'no transaction user: request answered 503');
    tx.respond(createResponse(tx.request, 503));
  };
  /** An ACK that matched no INVITE server transaction, e.g. the ACK for a 2xx (§17). Default: dropped. */
  onStrayAck: (ack: SipRequest, flow: Flow) => void = () => {};
  /** A response that matched no client transaction (§17.1.3). Default: dropped (and counted). */
  onStrayResponse: (res: SipResponse, flow: Flow) => void = () => {};

  /** Counters for metrics (see {@link TransactionLayerStats}). */
  readonly stats: TransactionLayerStats = {
    retransmissions: 0, strayResponses: 0, strayAcks: 0, merged: 0, overLimit: 0, malformed: 0,
  };

  private readonly ctx: TransactionContext;
  private readonly logger: Logger;
  private readonly maxServer: number;
  private readonly client = new Map<string, ClientTransaction>();
  private readonly server = new Map<string, AnyServerTransaction>();
  /** RFC 2543 INVITE transactions by the key their ACK carries (§17.2.3). */
  private readonly ack2543 = new Map<string, InviteServerTransaction>();
  /** Server transactions handed to the TU for requests without To tag, by From tag, Call-ID, CSeq. */
  private readonly mergeIndex = new Map<string, AnyServerTransaction>();
  private closed = false;

  /** @throws RangeError when a timer value is not a positive number or T2 < T1. */
  constructor(opts: TransactionLayerOptions) {
    const timers: TimerValues = { ...DEFAULT_TIMER_VALUES, ...opts.timers };
    for (const [name, v] of Object.entries(timers)) {
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new RangeError(`${name} must be a positive number of ms`);
    }
    if (timers.t2 < timers.t1) throw new RangeError('t2 must not be below t1');
    this.logger = opts.logger ?? silentLogger;
    this.ctx = { transport: opts.transport, clock: opts.clock ?? systemClock, timers, logger: this.logger };
    this.maxServer = opts.limits?.maxServerTransactions ?? Infinity;
  }

  /** Live transactions, for tests and metrics. */
  get size(): { client: number; server: number } {
    return { client: this.client.size, server: this.server.size };
  }

  /** Entry point from the transport layer for every parsed inbound message. */
  receive(msg: SipMessage, flow: Flow): void {
    if (this.closed) return;
    if (msg.kind === 'response') return this.receiveResponse(msg, flow);
    const keys = requestKeys(msg);
    if (!keys) {
      this.stats.malformed++;
      this.logger.debug({ method: msg.method }, 'request without readable Via/From/To/Call-ID/CSeq dropped');
      return;
    }
    if (msg.method === 'ACK') return this.receiveAck(msg, flow, keys);
    const existing = this.server.get(keys.match);
    if (existing) {
      // RFC 3261 §17.2.3: a request matching a transaction is a retransmission, handled by it.
      this.stats.retransmissions++;
      existing.receive(msg);
      return;
    }
    if (this.server.size >= this.maxServer) {
      this.stats.overLimit++;
      this.sendStateless(createResponse(msg, 503), flow);
      return;
    }
    // RFC 3261 §8.2.2.2: no To tag, and From tag, Call-ID and CSeq equal an ongoing transaction that
    // the request does not match: the same request arrived by another path; answer 482.
    if (keys.merge !== undefined && this.mergeIndex.has(keys.merge)) {
      this.stats.merged++;
      this.createServer(msg, flow, keys, false).respond(createResponse(msg, 482));
      return;
    }
    if (msg.method === 'CANCEL') return this.receiveCancel(msg, flow, keys);
    const tx = this.createServer(msg, flow, keys, true);
    if (tx.kind === 'invite') tx.start();
    try {
      this.onRequest(tx);
    } catch (err) {
      this.logger.error({ err, method: msg.method }, 'onRequest threw');
      if (tx.state === 'trying' || tx.state === 'proceeding') tx.respond(createResponse(msg, 500));
    }
  }

  /**
   * Starts a non-INVITE client transaction (RFC 3261 §17.1.2) sending `req` to `target`. A top Via
   * without branch gets one (RFC 3261 §8.1.1.7). The request is serialised now; later changes to it are
   * not sent.
   * @throws Error for INVITE or ACK (presenced sends neither), a request without a single-valued top
   *   Via line, a branch already in use by a client transaction for this method, or a closed layer.
   */
  sendRequest(req: SipRequest, target: SendTarget, handler: ClientTransactionHandler): ClientTransaction {
    if (this.closed) throw new Error('TransactionLayer is closed');
    if (req.method === 'INVITE' || req.method === 'ACK') throw new Error(`sendRequest() does not send ${req.method}`);
    const first = req.headers.get('Via');
    const parsed = first === undefined ? undefined : ViaHeader.parse([first]);
    if (!parsed?.ok || parsed.value.length !== 1) throw new Error('sendRequest(): the request needs one Via value on its top Via line');
    let branch = parsed.value[0]!.params.get('branch');
    if (!branch) {
      // RFC 3261 §8.1.1.7: the branch MUST be unique and begin with z9hG4bK.
      branch = newBranch();
      req.headers.replaceFirst('Via', `${first};branch=${branch}`);
    }
    const key = clientKey(branch, req.method);
    if (this.client.has(key)) throw new Error(`sendRequest(): branch ${branch} already in use for ${req.method}`);
    const tx: ClientTransaction = new ClientTransaction(this.ctx, key, req, serialize(req), target, handler, () => {
      if (this.client.get(key) === tx) this.client.delete(key);
    });
    this.client.set(key, tx);
    tx.start();
    return tx;
  }

  /**
   * Sends a response outside any transaction, toward its top Via (RFC 3261 §18.2.2, RFC 3581) relative
   * to `flow`, the flow the request came in on. A transport failure is logged, never thrown.
   * @throws Error when the response has no readable Via.
   */
  sendStateless(res: SipResponse, flow: Flow): void {
    const via = res.tryHeader(ViaHeader);
    const top = via.ok ? via.value?.[0] : undefined;
    if (!top) throw new Error('sendStateless(): the response has no readable Via');
    sendSafely(this.ctx, responseTarget(top, flow), serialize(res), (err) => {
      this.logger.warn({ err, status: res.status }, 'stateless response could not be sent');
    });
  }

  /** Terminates every transaction and clears every timer; later messages are ignored. No callbacks run. */
  close(): void {
    this.closed = true;
    for (const tx of [...this.client.values()]) tx.terminate();
    for (const tx of [...this.server.values()]) tx.terminate();
    this.client.clear();
    this.server.clear();
    this.ack2543.clear();
    this.mergeIndex.clear();
  }

  private receiveResponse(res: SipResponse, flow: Flow): void {
    const key = responseKey(res);
    const tx = key === undefined ? undefined : this.client.get(key);
    if (!tx) {
      this.stats.strayResponses++;
      callUser(this.logger, 'onStrayResponse', () => this.onStrayResponse(res, flow));
      return;
    }
    tx.receive(res);
  }

  private receiveAck(ack: SipRequest, flow: Flow, keys: RequestKeys): void {
    const tx = keys.rfc2543 ? this.ack2543.get(keys.match) : this.server.get(keys.match);
    // RFC 3261 §17.2.3: an RFC 2543 ACK also needs the To tag of the response the transaction sent.
    if (tx?.kind === 'invite' && (!keys.rfc2543 || keys.toTag === (tx.toTag ?? ''))) {
      tx.receive(ack);
      return;
    }
    this.stats.strayAcks++;
    callUser(this.logger, 'onStrayAck', () => this.onStrayAck(ack, flow));
  }

  private receiveCancel(cancel: SipRequest, flow: Flow, keys: RequestKeys): void {
    const tx = this.createServer(cancel, flow, keys, false);
    const target = keys.cancels === undefined ? undefined : this.server.get(keys.cancels);
    if (target?.kind !== 'invite') {
      // RFC 3261 §9.2: no matching transaction: SHOULD respond 481. A CANCEL of a non-INVITE request
      // would have no effect (§9.2), so only INVITE transactions are looked up.
      tx.respond(createResponse(cancel, 481));
      return;
    }
    // RFC 3261 §9.2: answer the CANCEL 200 with the To tag of the INVITE's response, and the INVITE 487
    // if it has no final response yet.
    const toTag = target.toTag ?? newTag();
    tx.respond(createResponse(cancel, 200, undefined, toTag));
    target.cancel(toTag);
  }

  /** Creates and indexes a server transaction; `forTu` ones take part in merged-request detection. */
  private createServer(req: SipRequest, flow: Flow, keys: RequestKeys, forTu: boolean): AnyServerTransaction {
    const invite = req.method === 'INVITE';
    // The transaction keeps only the key strings it is indexed under, not `keys` (whose top Via is a
    // parsed structure): it outlives the request by Timer J.
    const index: ServerTransactionKeys = {
      match: keys.match,
      ...(invite && keys.ack !== undefined && { ack: keys.ack }),
      ...(forTu && keys.merge !== undefined && { merge: keys.merge }),
    };
    const tx: AnyServerTransaction = invite
      ? new InviteServerTransaction(this.ctx, index, req, flow, keys.topVia, this.forgetServer)
      : new ServerTransaction(this.ctx, index, req, flow, keys.topVia, this.forgetServer);
    this.server.set(tx.key, tx);
    if (tx.ackKey !== undefined && tx.kind === 'invite') this.ack2543.set(tx.ackKey, tx);
    if (tx.mergeKey !== undefined) this.mergeIndex.set(tx.mergeKey, tx);
    return tx;
  }

  /** Called by each server transaction as it enters Terminated. */
  private readonly forgetServer = (tx: ServerTransactionBase<string>): void => {
    if (this.server.get(tx.key) === tx) this.server.delete(tx.key);
    if (tx.ackKey !== undefined && this.ack2543.get(tx.ackKey) === tx) this.ack2543.delete(tx.ackKey);
    if (tx.mergeKey !== undefined && this.mergeIndex.get(tx.mergeKey) === tx) this.mergeIndex.delete(tx.mergeKey);
  };
}
