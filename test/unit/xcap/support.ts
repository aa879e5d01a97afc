import type { Document, Element } from '@xmldom/xmldom';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { MemoryXcapDocumentStore } from '../../../src/store/memory/xcap-document-store.js';
import type { ApplicationUsage, XcapValidationContext } from '../../../src/xcap/application-usage.js';
import { ConstraintFailure, SchemaValidationError, UniquenessFailure } from '../../../src/xcap/errors.js';
import type { XcapConflict } from '../../../src/xcap/errors.js';
import type { XcapChange } from '../../../src/xcap/operations.js';
import { XcapUsages } from '../../../src/xcap/registry.js';
import { buildXcapApp } from '../../../src/xcap/server.js';
import type { XcapAuthRequest, XcapAuthResult, XcapServerOptions } from '../../../src/xcap/server.js';

export const RL_NS = 'urn:ietf:params:xml:ns:resource-lists';
export const RLS_NS = 'urn:ietf:params:xml:ns:rls-services';
export const BILL = 'sip:bill@example.com';
export const ALICE = 'sip:alice@example.com';

function elements(n: Document | Element): Element[] {
  const out: Element[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

/**
 * A small resource-lists usage for the tests (RFC 4826 §3.4 in miniature): root <resource-lists>, <list
 * name> unique among siblings (uniqueness-failure), entries' uri must be a SIP URI (constraint-failure),
 * an <invalid> element anywhere breaks the "schema".
 */
export const listsUsage: ApplicationUsage = {
  auid: 'resource-lists',
  defaultNamespace: RL_NS,
  mimeType: 'application/resource-lists+xml',
  validate(doc: Document, _ctx: XcapValidationContext): XcapConflict | undefined {
    const root = doc.documentElement!;
    if (root.localName !== 'resource-lists' || root.namespaceURI !== RL_NS) return new SchemaValidationError('root must be <resource-lists>');
    if (doc.getElementsByTagNameNS(RL_NS, 'invalid').length) return new SchemaValidationError('<invalid> is not in the schema');
    const stack: Element[] = [root];
    while (stack.length) {
      const el = stack.pop()!;
      const names = new Set<string>();
      for (const c of elements(el)) {
        if (c.localName === 'list') {
          const name = c.getAttribute('name') ?? '';
          if (names.has(name)) return new UniquenessFailure([{ field: `resource-lists/list/@name`, altValues: [`${name}-2`] }]);
          names.add(name);
        }
        if (c.localName === 'entry' && !(c.getAttribute('uri') ?? '').startsWith('sip:')) return new ConstraintFailure('entry uri must be a SIP URI');
        stack.push(c);
      }
    }
    return undefined;
  },
};

/** rls-services in miniature: <service uri> unique across every user's documents (RFC 4826 §4.4.5). */
export const servicesUsage: ApplicationUsage = {
  auid: 'rls-services',
  defaultNamespace: RLS_NS,
  mimeType: 'application/rls-services+xml',
  validate: () => undefined,
  async checkUniqueness(doc, ctx) {
    const mine = doc.getElementsByTagNameNS(RLS_NS, 'service');
    for (const other of await ctx.store.list('rls-services')) {
      if (other.tree === ctx.tree && other.xui === ctx.xui && other.name === ctx.name) continue;
      const text = other.body.toString('utf8');
      for (let i = 0; i < mine.length; i++) {
        const uri = mine.item(i)!.getAttribute('uri')!;
        if (text.includes(`uri="${uri}"`)) {
          return new UniquenessFailure([{ field: 'rls-services/service/@uri', altValues: [uri.replace('@', '-1@')] }]);
        }
      }
    }
    return undefined;
  },
};

/** The "test" usage of RFC 4825 §6.4: default document namespace urn:test:default-namespace, anything valid. */
export const testUsage: ApplicationUsage = {
  auid: 'test',
  defaultNamespace: 'urn:test:default-namespace',
  mimeType: 'application/test+xml',
  validate: () => undefined,
};

/** A usage with a generated global document listing the AUIDs (like xcap-caps, RFC 4825 §12). */
export const capsUsage: ApplicationUsage = {
  auid: 'xcap-caps',
  defaultNamespace: 'urn:ietf:params:xml:ns:xcap-caps',
  mimeType: 'application/xcap-caps+xml',
  validate: () => undefined,
  async globalDocument(name, ctx) {
    if (name !== 'index') return undefined;
    const auids = ctx.usages.list().map((u) => `<auid>${u.auid}</auid>`).join('');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-caps xmlns="urn:ietf:params:xml:ns:xcap-caps"><auids>${auids}</auids></xcap-caps>`;
  },
};

/** Test authentication: `Authorization: Test <xui>` authenticates as <xui>; anything else is challenged. */
export async function testAuthenticate(req: XcapAuthRequest): Promise<XcapAuthResult> {
  const m = /^Test (.+)$/.exec(req.authorization ?? '');
  if (!m) return { status: 401, headers: { 'www-authenticate': 'Digest realm="example.com", nonce="n", qop="auth"' } };
  return { xui: m[1]! };
}

/** An XCAP app on a memory store with the test usages, and the changes it reported. */
export interface World {
  readonly app: FastifyInstance;
  readonly store: MemoryXcapDocumentStore;
  readonly changes: XcapChange[];
  /** Sends a request as `as` (default Bill); `body` as text. */
  request(method: string, url: string, opts?: { body?: string | Buffer; type?: string; as?: string | null; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function world(
  extra: Partial<XcapServerOptions> = {},
  usages: ApplicationUsage[] = [listsUsage, servicesUsage, testUsage, capsUsage],
  store = new MemoryXcapDocumentStore(),
): Promise<World> {
  const changes: XcapChange[] = [];
  const app = await buildXcapApp({
    usages: new XcapUsages(usages),
    store,
    authenticate: testAuthenticate,
    onChange: (c) => void changes.push(c),
    ...extra,
  });
  return {
    app,
    store,
    changes,
    request(method, url, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const as = opts.as === undefined ? BILL : opts.as;
      if (as !== null) headers.authorization = `Test ${as}`;
      if (opts.type) headers['content-type'] = opts.type;
      return app.inject({ method: method as 'GET', url, headers, ...(opts.body !== undefined && { payload: opts.body }) });
    },
    async close() {
      await app.close();
      store.close();
    },
  };
}

/** Bill's resource-lists document URL. */
export const BILL_LISTS = `/xcap/resource-lists/users/${BILL}/index`;
