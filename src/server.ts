import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { LocalIdentity } from './sip/core/local-identity.js';
import { UserAgentCore } from './sip/core/user-agent-core.js';
import { TransactionLayer } from './sip/transaction/transaction-layer.js';
import { TransportLayer } from './sip/transport/transport-layer.js';
import type { LoopNetwork } from './sip/transport/loop.js';
import type { TransportName } from './sip/transport/types.js';
import type { Clock } from './util/clock.js';
import { systemClock } from './util/clock.js';
import { silentLogger } from './util/logger.js';

/** A bound listening point, as reported by {@link PresencedServer.listen}. */
export interface ListeningPoint {
  transport: TransportName;
  address: string;
  /** The bound port (the real one when the configuration asked for port 0). */
  port: number;
}

/** The running service: build first, then listen; close once. */
export interface PresencedServer {
  /** Binds every configured listener; resolves with what was bound. Rejects if a port cannot be bound. */
  listen(): Promise<ListeningPoint[]>;
  /** Stops listening, closes connections and clears every timer. Safe to call more than once. */
  close(): Promise<void>;
  /** The UAS core, where event packages and other method handlers are registered. */
  readonly core: UserAgentCore;
  /** The transaction layer, through which the transaction users (e.g. the notifier) send requests. */
  readonly transactions: TransactionLayer;
}

/** Collaborators that tests replace: the clock, the logger, and the network. */
export interface BuildDeps {
  clock?: Clock;
  logger?: Logger;
  /**
   * Run in-process on this in-memory network instead of sockets: `listen()` binds only LOOP at
   * (sip.host, sip.port), so whole call flows run in one process (STYLE habit 11).
   */
  loopNetwork?: LoopNetwork;
}

/**
 * The composition root (DESIGN.md §3): builds the SIP stack for a validated configuration without
 * opening any socket (STYLE habit 11).
 */
export function build(config: Readonly<Config>, deps: BuildDeps = {}): PresencedServer {
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? systemClock;
  const { sip } = config;
  const transport = new TransportLayer({
    logger,
    ...(deps.loopNetwork ? { loopNetwork: deps.loopNetwork } : {}),
    limits: {
      maxMessageSize: sip.limits.maxMessageSize,
      maxConnections: sip.limits.maxConnections,
      idleTimeoutMs: sip.limits.idleTimeoutSeconds * 1000,
    },
  });
  const transactions = new TransactionLayer({
    transport,
    clock,
    logger,
    timers: { t1: sip.timers.t1Ms, t2: sip.timers.t2Ms, t4: sip.timers.t4Ms },
  });
  const identity = new LocalIdentity();
  identity.addDomain(config.domain);
  identity.addHost('localhost');
  const core = new UserAgentCore({ transactions, identity, serverName: sip.serverName, logger });
  transport.onInbound = (inbound) => {
    if (inbound.kind === 'message') transactions.receive(inbound.message, inbound.flow);
    else core.handleMalformed(inbound);
  };

  let closed = false;
  return {
    core,
    transactions,
    async listen() {
      const tls = sip.tls
        ? {
            cert: readFileSync(sip.tls.cert),
            key: readFileSync(sip.tls.key),
            ...(sip.tls.ca ? { ca: readFileSync(sip.tls.ca) } : {}),
          }
        : undefined;
      const specs: Array<{ transport: TransportName; port: number }> = [];
      if (deps.loopNetwork) specs.push({ transport: 'LOOP', port: sip.port });
      else {
        specs.push({ transport: 'UDP', port: sip.port }, { transport: 'TCP', port: sip.port });
        if (sip.tlsPort !== undefined) specs.push({ transport: 'TLS', port: sip.tlsPort });
        if (sip.wsPort !== undefined) specs.push({ transport: 'WS', port: sip.wsPort });
        if (sip.wssPort !== undefined) specs.push({ transport: 'WSS', port: sip.wssPort });
      }
      const bound: ListeningPoint[] = [];
      let tcpPort: number | undefined;
      for (const spec of specs) {
        if ((spec.transport === 'TLS' || spec.transport === 'WSS') && !tls) {
          throw new Error(`sip.${spec.transport === 'TLS' ? 'tlsPort' : 'wssPort'} needs sip.tls.cert and sip.tls.key`);
        }
        // UDP and TCP share one port number; with port 0 TCP takes the port UDP was given.
        const port = spec.transport === 'TCP' && sip.port === 0 && tcpPort !== undefined ? tcpPort : spec.port;
        const lp = await transport.listen({ transport: spec.transport, host: sip.host, port, ...(tls ? { tls } : {}) });
        if (spec.transport === 'UDP') tcpPort = lp.port;
        identity.addListener(lp.address, lp.port, lp.transport);
        bound.push({ transport: lp.transport, address: lp.address, port: lp.port });
        logger.info({ transport: lp.transport, address: lp.address, port: lp.port }, 'listening');
      }
      return bound;
    },
    async close() {
      if (closed) return;
      closed = true;
      transactions.close();
      await transport.close();
    },
  };
}
