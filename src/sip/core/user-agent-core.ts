import type { Logger } from 'pino';
import { silentLogger } from '../../util/logger.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { createResponse } from '../message/response.js';
import { SipError } from '../message/sip-error.js';
import type { AnyServerTransaction } from '../transaction/transaction-layer.js';
import type { TransactionLayer } from '../transaction/transaction-layer.js';
import type { Flow, Inbound } from '../transport/types.js';
import type { LocalIdentity } from './local-identity.js';
import { checkRequest } from './uas-checks.js';
import type { UasPolicy } from './uas-checks.js';

/** What a method handler gets besides the request. */
export interface UasContext {
  /** The flow the request arrived on (use its id to send requests back over the same connection). */
  readonly flow: Flow;
  /** Runs `fn` right after the response has been handed to the server transaction (e.g. the first NOTIFY). */
  after(fn: () => void): void;
}

/**
 * A method handler (STYLE habit 3): the transaction user for one method. It returns the final response,
 * or throws {@link SipError} for a protocol rejection; any other exception is a bug and becomes 500.
 */
export interface MethodHandler {
  /** The method, e.g. `SUBSCRIBE`. */
  readonly method: string;
  /** Body media types (`type/subtype`) this method accepts; a body of another type gets 415 with Accept. */
  readonly accept?: readonly string[];
  handle(req: SipRequest, ctx: UasContext): SipResponse | Promise<SipResponse>;
}

/** Options of {@link UserAgentCore}. */
export interface UserAgentCoreOptions {
  transactions: TransactionLayer;
  identity: LocalIdentity;
  /** Option tags understood in Require and listed in Supported. */
  supported?: readonly string[];
  /** Event packages for Allow-Events (RFC 6665 §8.2.2); evaluated on every OPTIONS. */
  allowEvents?: () => readonly string[];
  /** Value of the Server header on every response. */
  serverName?: string;
  logger?: Logger;
  /**
   * The authentication step, run first for every request but ACK and CANCEL (RFC 3261 §8.2: "Once a
   * request is authenticated (or authentication is skipped)", then method inspection; §22.1: ACK and
   * CANCEL are never challenged). Resolves undefined when authentication is skipped, the authenticated
   * identity, or a SipError to answer with (401 with its challenges, 403, 400); a rejection is a bug (500).
   */
  authenticate?(req: SipRequest, flow: Flow): Promise<{ identity: string } | SipError | undefined>;
}

const SCHEMES = ['sip', 'sips', 'tel', 'pres'];

/**
 * The UAS core (RFC 3261 §8.2): receives new server transactions from the transaction layer, runs the
 * authentication step if one is given, makes the §8.2 checks, dispatches to the method's handler, and is
 * the one place that turns a {@link SipError} into a response (STYLE habit 6). It answers OPTIONS itself
 * (§11.2) with Allow, Accept, Accept-Encoding, Accept-Language, Supported and Allow-Events.
 */
export class UserAgentCore {
  private readonly handlers = new Map<string, MethodHandler>();
  private readonly policy: UasPolicy;
  private readonly log: Logger;
  /** Counters for metrics: requests answered per status class, malformed requests and responses. */
  readonly stats = { requests: 0, rejected: 0, malformedRequests: 0, malformedResponses: 0, handlerErrors: 0 };

  constructor(private readonly opts: UserAgentCoreOptions) {
    this.log = opts.logger ?? silentLogger;
    const supported = opts.supported ?? [];
    this.policy = {
      methods: [],
      schemes: SCHEMES,
      supported,
      accept: (method) => this.handlers.get(method)?.accept ?? [],
      isLocal: (uri) => opts.identity.isLocal(uri),
      isOwnSentBy: (host, port, transport) => opts.identity.isOwnSentBy(host, port, transport),
    };
    this.register({ method: 'OPTIONS', handle: (req) => this.options(req) });
    opts.transactions.onRequest = (tx) => this.receive(tx);
  }

  /** Adds or replaces the handler of a method. */
  register(handler: MethodHandler): void {
    this.handlers.set(handler.method, handler);
    (this.policy as { methods: readonly string[] }).methods = [...this.handlers.keys()];
  }

  /** The methods with a handler, for Allow. */
  get allow(): readonly string[] {
    return this.policy.methods;
  }

  /**
   * Handles a message the transport could not parse: a request whose start line and mandatory headers
   * were readable gets a stateless 400 (or 505 / 513) naming the defect; anything else is dropped and
   * counted (a malformed response is never answered).
   */
  handleMalformed(inbound: Extract<Inbound, { kind: 'malformed' }>): void {
    const { result, flow } = inbound;
    const msg = result.message;
    if (result.kind === 'response' || msg?.kind === 'response') {
      this.stats.malformedResponses++;
      return;
    }
    this.stats.malformedRequests++;
    if (!msg || msg.method === 'ACK') return;
    if (!msg.headers.has('Via') || !msg.headers.has('CSeq') || !msg.headers.has('Call-ID')) return;
    const res = createResponse(msg, result.status, truncateReason(result.defect));
    this.decorate(res);
    try {
      this.opts.transactions.sendStateless(res, flow);
    } catch (e) {
      this.log.debug({ err: e }, 'could not answer a malformed request');
    }
  }

  private receive(tx: AnyServerTransaction): void {
    const req = tx.request;
    this.stats.requests++;
    const { authenticate } = this.opts;
    // RFC 3261 §22.1: ACK and CANCEL MUST NOT be challenged.
    if (!authenticate || req.method === 'ACK' || req.method === 'CANCEL') {
      this.dispatch(tx);
      return;
    }
    let outcome: Promise<{ identity: string } | SipError | undefined>;
    try {
      outcome = authenticate(req, tx.flow);
    } catch (e) {
      this.reply(tx, this.failure(req, e));
      return;
    }
    outcome.then(
      (r) => (r instanceof SipError ? this.reply(tx, this.fromError(req, r)) : this.dispatch(tx)),
      (e: unknown) => this.reply(tx, this.failure(req, e)),
    );
  }

  /** RFC 3261 §8.2.1-§8.2.3 checks, then the method's handler. */
  private dispatch(tx: AnyServerTransaction): void {
    const req = tx.request;
    const rejection = checkRequest(req, this.policy);
    if (rejection) {
      this.reply(tx, this.fromError(req, rejection));
      return;
    }
    const handler = this.handlers.get(req.method)!;
    const after: Array<() => void> = [];
    const ctx: UasContext = { flow: tx.flow, after: (fn) => after.push(fn) };
    let result: SipResponse | Promise<SipResponse>;
    try {
      result = handler.handle(req, ctx);
    } catch (e) {
      this.reply(tx, this.failure(req, e));
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (res) => this.reply(tx, res, after),
        (e: unknown) => this.reply(tx, this.failure(req, e)),
      );
    } else {
      this.reply(tx, result, after);
    }
  }

  private reply(tx: AnyServerTransaction, res: SipResponse, after: Array<() => void> = []): void {
    this.decorate(res);
    if (res.status >= 300) this.stats.rejected++;
    try {
      tx.respond(res);
    } catch (e) {
      this.log.error({ err: e }, 'server transaction refused a response');
      return;
    }
    for (const fn of after) {
      try {
        fn();
      } catch (e) {
        this.log.error({ err: e }, 'post-response action failed');
      }
    }
  }

  private failure(req: SipRequest, e: unknown): SipResponse {
    if (e instanceof SipError) return this.fromError(req, e);
    this.stats.handlerErrors++;
    this.log.error({ err: e, method: req.method }, 'handler failed');
    return createResponse(req, 500, 'Server Internal Error');
  }

  private fromError(req: SipRequest, e: SipError): SipResponse {
    const res = createResponse(req, e.status, truncateReason(e.reason));
    for (const [name, value] of e.headers) res.headers.append(name, value);
    return res;
  }

  private decorate(res: SipResponse): void {
    if (this.opts.serverName && !res.headers.has('Server')) res.headers.append('Server', this.opts.serverName);
  }

  /** RFC 3261 §11.2: 200 with the capabilities of this UAS. */
  private options(req: SipRequest): SipResponse {
    const res = createResponse(req, 200);
    res.headers.append('Allow', this.allow.join(', '));
    const accept = new Set<string>();
    for (const h of this.handlers.values()) for (const t of h.accept ?? []) accept.add(t);
    res.headers.append('Accept', [...accept].join(', '));
    res.headers.append('Accept-Encoding', 'identity');
    res.headers.append('Accept-Language', 'en');
    res.headers.append('Supported', (this.opts.supported ?? []).join(', '));
    const events = this.opts.allowEvents?.() ?? [];
    if (events.length) res.headers.append('Allow-Events', events.join(', '));
    return res;
  }
}

/** Reason phrases are one line of UTF-8 text (RFC 3261 §25.1); keep them short and printable. */
function truncateReason(reason: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = reason.replace(/[\x00-\x1f\x7f]/g, ' ');
  return clean.length > 120 ? `${clean.slice(0, 117)}...` : clean;
}
