import { HeaderList } from '../../src/sip/message/headers.js';
import type { SipResponse } from '../../src/sip/message/message.js';
import { SipRequest } from '../../src/sip/message/message.js';
import { createResponse } from '../../src/sip/message/response.js';
import { TransactionLayer } from '../../src/sip/transaction/transaction-layer.js';
import type { LoopNetwork } from '../../src/sip/transport/loop.js';
import { TransportLayer } from '../../src/sip/transport/transport-layer.js';
import type { SendTarget } from '../../src/sip/transport/types.js';
import { newCallId, newTag } from '../../src/util/ids.js';

/** A test waiting for received requests. */
interface Waiter {
  pred: (req: SipRequest) => boolean;
  count: number;
  resolve: (reqs: SipRequest[]) => void;
}

/**
 * A SIP user agent for in-process tests: its own transport and transaction layers on a LOOP network,
 * sending requests to a server and collecting the final response. Alice and Bob in the call-flow tests.
 * Requests it receives (e.g. NOTIFYs) are recorded in {@link received} and answered as {@link onRequest}
 * says (200 unless told otherwise).
 */
export class SipPeer {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  /** Every request received, in arrival order. */
  readonly received: SipRequest[] = [];
  /**
   * The status each received request is answered with; undefined leaves it unanswered (a peer that
   * vanished). Default: 200.
   */
  onRequest: (req: SipRequest) => number | undefined = () => 200;
  /** Header fields added to the response to each received request (e.g. an Event header in a NOTIFY's 200). Default none. */
  answerHeaders: (req: SipRequest) => Array<[string, string]> = () => [];
  private waiters: Waiter[] = [];
  private hostName = '';
  private portNumber = 0;

  private constructor(net: LoopNetwork, readonly name: string) {
    this.transport = new TransportLayer({ loopNetwork: net });
    this.transactions = new TransactionLayer({ transport: this.transport });
    this.transport.onInbound = (i) => {
      if (i.kind === 'message') this.transactions.receive(i.message, i.flow);
    };
    this.transactions.onRequest = (tx) => {
      this.received.push(tx.request);
      const status = this.onRequest(tx.request);
      if (status !== undefined) {
        const res = createResponse(tx.request, status);
        for (const [name, value] of this.answerHeaders(tx.request)) res.headers.append(name, value);
        tx.respond(res);
      }
      this.waiters = this.waiters.filter((w) => !this.settle(w));
    };
  }

  /** The LOOP host this peer listens on, e.g. `alice.test`. */
  get host(): string {
    return this.hostName;
  }

  /** The LOOP port this peer listens on. */
  get port(): number {
    return this.portNumber;
  }

  /**
   * Resolves with every received request matching `pred` once there are at least `count` of them;
   * rejects after `timeoutMs` of real time.
   */
  waitFor(pred: (req: SipRequest) => boolean, count = 1, timeoutMs = 2000): Promise<SipRequest[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.name}: fewer than ${count} matching requests after ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        pred,
        count,
        resolve: (reqs) => {
          clearTimeout(timer);
          resolve(reqs);
        },
      };
      if (!this.settle(waiter)) this.waiters.push(waiter);
    });
  }

  private settle(w: Waiter): boolean {
    const matching = this.received.filter(w.pred);
    if (matching.length < w.count) return false;
    w.resolve(matching);
    return true;
  }

  /** Creates a peer listening on LOOP at `host`, by default `<name>.test` (an IP address for source-address tests). */
  static async start(net: LoopNetwork, name: string, host = `${name}.test`): Promise<SipPeer> {
    const peer = new SipPeer(net, name);
    const lp = await peer.transport.listen({ transport: 'LOOP', host, port: 0 });
    peer.hostName = lp.address;
    peer.portNumber = lp.port;
    return peer;
  }

  /**
   * Builds a request from `method` and `uri` with fresh Via, From, To, Call-ID and CSeq; `headers` are
   * added after them; Max-Forwards, CSeq, To, From and Call-ID given there replace the generated ones.
   */
  request(method: string, uri: string, headers: Array<[string, string]> = [], body?: string): SipRequest {
    const h = new HeaderList();
    h.append('Via', `SIP/2.0/LOOP ${this.host}:${this.port}`);
    h.append('Max-Forwards', '70');
    h.append('From', `<sip:${this.name}@${this.host}>;tag=${newTag()}`);
    h.append('To', `<${uri}>`);
    h.append('Call-ID', newCallId(this.host));
    h.append('CSeq', `1 ${method}`);
    for (const [name, value] of headers) {
      if (['Max-Forwards', 'CSeq', 'To', 'From', 'Call-ID'].includes(name)) h.set(name, value);
      else h.append(name, value);
    }
    return new SipRequest(method, uri, h, body === undefined ? undefined : Buffer.from(body));
  }

  /** Sends a request and resolves with the final response; rejects on timeout or transport error. */
  send(req: SipRequest, target: SendTarget): Promise<SipResponse> {
    return new Promise((resolve, reject) => {
      this.transactions.sendRequest(req, target, {
        onResponse: (res) => {
          if (res.status >= 200) resolve(res);
        },
        onTimeout: () => reject(new Error(`${req.method} timed out`)),
        onTransportError: (err) => reject(err),
      });
    });
  }

  async close(): Promise<void> {
    this.transactions.close();
    await this.transport.close();
  }
}
