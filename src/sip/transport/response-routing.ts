import type { Via } from '../message/types.js';
import { stripBrackets } from './address.js';
import type { Flow, SendTarget, TransportName } from './types.js';

/**
 * The port a transport uses when none is given: 5060 for UDP, TCP (and the in-memory LOOP), 5061 for
 * TLS (RFC 3261 §18.1.1, §19.1.2), 80 for WS and 443 for WSS (RFC 7118 §5.5).
 */
export function defaultPort(transport: TransportName): number {
  switch (transport) {
    case 'TLS':
      return 5061;
    case 'WS':
      return 80;
    case 'WSS':
      return 443;
    default:
      return 5060;
  }
}

/** True for the transports a response goes back on by connection (RFC 3261 §18.2.2 first bullet). */
function isStream(transport: TransportName): boolean {
  return transport !== 'UDP';
}

/**
 * Where to send a response, from the top Via of the request (with the `received`/`rport` the transport
 * layer added on receipt) and the flow the request arrived on (RFC 3261 §18.2.2, RFC 3581 §4).
 *
 * - Stream flow (TCP, TLS, WS, WSS, LOOP): the same connection (`flowId`). Should it be gone, the
 *   fallback address is `received` (else the sent-by host) and the port the sent-by port or the
 *   transport's default. The flow's transport decides, not the Via's sent-protocol text.
 * - UDP with `maddr`: that address, with the sent-by port or 5060.
 * - UDP: `received` (else the sent-by host) and the `rport` value when it has one, else the sent-by port,
 *   else 5060.
 *
 * `flowId` is always set so a UDP response leaves from the socket the request came in on (RFC 3581 §4).
 * Addresses are returned without brackets; a sent-by host name is returned as is (resolving it per
 * RFC 3263 §5 is the caller's business).
 */
export function responseTarget(via: Via, flow: Flow): SendTarget {
  const transport = flow.transport;
  const received = via.params.get('received');
  const address = stripBrackets(received ?? via.host);
  if (isStream(transport)) {
    // RFC 3261 §18.2.2: a reliable transport MUST use the existing connection while it is open.
    return { transport, address, port: via.port ?? defaultPort(transport), flowId: flow.id };
  }
  const maddr = via.params.get('maddr');
  if (maddr) {
    // RFC 3261 §18.2.2: with maddr the response MUST go there, to the sent-by port or 5060.
    return { transport, address: stripBrackets(maddr), port: via.port ?? defaultPort(transport), flowId: flow.id };
  }
  const rport = via.params.get('rport');
  // RFC 3581 §4: received and rport MUST be used as the destination; RFC 3261 §18.2.2: else received and sent-by port.
  const port = rport ? Number(rport) : (via.port ?? defaultPort(transport));
  return { transport, address, port, flowId: flow.id };
}
