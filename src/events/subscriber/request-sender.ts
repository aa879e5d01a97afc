import { DigestClient } from '../../sip/auth/digest-client.js';
import type { SipRequest, SipResponse } from '../../sip/message/message.js';
import { createResponse } from '../../sip/message/response.js';
import type { TransactionLayer } from '../../sip/transaction/transaction-layer.js';
import type { SendTarget } from '../../sip/transport/types.js';

/** Where this user agent can be reached, for the Via sent-by of its requests (RFC 3261 §18.1.1). */
export interface SentBy {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  readonly port?: number;
}

/** A request as finally sent (after any authentication retry) and its final response. */
export interface Exchange {
  readonly request: SipRequest;
  readonly response: SipResponse;
}

/** Options of {@link RequestSender}. */
export interface RequestSenderOptions {
  transactions: TransactionLayer;
  /** The first hop of every request (the server, or an outbound proxy; RFC 3261 §8.1.2). */
  target: SendTarget;
  sentBy: SentBy;
  /** Digest credentials for 401/407 challenges (RFC 3261 §22.2). */
  credentials?: { username: string; password: string };
}

/**
 * The UAC side shared by presenced's own clients (ClientPublication, ClientSubscription): adds the Via,
 * sends a request through a non-INVITE client transaction to the configured first hop and resolves with
 * its final response, with Timer F expiry read as 408 and a transport failure as 503 (RFC 3261 §8.1.3.1).
 * With credentials, a 401/407 is answered once with Digest credentials (RFC 3261 §22.2) and the same
 * credentials are sent ahead with later requests (RFC 7616 §3.6).
 */
export class RequestSender {
  private readonly digest: DigestClient | undefined;

  constructor(private readonly opts: RequestSenderOptions) {
    this.digest = opts.credentials ? new DigestClient(opts.credentials) : undefined;
  }

  /** The first hop. */
  get target(): SendTarget {
    return this.opts.target;
  }

  /**
   * Sends `req` (which must have no Via; it is not changed) and resolves with the final response. On
   * 401/407, when the challenge can be answered, a copy is sent once more with credentials and the CSeq
   * number `nextCSeq()` gives (RFC 3261 §22.2: a new request, so a new CSeq and Via branch); that copy
   * and its response are returned. Never rejects.
   */
  async send(req: SipRequest, nextCSeq: () => number): Promise<Exchange> {
    const first = req.clone();
    this.digest?.preauthorize(first);
    const response = await this.once(first);
    if ((response.status !== 401 && response.status !== 407) || !this.digest) return { request: first, response };
    const retry = first.clone();
    if (!this.digest.authorize(retry, response)) return { request: first, response };
    retry.headers.set('CSeq', `${nextCSeq()} ${req.method}`);
    return { request: retry, response: await this.once(retry) };
  }

  private once(req: SipRequest): Promise<SipResponse> {
    const sent = req.clone();
    const { host, port } = this.opts.sentBy;
    const hostPart = host.includes(':') ? `[${host}]` : host;
    // RFC 3261 §8.1.1.7: a Via with the transport and sent-by; the transaction layer adds the branch.
    // RFC 3581 §3: rport asks for the response to come back to the source port (NAT).
    sent.headers.prepend('Via', `SIP/2.0/${this.opts.target.transport} ${hostPart}${port !== undefined ? `:${port}` : ''};rport`);
    return new Promise((resolve) => {
      try {
        this.opts.transactions.sendRequest(sent, this.opts.target, {
          onResponse: (res) => {
            if (res.status >= 200) resolve(res);
          },
          // RFC 3261 §8.1.3.1: a transaction timeout is treated as 408, a transport error as 503.
          onTimeout: () => resolve(createResponse(sent, 408, 'Request Timeout (no response)')),
          onTransportError: (err) => resolve(createResponse(sent, 503, `Service Unavailable (${err.code})`)),
        });
      } catch (err) {
        resolve(createResponse(sent, 503, `Service Unavailable (${(err as Error).message})`));
      }
    });
  }
}
