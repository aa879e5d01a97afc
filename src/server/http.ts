import { fastify } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { SubscriberRegistry } from '../hss/subscriber-registry.js';
import { DigestAuthenticator } from '../sip/auth/digest-server.js';
import { canonicalAor } from '../sip/core/aor.js';
import type { LocalIdentity } from '../sip/core/local-identity.js';
import { AuthorizationHeader } from '../sip/parser/headers/authorization.js';
import { parseUri } from '../sip/parser/uri.js';
import type { Stores } from '../store/ports.js';
import type { Clock } from '../util/clock.js';
import type { XcapChange } from '../xcap/operations.js';
import { XcapUsages } from '../xcap/registry.js';
import { createXcapServer } from '../xcap/server.js';
import type { XcapAuthResult } from '../xcap/server.js';
import { standardUsages } from '../xcap/usages/standard-usages.js';

/** The HTTP side of `presenced serve`: one fastify instance carrying XCAP (Ut) under its root. */
export interface HttpSide {
  readonly app: FastifyInstance;
  /** Frees the compiled schemas of the application usages. */
  dispose(): void;
}

/** What the HTTP side needs from the rest of the composition root. */
export interface HttpSideDeps {
  config: Readonly<Config>;
  stores: Stores;
  subscribers: SubscriberRegistry;
  identity: LocalIdentity;
  /** The digest key shared with SIP, so that a nonce is valid for whichever side issued it. */
  secret: Buffer;
  clock: Clock;
  logger: Logger;
  /** Told after every durable XCAP write (RFC 4825 §8.2; issue 4 item 6: live effect). */
  onXcapChange: (change: XcapChange) => void;
}

/**
 * Builds the HTTP application (not listening): XCAP (RFC 4825) with the standard application usages
 * over the XCAP document store, HTTP Digest (RFC 7616) against the same subscriber credentials as SIP
 * (issue 4 item 2), or every request taken as the user it names when `auth.mode` is none.
 */
export async function buildHttpSide(deps: HttpSideDeps): Promise<HttpSide> {
  const { config, stores, subscribers, identity, clock, logger } = deps;
  const usages = standardUsages({
    rlsServices: {
      isExistingResource: async (uri) => {
        const parsed = parseUri(uri);
        const aor = parsed.ok ? canonicalAor(parsed.value, identity) : undefined;
        return aor !== undefined && (await stores.subscribers.findByIdentity(aor)) !== undefined;
      },
      indexReaders: [],
    },
  });
  const digest = new DigestAuthenticator({
    realm: config.auth.realm ?? config.domain,
    secret: deps.secret,
    nonceTtlSeconds: config.auth.nonceTtlSeconds,
    clock,
    logger,
    lookupHa1: (username, realm, algorithm) => subscribers.lookupHa1(username, realm, algorithm),
    // HTTP: the digest uri is the request-target exactly as sent (RFC 7616 §3.4.6).
    matchDigestUri: (digestUri, requestUri) => digestUri === requestUri,
  });
  const authenticate = async (req: { method: string; url: string; authorization?: string }): Promise<XcapAuthResult> => {
    if (config.auth.mode === 'none') return trustUrl(req.url, config.xcap.root);
    const creds = req.authorization === undefined ? undefined : AuthorizationHeader.parse([req.authorization]);
    if (creds && !creds.ok) return { status: 400, reason: `Bad Authorization header: ${creds.defect}` };
    const r = await digest.verifyCredentials({ method: req.method, uri: req.url }, creds?.value ?? []);
    if (!r.ok) {
      const challenges = r.headers.map(([, v]) => v);
      return { status: r.status as 400 | 401 | 403, reason: r.reason, ...(challenges.length ? { headers: { 'www-authenticate': challenges } } : {}) };
    }
    const subscriber = await subscribers.findByUsername(r.username, r.realm);
    return subscriber ? { xui: subscriber.aor } : { status: 403, reason: 'Forbidden: no subscriber for these credentials' };
  };
  const xcap = createXcapServer({
    usages: new XcapUsages(usages),
    store: stores.xcapDocuments,
    root: config.xcap.root,
    maxBodyBytes: config.xcap.maxBodyBytes,
    authenticate,
    userExists: async (xui) => config.auth.mode === 'none' || (await subscribers.get(xui)) !== undefined,
    onChange: deps.onXcapChange,
    clock,
    logger,
  });
  const app = fastify({ logger: false, bodyLimit: config.xcap.maxBodyBytes });
  await app.register(xcap.plugin);
  return {
    app,
    dispose: () => {
      for (const u of usages) u.dispose();
    },
  };
}

/**
 * With authentication off (lab networks), the user is whoever the users-tree URI names: the XUI of
 * `<root>/<auid>/users/<xui>/…`, or nobody (global tree, read-only).
 */
function trustUrl(url: string, root: string): XcapAuthResult {
  const rest = url.startsWith(`${root}/`) ? url.slice(root.length + 1) : '';
  const parts = rest.split('?')[0]!.split('/');
  if (parts[1] === 'users' && parts[2]) return { xui: decodeURIComponent(parts[2]) };
  return { xui: '' };
}
