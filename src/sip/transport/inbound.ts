import type { Logger } from '../../util/logger.js';
import type { SipMessage } from '../message/message.js';
import { parseMessage } from '../parser/parse-message.js';
import type { MessageParseResult } from '../parser/parse-message.js';
import type { ConnectionTable } from './connection-table.js';
import type { TransportLimits } from './limits.js';
import type { TransportContext, TransportCounters } from './transport-context.js';
import type { Flow, Inbound } from './types.js';
import { applyReceived } from './via-received.js';

type Malformed = Extract<MessageParseResult, { ok: false }>;

/** Receives what the layer above wants for each framed message. */
export type InboundListener = (inbound: Inbound) => void;

/**
 * The inbound path shared by every transport: parse (RFC 3261 §7), mark the top Via of a request with
 * received/rport (§18.2.1, RFC 3581 §4), count, and hand up. A listener that throws, or returns a
 * promise that rejects, is logged and never breaks the transport.
 */
export class InboundPipeline implements TransportContext {
  listener: InboundListener = () => undefined;
  readonly counters: TransportCounters = {
    messagesIn: 0,
    messagesOut: 0,
    malformedRequests: 0,
    malformedResponses: 0,
    framingErrors: 0,
    connectionsRefused: 0,
    sendErrors: 0,
  };

  constructor(
    readonly limits: Readonly<TransportLimits>,
    readonly logger: Logger,
    readonly connections: ConnectionTable,
  ) {}

  receive(data: Buffer, flow: Flow, stream: boolean): void {
    const result = parseMessage(data, { stream, maxSize: this.limits.maxMessageSize });
    if (!result.ok) {
      this.malformed(result, flow, data);
      return;
    }
    const message = result.message;
    if (message.kind === 'request') applyReceived(message, flow.remoteAddress, flow.remotePort);
    this.counters.messagesIn++;
    this.emit({ kind: 'message', message, flow });
  }

  framingError(status: number, defect: string, bytes: Buffer, headComplete: boolean, flow: Flow): void {
    this.counters.framingErrors++;
    let message: SipMessage | undefined;
    if (headComplete) {
      // The header section alone, so the layer above can still build a 400/513 response to it.
      const partial = parseMessage(bytes, { maxSize: Number.MAX_SAFE_INTEGER });
      message = partial.message;
    }
    this.malformed(message ? { ok: false, status, defect, message } : { ok: false, status, defect }, flow, bytes);
  }

  private malformed(result: Malformed, flow: Flow, data: Buffer): void {
    const message = result.message;
    const isResponse = message ? message.kind === 'response' : startsWithSip(data);
    if (isResponse) this.counters.malformedResponses++;
    else this.counters.malformedRequests++;
    if (message?.kind === 'request') applyReceived(message, flow.remoteAddress, flow.remotePort);
    this.logger.debug({ flow: flow.id, status: result.status, defect: result.defect }, 'malformed SIP message');
    this.emit({ kind: 'malformed', result, flow });
  }

  private emit(inbound: Inbound): void {
    try {
      const returned: unknown = this.listener(inbound);
      if (returned instanceof Promise) returned.catch((err: unknown) => this.listenerFailed(err, inbound));
    } catch (err) {
      this.listenerFailed(err, inbound);
    }
  }

  private listenerFailed(err: unknown, inbound: Inbound): void {
    this.logger.error({ err, flow: inbound.flow.id }, 'inbound listener failed');
  }
}

/** True when the bytes begin like a status line (`SIP/`). */
function startsWithSip(data: Buffer): boolean {
  return data.length >= 4 && data[0] === 0x53 && data[1] === 0x49 && data[2] === 0x50 && data[3] === 0x2f;
}
