import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { PackageRegistry } from './events/package-registry.js';
import { Notifier } from './events/notifier/notifier.js';
import { PublicationManager } from './events/publication/publication-manager.js';
import { SubscriberRegistry } from './hss/subscriber-registry.js';
import { PresRulesAuthorizer } from './presence/authorization/authorizer.js';
import { PresencePackage } from './presence/presence-package.js';
import { definedWatchersFrom } from './presence/winfo/defined-watchers.js';
import { WatcherInfoLog } from './presence/winfo/watcher-log.js';
import { WinfoPackage } from './presence/winfo/winfo-package.js';
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
import { buildHttpSide } from './server/http.js';
import { xcapRulesSource } from './server/rules-source.js';
import type { HttpSide } from './server/http.js';
import { bindAll } from './server/listeners.js';
import type { ListeningPoint } from './server/listeners.js';
import { openStores } from './store/open.js';
import type { PublicationSource, Stores } from './store/ports.js';
import type { Clock, TimerHandle } from './util/clock.js';
import type { XcapChange } from './xcap/operations.js';
import { RESOURCE_LISTS_AUID } from './xcap/usages/list-constraints.js';
import { PIDF_MANIPULATION_AUID } from './xcap/usages/pidf-manipulation.js';
import { OMA_PRES_RULES_AUID, PRES_RULES_AUID } from './xcap/usages/pres-rules.js';
import { systemClock } from './util/clock.js';
import { silentLogger } from './util/logger.js';

export type { ListeningPoint } from './server/listeners.js';

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
  /** The subscriber registry (identities and digest credentials). */
  readonly subscribers: SubscriberRegistry;
  /**
   * The HTTP application (XCAP under `xcap.root`), built by `listen()`; in-process servers do not bind
   * it: use its `inject()`.
   */
  readonly http: FastifyInstance | undefined;
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
/** The application usages whose documents feed the presence policy engine. */
const POLICY_AUIDS = new Set([PRES_RULES_AUID, OMA_PRES_RULES_AUID, RESOURCE_LISTS_AUID]);

/** The absolute XCAP root URI (RFC 4825 §6.1) users' documents name, e.g. `http://example.com:8080/xcap`. */
function xcapRootUri(config: Readonly<Config>): string {
  const port = config.http.port === 80 ? '' : `:${config.http.port}`;
  return `http://${config.domain}${port}${config.xcap.root}`;
}

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

  /** One digest key per start for SIP and HTTP (a restart makes clients take a fresh nonce: stale=true). */
  const secret = randomBytes(32);
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
            secret,
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
  // Issue 4: pres-rules (RFC 5025, OMA) read from the XCAP documents decide on every watcher.
  const authorizer = new PresRulesAuthorizer({
    source: xcapRulesSource(stores.xcapDocuments, config.xcap.root),
    clock,
    order: presence.authorization.order,
    ...(presence.authorization.defaultRules ? { defaultRules: { xcapRoot: xcapRootUri(config) } } : {}),
  });
  const presencePackage = new PresencePackage({
    authorizer,
    policy: {
      defaultSubHandling: presence.defaultSubHandling,
      subscriptionExpires: expiryOf(presence.subscriptionExpires),
      publicationExpires: expiryOf(presence.publicationExpires),
      maxDocumentBytes: presence.maxDocumentBytes,
      precedence: presence.precedence,
    },
    publications,
    // Issue 4 item 2, RFC 4827 §9: the presentity's hard state is its pidf-manipulation document.
    hardState: (resource) => stores.xcapDocuments.get(PIDF_MANIPULATION_AUID, 'users', resource, 'index'),
  });
  packages.register(presencePackage);
  // Issue 5: watcher information (RFC 3857) on the presence subscriptions, kept for the configured
  // history (TS 23.141 §5.1); every logged step notifies the presentity's winfo subscribers.
  const watcherLog = new WatcherInfoLog({
    store: stores.watcherInfo,
    clock,
    logger,
    watchedPackage: presencePackage.name,
    historySeconds: presence.winfo.historySeconds,
    onChange: (presentity) => notifyWatchers(presentity, winfoPackage.name),
  });
  const winfoPackage = new WinfoPackage({
    log: watcherLog,
    watchedPackage: presencePackage.name,
    definedWatchers: definedWatchersFrom(xcapRulesSource(stores.xcapDocuments, config.xcap.root)),
    // Opaque watcher ids stay the same across restarts of this node.
    idKey: createHash('sha256').update(`presenced winfo ids\0${nodeIdOf(config)}\0${config.domain}`).digest(),
    expires: expiryOf(presence.subscriptionExpires),
    clock,
  });
  packages.register(winfoPackage);
  const notifier = new Notifier({
    transactions,
    store: stores.subscriptions,
    registry: packages,
    identity,
    clock,
    logger,
    watcherOf: authentication.watcherOf,
    onLifecycle: (step) => {
      watcherLog.observe(step);
      winfoPackage.observe(step);
    },
    pendingTimeoutMs: presence.pendingTimeoutSeconds * 1000,
    rateControl: presence.rateControl,
    limits: { maxNotifiesInFlight: presence.maxNotifiesInFlight },
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
    if (change.event === presencePackage.name) presencePackage.publicationsChanged(change.resource, gone, change.body && { etag: change.etag, body: change.body });
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

  /**
   * Issue 4 item 6: a change of a user's pres-rules or resource-lists takes effect at once: the user's
   * watchers are authorised again (pending to active sends the state, active to blocked ends the
   * subscription with reason=rejected) and re-rendered (a changed view is sent; RFC 6665 §4.2.2). A
   * change of a user's hard state (pidf-manipulation) recomposes the document and notifies the watchers.
   */
  const onXcapChange = async (change: XcapChange): Promise<void> => {
    if (change.tree === 'users' && change.auid === PIDF_MANIPULATION_AUID) {
      // RFC 4827 §3: the hard state is an input of the composed document; watchers hear of its change.
      presencePackage.publicationsChanged(change.xui);
      await notifier.notifyResource(change.xui, presencePackage.name);
      return;
    }
    if (change.tree !== 'users' || !POLICY_AUIDS.has(change.auid)) return;
    authorizer.invalidate(change.xui);
    await notifier.reauthorize(change.xui, presencePackage.name);
    await notifier.notifyResource(change.xui, presencePackage.name);
  };
  let http: HttpSide | undefined;
  let closing: Promise<void> | undefined;
  /** TS 23.141 §5.1: watcher information older than the history period is purged, hourly at most. */
  let purgeTimer: TimerHandle | undefined;
  const purgeHistory = (): void => {
    watcherLog.purge().catch((err: unknown) => logger.error({ err }, 'purging watcher information failed'));
    purgeTimer = clock.setTimeout(purgeHistory, Math.min(presence.winfo.historySeconds, 3600) * 1000);
  };
  return {
    core,
    transactions,
    packages,
    notifier,
    publications,
    registrar,
    identity,
    subscribers,
    async listen() {
      const changed = new Map<string, { resource: string; event: string }>();
      changedDuringRecovery = changed;
      let bound: ListeningPoint[];
      try {
        const pubs = await publications.recover();
        await registrar.recover();
        bound = await bindAll(config, deps.loopNetwork !== undefined, transport, identity, logger);
        http = await buildHttpSide({ config, stores, subscribers, identity, secret, clock, logger, onXcapChange });
        if (!deps.loopNetwork) bound.push(await listenHttp(http, config, logger));
        const subs = await notifier.recover();
        purgeHistory();
        logger.info({ publications: pubs, subscriptions: subs }, 'state recovered');
      } finally {
        changedDuringRecovery = undefined;
      }
      // RFC 6665 §4.2.2: watchers hear of every change of state, also of publications that expired while
      // the server was down and of PUBLISHes taken before their subscriptions were recovered.
      for (const c of changed.values()) notifyWatchers(c.resource, c.event);
      return bound;
    },
    get http() {
      return http?.app;
    },
    close() {
      closing ??= (async () => {
        await http?.app.close();
        http?.dispose();
        if (purgeTimer) clock.clearTimeout(purgeTimer);
        notifier.close();
        await watcherLog.flushed();
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

/** Binds the HTTP application to the configured port (default host: the SIP host). */
async function listenHttp(http: HttpSide, config: Readonly<Config>, logger: Logger): Promise<ListeningPoint> {
  const host = config.http.host ?? config.sip.host;
  await http.app.listen({ host, port: config.http.port });
  const addr = http.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.http.port;
  logger.info({ transport: 'HTTP', address: host, port }, 'listening');
  return { transport: 'HTTP', address: host, port };
}
