import { nextHop } from '../../sip/dialog/in-dialog-request.js';
import { uriTarget } from '../../sip/dialog/uri-target.js';
import type { HostResolver } from '../../sip/dialog/uri-target.js';
import type { SipRequest } from '../../sip/message/message.js';
import type { EventType, SipUri } from '../../sip/message/types.js';
import { EventHeader } from '../../sip/parser/headers/event.js';
import { parseUri } from '../../sip/parser/uri.js';
import type { TransactionLayer } from '../../sip/transaction/transaction-layer.js';
import { sameAddress } from '../../sip/transport/address.js';
import type { SendTarget, TransportName } from '../../sip/transport/types.js';
import type { SubscriptionRecord } from '../../store/ports.js';
import { localTargetOf } from './local-target.js';
import { buildNotify, dialogOf } from './notify-request.js';
import type { NotifyContent } from './notify-request.js';

/**
 * How one NOTIFY transaction ended, for the subscription (RFC 6665 §4.2.2):
 * - `delivered`: a 2xx; `event` is its Event header, if it has a well-formed one (RFC 6446 §4.1: the
 *   subscriber may change its rate control parameters there);
 * - `ended`: the subscription must be removed without another NOTIFY (a response in the list of
 *   §4.2.2, 408, Timer F, or a transport failure); `cause` says which;
 * - `kept`: another failure (e.g. 500, 503, 403): logged, and the subscription goes on.
 */
export type NotifyOutcome =
  | { readonly kind: 'delivered'; readonly status: number; readonly event?: EventType }
  | { readonly kind: 'ended'; readonly cause: string; readonly status?: number }
  | { readonly kind: 'kept'; readonly cause: string; readonly status?: number };

const TRANSPORTS = new Set<string>(['UDP', 'TCP', 'TLS', 'WS', 'WSS', 'LOOP']);

function transportName(t: string | undefined): TransportName | undefined {
  const upper = t?.toUpperCase();
  return upper !== undefined && TRANSPORTS.has(upper) ? (upper as TransportName) : undefined;
}

/** A URI that does not resolve, or a record whose dialog cannot be read: no NOTIFY can ever go out. */
function noRoute(err: unknown): NotifyOutcome {
  return { kind: 'ended', cause: `no route to the subscriber: ${(err as Error).message}` };
}

/** Most local targets whose Via sent-by is kept. */
const SENT_BY_CACHE = 64;

/**
 * With an empty route set, the flow the SUBSCRIBE (or its last refresh) came on, when known (RFC 5626
 * flow reuse); undefined otherwise.
 */
function flowTarget(record: Readonly<SubscriptionRecord>): SendTarget | undefined {
  const flow = record.flow;
  const transport = transportName(flow?.transport);
  if (record.routeSet.length || !flow || !transport) return undefined;
  return { transport, address: flow.address, port: flow.port, ...(flow.flowId ? { flowId: flow.flowId } : {}) };
}

/**
 * Whether a final response to NOTIFY ends the subscription: RFC 6665 §4.2.2 (404, 405, 410, 416,
 * 480-485, 489, 501, 604: the notifier MUST remove it) and RFC 3261 §12.2.1.2 (408: the dialog SHOULD
 * end, as for Timer F).
 */
export function responseEndsSubscription(status: number): boolean {
  return (
    status === 404 || status === 405 || status === 408 || status === 410 || status === 416 ||
    (status >= 480 && status <= 485) || status === 489 || status === 501 || status === 604
  );
}

/**
 * Sends NOTIFYs through the transaction layer: builds the request from the record, picks where it goes
 * and adds the Via, and reports how the transaction ended.
 *
 * Where it goes: with an empty route set, back over the flow the SUBSCRIBE (or its last refresh) came on
 * (flow id, else the source address and port: RFC 5626 flow reuse, which also reaches subscribers behind
 * NAT and on WebSockets); with a route set, to the next hop (RFC 3261 §12.2.1.1), resolved by
 * `uriTarget`, reusing the flow when the next hop is the address the SUBSCRIBE came from.
 */
export class NotifySender {
  /** Via sent-by by local target. */
  private readonly sentByOf = new Map<string, string>();

  constructor(
    private readonly transactions: TransactionLayer,
    private readonly resolve?: HostResolver,
  ) {}

  /**
   * Sends the NOTIFY of `record` with CSeq `cseq` and resolves with the outcome once its transaction
   * has a final response, times out or fails. Never rejects: a record whose dialog cannot be read
   * (corrupt) or whose next hop does not resolve is `ended`.
   * @param now the current time (ms)
   */
  send(record: Readonly<SubscriptionRecord>, cseq: number, content: NotifyContent, now: number): Promise<NotifyOutcome> {
    let localTarget: string;
    let req: SipRequest;
    try {
      localTarget = localTargetOf(record);
      req = buildNotify(record, cseq, content, localTarget, now);
    } catch (err) {
      return Promise.resolve(noRoute(err));
    }
    const direct = flowTarget(record);
    if (direct) return this.transmit(req, direct, localTarget);
    return this.routedTarget(record).then((target) => this.transmit(req, target, localTarget), noRoute);
  }

  /** Sends `req` to `target` in a client transaction; resolves with how it ended. */
  private transmit(req: SipRequest, target: SendTarget, localTarget: string): Promise<NotifyOutcome> {
    req.headers.prepend('Via', `SIP/2.0/${target.transport} ${this.sentBy(localTarget)}`);
    return new Promise((resolve) => {
      try {
        this.transactions.sendRequest(req, target, {
          onResponse: (res) => {
            if (res.status < 200) return;
            if (res.status < 300) {
              const event = res.tryHeader(EventHeader);
              resolve({ kind: 'delivered', status: res.status, ...(event.ok && event.value ? { event: event.value } : {}) });
            } else if (responseEndsSubscription(res.status)) resolve({ kind: 'ended', cause: `${res.status} ${res.reason}`, status: res.status });
            else resolve({ kind: 'kept', cause: `${res.status} ${res.reason}`, status: res.status });
          },
          // RFC 6665 §4.2.2: on Timer F the notifier SHOULD remove the subscription.
          onTimeout: () => resolve({ kind: 'ended', cause: 'Timer F (no response)' }),
          // RFC 3261 §8.1.3.1 reads a transport failure as 503; the subscriber is unreachable, as with Timer F.
          onTransportError: (err) => resolve({ kind: 'ended', cause: `transport error ${err.code}` }),
        });
      } catch (err) {
        resolve({ kind: 'kept', cause: `not sent: ${(err as Error).message}` });
      }
    });
  }

  /** The Via sent-by (`host[:port]`) of NOTIFYs whose local target is `localTarget`. */
  private sentBy(localTarget: string): string {
    let sentBy = this.sentByOf.get(localTarget);
    if (sentBy === undefined) {
      const uri = parseUri(localTarget);
      const { host, port } = (uri.ok ? uri.value : { host: 'invalid' }) as SipUri;
      sentBy = `${host}${port !== undefined ? `:${port}` : ''}`;
      // Local targets are this server's addresses: a handful. The bound only guards against surprises.
      if (this.sentByOf.size >= SENT_BY_CACHE) this.sentByOf.clear();
      this.sentByOf.set(localTarget, sentBy);
    }
    return sentBy;
  }

  /** Where a NOTIFY goes with a route set, or without a known flow: the resolved next hop. */
  private async routedTarget(record: Readonly<SubscriptionRecord>): Promise<SendTarget> {
    const flow = record.flow;
    const flowTransport = transportName(flow?.transport);
    const target = await uriTarget(nextHop(dialogOf(record)), flowTransport ?? 'UDP', this.resolve);
    if (flow?.flowId && flowTransport === target.transport && flow.port === target.port && sameAddress(flow.address, target.address)) {
      target.flowId = flow.flowId;
    }
    return target;
  }
}
