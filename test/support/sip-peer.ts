import { HeaderList } from '../../src/sip/message/headers.js';
import type { SipResponse } from '../../src/sip/message/message.js';
import { SipRequest } from '../../src/sip/message/message.js';
import { TransactionLayer } from '../../src/sip/transaction/transaction-layer.js';
import type { LoopNetwork } from '../../src/sip/transport/loop.js';
import { TransportLayer } from '../../src/sip/transport/transport-layer.js';
import type { SendTarget } from '../../src/sip/transport/types.js';
import { newCallId, newTag } from '../../src/util/ids.js';

/**
 * A SIP user agent for in-process tests: its own transport and transaction layers on a LOOP network,
 * sending requests to a server and collecting the final response. Alice and Bob in the call-flow tests.
 */
export class SipPeer {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  private host = '';
  private port = 0;

  private constructor(net: LoopNetwork, readonly name: string) {
    this.transport = new TransportLayer({ loopNetwork: net });
    this.transactions = new TransactionLayer({ transport: this.transport });
    this.transport.onInbound = (i) => {
      if (i.kind === 'message') this.transactions.receive(i.message, i.flow);
    };
  }

  /** Creates a peer listening on LOOP at `<name>.test`. */
  static async start(net: LoopNetwork, name: string): Promise<SipPeer> {
    const peer = new SipPeer(net, name);
    const lp = await peer.transport.listen({ transport: 'LOOP', host: `${name}.test`, port: 0 });
    peer.host = lp.address;
    peer.port = lp.port;
    return peer;
  }

  /**
   * Builds a request from `method` and `uri` with fresh Via, From, To, Call-ID and CSeq; `headers` are
   * added after them (and may replace none of them unless listed in `replace`).
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
      if (['Max-Forwards', 'CSeq', 'To', 'From'].includes(name)) h.set(name, value);
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
