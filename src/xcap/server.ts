/**
 * The XCAP server (RFC 4825) as a fastify plugin: one catch-all route under the XCAP root. Before the
 * body is read, each request is resolved (AUID, tree, XUI, document, node selector), authenticated
 * through the injected hook (HTTP Digest, RFC 7616, in production), authorized by the usage's policy
 * (RFC 4825 §5.7) and checked for an allowed method; `XcapOperations` then does the work.
 */
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { XcapDocumentStore } from '../store/ports.js';
import { systemClock } from '../util/clock.js';
import type { Clock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import type { Logger } from '../util/logger.js';
import { defaultAuthorization } from './application-usage.js';
import { parseNodeSelector, parseXmlnsQuery } from './node-selector.js';
import { XcapOperations } from './operations.js';
import type { XcapChange, XcapLimits, XcapTarget } from './operations.js';
import type { XcapUsages } from './registry.js';
import { parseXcapUri } from './uri.js';

/** What the authentication hook sees of an HTTP request. */
export interface XcapAuthRequest {
  readonly method: string;
  /** The request-target as sent (path and query, percent-encoded): the digest `uri` (RFC 7616 §3.4). */
  readonly url: string;
  /** The Authorization header field value, if any. */
  readonly authorization?: string;
  readonly remoteAddress?: string;
}

/**
 * The authentication hook's answer: the authenticated user's XUI (its canonical AOR), with headers to
 * add to every response to the request (e.g. Authentication-Info, RFC 7616 §3.5); or a refusal, sent as
 * is with `reason` as its text body: 401 with the WWW-Authenticate challenge(s) (RFC 7616 §3.3, one
 * array element per challenge), 400 for malformed credentials (RFC 7616 §3.4), or 403.
 */
export type XcapAuthResult =
  | { readonly xui: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly status: 400 | 401 | 403; readonly reason?: string; readonly headers?: Readonly<Record<string, string | readonly string[]>> };

/** Options of {@link createXcapServer}. */
export interface XcapServerOptions {
  /** The application usages served; a request for any other AUID is a 404 (RFC 4825 §8). */
  readonly usages: XcapUsages;
  readonly store: XcapDocumentStore;
  /** The XCAP root path (RFC 4825 §6.1): starts with '/', no trailing '/', no query. Default `/xcap`. */
  readonly root?: string;
  /** Authenticates every request before anything else is looked at besides the URI (RFC 4825 §8). */
  readonly authenticate: (req: XcapAuthRequest) => Promise<XcapAuthResult>;
  /**
   * Whether an XUI is a user known to the server (RFC 4825 §8: a users-tree URI of an unknown user is a
   * 404). Asked after authentication, so unauthenticated clients cannot probe for users. Absent: every
   * XUI is known.
   */
  readonly userExists?: (xui: string) => Promise<boolean>;
  /** Called after each durable write (see {@link XcapChange}); not awaited; failures are logged. */
  readonly onChange?: (change: XcapChange) => void | Promise<void>;
  /** Largest request body, in octets; larger ones get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Largest stored document, in octets (409 <constraint-failure> above). Default: `maxBodyBytes`. */
  readonly maxDocumentBytes?: number;
  /** Deepest element nesting accepted in a body (the root is depth 1). Default 64. */
  readonly maxDepth?: number;
  /** Most elements accepted in one body. Default 20,000. */
  readonly maxElements?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** An XCAP server ready to be registered on a fastify instance. */
export interface XcapServer {
  /** The XCAP root path it serves, e.g. `/xcap`. */
  readonly root: string;
  /** Register with `await app.register(server.plugin)`; it keeps its body parsers to itself. */
  readonly plugin: FastifyPluginAsync;
}

/** The defaults of {@link XcapServerOptions} limits. */
export const DEFAULT_XCAP_LIMITS: XcapLimits = { maxBodyBytes: 1024 * 1024, maxDocumentBytes: 1024 * 1024, maxDepth: 64, maxElements: 20_000 };

const ALLOW = 'GET, HEAD, PUT, DELETE';
const ALLOW_READ_ONLY = 'GET, HEAD';

/** What a request resolved to before its body is read. */
interface Resolved {
  readonly target: XcapTarget;
  readonly headers: Readonly<Record<string, string>>;
}

type Refusal = { readonly status: number; readonly text: string; readonly headers?: Readonly<Record<string, string | readonly string[]>> };

function refuse(reply: FastifyReply, r: Refusal): FastifyReply {
  return reply
    .code(r.status)
    .headers({ ...r.headers, 'content-type': 'text/plain; charset=utf-8' })
    .send(`${r.text}\n`);
}

/** Validates the XCAP root (RFC 4825 §6.1: no query component). */
function checkRoot(root: string): string {
  if (!/^\/[^?#]*[^/?#]$/.test(root)) throw new Error(`XCAP root must be an absolute path without trailing '/' or query: ${JSON.stringify(root)}`);
  return root;
}

/** A header field value as one string (repeated fields joined, RFC 9110 §5.3). */
function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Creates the XCAP server (RFC 4825). Throws when the root is not a valid path or a limit is not a
 * positive number (a configuration bug).
 */
export function createXcapServer(opts: XcapServerOptions): XcapServer {
  const root = checkRoot(opts.root ?? '/xcap');
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_XCAP_LIMITS.maxBodyBytes;
  const limits: XcapLimits = {
    maxBodyBytes,
    maxDocumentBytes: opts.maxDocumentBytes ?? maxBodyBytes,
    maxDepth: opts.maxDepth ?? DEFAULT_XCAP_LIMITS.maxDepth,
    maxElements: opts.maxElements ?? DEFAULT_XCAP_LIMITS.maxElements,
  };
  for (const [k, v] of Object.entries(limits)) if (!(Number.isInteger(v) && v > 0)) throw new Error(`XCAP: ${k} must be a positive integer`);
  const logger = opts.logger ?? silentLogger;
  const operations = new XcapOperations({
    store: opts.store,
    usages: opts.usages,
    clock: opts.clock ?? systemClock,
    limits,
    logger,
    ...(opts.onChange && { onChange: opts.onChange }),
  });
  const resolved = new WeakMap<FastifyRequest, Resolved>();

  /** Everything decided before the body is read; a refusal, or the resolved request. */
  async function resolve(req: FastifyRequest): Promise<Refusal | Resolved> {
    const rawUrl = req.raw.url ?? req.url;
    const parsed = parseXcapUri(rawUrl, root);
    if (!parsed.ok) return { status: parsed.status, text: parsed.reason };
    const { uri } = parsed;
    const usage = opts.usages.get(uri.auid);
    // RFC 4825 §8: an application usage the server does not know is a 404.
    if (!usage) return { status: 404, text: `no application usage ${uri.auid}` };
    const authorization = header(req, 'authorization');
    const auth = await opts.authenticate({
      method: req.method,
      url: rawUrl,
      ...(authorization !== undefined && { authorization }),
      ...(req.socket.remoteAddress !== undefined && { remoteAddress: req.socket.remoteAddress }),
    });
    if ('status' in auth) {
      const text = auth.reason ?? { 400: 'bad credentials', 401: 'authentication required', 403: 'forbidden' }[auth.status];
      return { status: auth.status, text, ...(auth.headers && { headers: auth.headers }) };
    }
    // From here on every answer carries the hook's headers for an authenticated request (RFC 7616 §3.5).
    const authenticated = (r: Refusal): Refusal => ({ ...r, headers: { ...auth.headers, ...r.headers } });
    // RFC 4825 §8: a users-tree URI of a user the server does not know is a 404.
    if (uri.tree === 'users' && opts.userExists && !(await opts.userExists(uri.xui))) return authenticated({ status: 404, text: 'no such user' });
    const operation = req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write';
    const access = { auid: uri.auid, tree: uri.tree, xui: uri.xui, name: uri.name, principal: auth.xui, operation } as const;
    // RFC 4825 §5.7: the usage's policy, else the default (own home directory; global tree read-only).
    const allowed = usage.authorize ? usage.authorize(access) : defaultAuthorization(access);
    if (!allowed) return authenticated({ status: 403, text: `${auth.xui} may not ${operation} this document` });
    let target: XcapTarget = { uri, usage };
    if (uri.nodeSelector !== undefined) {
      const bindings = uri.query === undefined ? new Map<string, string>() : parseXmlnsQuery(uri.query);
      if (!(bindings instanceof Map)) return authenticated({ status: bindings.status, text: bindings.reason });
      const selector = parseNodeSelector(uri.nodeSelector, bindings, usage.defaultNamespace);
      if ('status' in selector) return authenticated({ status: selector.status, text: selector.reason });
      target = { uri, usage, selector };
    }
    const readOnly = target.selector?.terminal?.kind === 'namespaces';
    const allow = readOnly ? ALLOW_READ_ONLY : ALLOW;
    // RFC 4825 §8.1: POST (and any other method) SHOULD get 405; §8.2, §8.4: a namespace selector
    // MUST get 405 with an Allow header including GET for PUT and DELETE.
    if (!allow.split(', ').includes(req.method)) return authenticated({ status: 405, text: `method ${req.method} not allowed here`, headers: { allow } });
    return { target, headers: auth.headers ?? {} };
  }

  const plugin: FastifyPluginAsync = async (app) => {
    app.removeAllContentTypeParsers();
    // Every body reaches the operations as raw octets, whatever its type, up to the limit (else 413).
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));
    app.setErrorHandler((err: FastifyError, req, reply) => {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return refuse(reply, { status: 413, text: `request body larger than ${maxBodyBytes} bytes` });
      if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return refuse(reply, { status: err.statusCode, text: err.message });
      logger.error({ err, method: req.method, url: req.url }, 'XCAP request failed');
      return refuse(reply, { status: 500, text: 'internal server error' });
    });
    app.route({
      method: app.supportedMethods,
      url: `${root}/*`,
      onRequest: async (req, reply) => {
        const r = await resolve(req);
        if ('status' in r) return refuse(reply, r);
        resolved.set(req, r);
        return undefined;
      },
      handler: async (req, reply) => {
        const r = resolved.get(req)!;
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const contentType = header(req, 'content-type');
        const ifMatch = header(req, 'if-match');
        const ifNoneMatch = header(req, 'if-none-match');
        const res = await operations.handle({
          method: req.method as 'GET' | 'HEAD' | 'PUT' | 'DELETE',
          target: r.target,
          body,
          ...(contentType !== undefined && { contentType }),
          ...(ifMatch !== undefined && { ifMatch }),
          ...(ifNoneMatch !== undefined && { ifNoneMatch }),
        });
        reply.code(res.status).headers({ ...r.headers, ...res.headers });
        return reply.send(res.body);
      },
    });
  };
  return { root, plugin };
}

/**
 * A fastify instance serving only XCAP, ready (not listening): for tests with `inject()` and for running
 * the XCAP server on its own (`await app.listen({ host, port })`). Close it with `app.close()`.
 */
export async function buildXcapApp(opts: XcapServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(createXcapServer(opts).plugin);
  await app.ready();
  return app;
}
