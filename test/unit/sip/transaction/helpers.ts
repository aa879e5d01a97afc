import { FakeClock } from '../../../../src/util/clock.js';
import type { SipMessage, SipRequest, SipResponse } from '../../../../src/sip/message/message.js';
import { parseMessage } from '../../../../src/sip/parser/parse-message.js';
import type { Flow, TransportError, SendTarget, TransportName, TransportSender } from '../../../../src/sip/transport/types.js';
import { TransactionLayer } from '../../../../src/sip/transaction/transaction-layer.js';

/** One message handed to the fake transport. */
export interface Sent {
  target: SendTarget;
  data: Buffer;
  /** FakeClock time of the send, in ms since the clock started. */
  at: number;
}

/**
 * Test double for the transport boundary: records every buffer, resolves with a flow, or rejects with a
 * TransportError while `fail` is set. Stream transports are reliable, as in the real transport layer.
 */
export class FakeTransport implements TransportSender {
  readonly sent: Sent[] = [];
  fail: TransportError | undefined;

  constructor(private readonly clock: FakeClock, private readonly start: number) {}

  send(target: SendTarget, data: Buffer): Promise<Flow> {
    this.sent.push({ target, data, at: this.clock.now() - this.start });
    if (this.fail) return Promise.reject(this.fail);
    return Promise.resolve({
      id: target.flowId ?? `${target.transport.toLowerCase()}:out`, transport: target.transport,
      localAddress: '127.0.0.1', localPort: 5060, remoteAddress: target.address, remotePort: target.port,
    });
  }

  isReliable(transport: TransportName): boolean {
    return transport !== 'UDP';
  }

  /** The sent messages, parsed. */
  messages(): SipMessage[] {
    return this.sent.map((s) => {
      const r = parseMessage(s.data);
      if (!r.ok) throw new Error(`sent an unparsable message: ${r.defect}`);
      return r.message;
    });
  }

  /** Status codes of the sent responses, in order. */
  statuses(): number[] {
    return this.messages().map((m) => (m.kind === 'response' ? m.status : 0));
  }
}

/** A fresh layer on a FakeClock with a FakeTransport. */
export function setup(opts: { maxServerTransactions?: number } = {}): {
  clock: FakeClock; transport: FakeTransport; layer: TransactionLayer;
} {
  const clock = new FakeClock();
  const transport = new FakeTransport(clock, clock.now());
  const layer = new TransactionLayer({ transport, clock, limits: opts });
  return { clock, transport, layer };
}

/** Lets settled transport promises run their callbacks. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function flow(transport: TransportName, id: string): Flow {
  return { id, transport, localAddress: '127.0.0.1', localPort: 5060, remoteAddress: '127.0.0.1', remotePort: 5070 };
}

export const UDP_FLOW: Flow = flow('UDP', 'udp:1');
export const TCP_FLOW: Flow = flow('TCP', 'tcp:1');

/** Fields of a test request; every one has a default. */
export interface RequestSpec {
  method?: string;
  uri?: string;
  transport?: 'UDP' | 'TCP';
  /** Top Via branch; `null` for none. */
  branch?: string | null;
  sentBy?: string;
  toTag?: string;
  fromTag?: string;
  callId?: string;
  cseq?: number;
  cseqMethod?: string;
}

/** Builds and parses a request such as a watcher would send. */
export function request(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? 'SUBSCRIBE';
  const branch = spec.branch === undefined ? 'z9hG4bKwatcher1' : spec.branch;
  const via = `SIP/2.0/${spec.transport ?? 'UDP'} ${spec.sentBy ?? '127.0.0.1:5070'}${branch === null ? '' : `;branch=${branch}`}`;
  const text = [
    `${method} ${spec.uri ?? 'sip:bob@example.com'} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: <sip:alice@example.com>;tag=${spec.fromTag ?? 'a1'}`,
    `To: <sip:bob@example.com>${spec.toTag ? `;tag=${spec.toTag}` : ''}`,
    `Call-ID: ${spec.callId ?? 'call-1@127.0.0.1'}`,
    `CSeq: ${spec.cseq ?? 1} ${spec.cseqMethod ?? method}`,
    'Contact: <sip:alice@127.0.0.1:5070>',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || r.message.kind !== 'request') throw new Error(`bad test request: ${r.ok ? 'response' : r.defect}`);
  return r.message;
}

/** Parses a response text built by a test. */
export function response(text: string): SipResponse {
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || r.message.kind !== 'response') throw new Error(`bad test response: ${r.ok ? 'request' : r.defect}`);
  return r.message;
}

/** Differences between consecutive send times. */
export function intervals(sent: readonly Sent[]): number[] {
  return sent.slice(1).map((s, i) => s.at - sent[i]!.at);
}
