import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { PackageRegistry } from './events/package-registry.js';
import { Notifier } from './events/notifier/notifier.js';
import { PublicationManager } from './events/publication/publication-manager.js';
import { SubscriberRegistry } from './hss/subscriber-registry.js';
import { PresencePackage } from './presence/presence-package.js';
import { REGISTRAR_OPTION_TAGS, Registrar } from './proxy/registrar/registrar.js';
import { DigestAuthenticator } from './sip/auth/digest-server.js';
import { canonicalAorOfText } from './sip/core/aor-text.js';
import { AuthenticationPolicy } from './sip/core/authentication.js';
import { LocalIdentity } from './sip/core/local-identity.js';
import { UserAgentCore } from './sip/core/user-agent-core.js';
import { SipError } from './sip/message/sip-error.js';
import { TransactionLayer } from './sip/transaction/transaction-layer.js';
import type { LoopNetwork } from './sip/transport/loop.js';
import { TransportLayer } from './sip/transport/transport-layer.js';
import type { TransportName } from './sip/transport/types.js';
import { openStores } from './store/open.js';
import type { PublicationSource, Stores } from './store/ports.js';
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
  /**
   * Recovers stored state, binds every configured listener, then resumes the stored subscriptions
   * (expired ones are ended with a final NOTIFY). Resolves with what was bound; rejects if a port cannot
   * be bound.
   */
  listen(): Promise<ListeningPoint[]>;
  /**
   * Stops accepting requests, lets the requests in progress finish their durable writes, then closes
   * connections, timers and the stores. Safe to call more than once.
   */
  close(): Promise<void>;
  /** The UAS core, where method handlers are registered. */
  readonly core: UserAgentCore;
  /** The transaction layer, through which transaction users send requests. */
  readonly transactions: TransactionLayer;
  /** The event packages served (presence, …). */
  readonly packages: PackageRegistry;
  /** The RFC 6665 notifier. */
  readonly notifier: Notifier;
  /** The RFC 3903 publication manager. */
  readonly publications: PublicationManager;
  /** The registrar (RFC 3261 §10). */
  readonly registrar: Registrar;
  /** This server's domains and addresses. */
  readonly identity: LocalIdentity;
}

/** Collaborators that tests replace: the clock, the logger, the network and the stores. */
export interface BuildDeps {
  clock?: Clock;
  logger?: Logger;
  /**
   * Run in-process on this in-memory network instead of sockets: `listen()` binds only LOOP at
   * (sip.host, sip.port), so whole call flows run in one process (STYLE habit 11).
   */
  loopNetwork?: LoopNetwork;
  /**
   * Use these stores instead of the configured ones (e.g. one memory store shared by a server and its
   * "restarted" successor). The caller keeps ownership: `close()` does not close them.
   */
  stores?: Stores;
}

/** This node's id for entity tags: the configured one, else the host name reduced to token characters. */
function nodeIdOf(config: Readonly<Config>): string {
  return config.nodeId ?? (hostname().replace(/[^A-Za-z0-9-]/g, '').slice(0, 32) || 'presenced');
}

/** A configured expiry range as the event framework and the registrar take it (seconds). */
function expiryOf(e: Readonly<Config['presence']['subscriptionExpires']>): { default: number; min: number; max: number } {
  return { default: e.defaultSeconds, min: e.minSeconds, max: e.maxSeconds };
}

/**
 * The composition root (DESIGN.md §3): builds the SIP stack, the registrar, the event framework with the
 * presence package, and the stores for a validated configuration, without opening any socket
 * (STYLE habit 11).
 */
export function build(config: Readonly<Config>, deps: BuildDeps = {}): PresencedServer {
  const logger = deps.logger ?? silentLogger;
  const clock = deps.clock ?? systemClock;
  const { sip, presence } = config;
  const stores = deps.stores ?? openStores(config.store);

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

  // Issue 4 items 1 and 5: digest authentication against the subscriber registry, watcher identity.
  const realm = config.auth.realm ?? config.domain;
  const subscribers = new SubscriberRegistry({ store: stores.subscribers, realm, canonicalIdentity: (t) => canonicalAorOfText(t, identity), clock });
  const digest = config.auth.mode === 'digest';
  const authentication = new AuthenticationPolicy({
    mode: config.auth.mode,
    identity,
    trustedPeers: sip.trustedPeers,
    logger,
    ...(digest
      ? {
          authenticator: new DigestAuthenticator({
            realm,
            secret: randomBytes(32),
            nonceTtlSeconds: config.auth.nonceTtlSeconds,
            clock,
            logger,
            lookupHa1: (username, r, algorithm) => subscribers.lookupHa1(username, r, algorithm),
          }),
          subscribers,
        }
      : {}),
  });
  if (!digest) logger.warn('auth.mode is none: nobody is authenticated and every From is believed (lab networks only)');

  const packages = new PackageRegistry();
  const core = new UserAgentCore({
    transactions,
    identity,
    serverName: sip.serverName,
    logger,
    supported: REGISTRAR_OPTION_TAGS,
    allowEvents: () => packages.names(),
    authenticate: authentication.authenticate,
  });

  const agents = new Map<string, PublicationSource>();
  for (const a of presence.networkAgents) agents.set(a, 'network');
  for (const a of presence.externalAgents) agents.set(a, 'external');
  const { publisherOf } = authentication;

  const publications = new PublicationManager({
    store: stores.publications,
    identity,
    nodeId: nodeIdOf(config),
    packageFor: (event) => packages.get(event),
    packages: () => packages.all(),
    sourceOf: (req) => agents.get(publisherOf(req)) ?? 'user',
    publisherOf,
    // TS 23.141 A.2.3.4 step 4: a presentity publishes its own presence; the configured network and
    // external agents publish anyone's.
    authorizePublisher: (_req, resource, publisher) => {
      if (publisher !== resource && !agents.has(publisher)) {
        throw new SipError(403, `Forbidden: ${publisher} may not publish the presence of ${resource}`);
      }
    },
    clock,
    logger,
  });
  const presencePackage = new PresencePackage({
    policy: {
      defaultSubHandling: presence.defaultSubHandling,
      subscriptionExpires: expiryOf(presence.subscriptionExpires),
      publicationExpires: expiryOf(presence.publicationExpires),
      maxDocumentBytes: presence.maxDocumentBytes,
      precedence: presence.precedence,
    },
    publications,
  });
  packages.register(presencePackage);
  const notifier = new Notifier({
    transactions,
    store: stores.subscriptions,
    registry: packages,
    identity,
    clock,
    logger,
    watcherOf: authentication.watcherOf,
  });
  const notifyWatchers = (resource: string, event: string): void => {
    notifier.notifyResource(resource, event).catch((err: unknown) => {
      logger.error({ err, resource }, 'notifying watchers failed');
    });
  };
  /**
   * Resources whose publications changed while `listen()` recovers: until the notifier has taken over
   * the stored subscriptions it knows no watcher, so they are notified again once it has.
   */
  let changedDuringRecovery: Map<string, { resource: string; event: string }> | undefined;
  publications.onChange = (change) => {
    if (change.kind === 'refresh') {
      // RFC 3903 §6: a refresh only renews; the state (and so every view of it) is unchanged.
      presencePackage.publicationRenamed(change.previousEtag!, change.etag);
      return;
    }
    const gone = change.kind === 'initial' ? [] : [change.previousEtag ?? change.etag];
    if (change.event === presencePackage.name) presencePackage.publicationsChanged(change.resource, gone);
    changedDuringRecovery?.set(`${change.event}\n${change.resource}`, { resource: change.resource, event: change.event });
    notifyWatchers(change.resource, change.event);
  };
  const registrar = new Registrar({
    store: stores.bindings,
    identity,
    clock,
    logger,
    expires: expiryOf(config.registrar.expires),
    limits: { maxBindingsPerAor: config.registrar.maxBindingsPerAor },
  });
  core.register(registrar.registerHandler);
  core.register(publications.publishHandler);
  core.register(notifier.subscribeHandler);

  transport.onInbound = (inbound) => {
    if (inbound.kind === 'message') transactions.receive(inbound.message, inbound.flow);
    else core.handleMalformed(inbound);
  };

  let closing: Promise<void> | undefined;
  return {
    core,
    transactions,
    packages,
    notifier,
    publications,
    registrar,
    identity,
    async listen() {
      const changed = new Map<string, { resource: string; event: string }>();
      changedDuringRecovery = changed;
      let bound: ListeningPoint[];
      try {
        const pubs = await publications.recover();
        await registrar.recover();
        bound = await bindAll(config, deps, transport, identity, logger);
        const subs = await notifier.recover();
        logger.info({ publications: pubs, subscriptions: subs }, 'state recovered');
      } finally {
        changedDuringRecovery = undefined;
      }
      // RFC 6665 §4.2.2: watchers hear of every change of state, also of publications that expired while
      // the server was down and of PUBLISHes taken before their subscriptions were recovered.
      for (const c of changed.values()) notifyWatchers(c.resource, c.event);
      return bound;
    },
    close() {
      closing ??= (async () => {
        notifier.close();
        await publications.close();
        await registrar.close();
        transactions.close();
        await transport.close();
        if (!deps.stores) await stores.close();
      })();
      return closing;
    },
  };
}

/** Binds the configured listeners (or LOOP only, in-process), registering each with the identity. */
async function bindAll(
  config: Readonly<Config>,
  deps: BuildDeps,
  transport: TransportLayer,
  identity: LocalIdentity,
  logger: Logger,
): Promise<ListeningPoint[]> {
  const { sip } = config;
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
  let udpPort: number | undefined;
  for (const spec of specs) {
    if ((spec.transport === 'TLS' || spec.transport === 'WSS') && !tls) {
      throw new Error(`sip.${spec.transport === 'TLS' ? 'tlsPort' : 'wssPort'} needs sip.tls.cert and sip.tls.key`);
    }
    // UDP and TCP share one port number; with port 0 TCP takes the port UDP was given.
    const port = spec.transport === 'TCP' && sip.port === 0 && udpPort !== undefined ? udpPort : spec.port;
    const lp = await transport.listen({ transport: spec.transport, host: sip.host, port, ...(tls ? { tls } : {}) });
    if (spec.transport === 'UDP') udpPort = lp.port;
    identity.addListener(lp.address, lp.port, lp.transport);
    bound.push({ transport: lp.transport, address: lp.address, port: lp.port });
    logger.info({ transport: lp.transport, address: lp.address, port: lp.port }, 'listening');
  }
  return bound;
}
