import { validateConfig } from '../../../../src/config/load.js';
import type { EventPackage, PublicationPolicy } from '../../../../src/events/event-package.js';
import { PublicationManager } from '../../../../src/events/publication/publication-manager.js';
import type { PublicationChange, PublicationManagerOptions } from '../../../../src/events/publication/publication-manager.js';
import { build } from '../../../../src/server.js';
import type { PresencedServer } from '../../../../src/server.js';
import { LocalIdentity } from '../../../../src/sip/core/local-identity.js';
import type { SipResponse } from '../../../../src/sip/message/message.js';
import { SipError } from '../../../../src/sip/message/sip-error.js';
import { LoopNetwork } from '../../../../src/sip/transport/loop.js';
import type { SendTarget } from '../../../../src/sip/transport/types.js';
import { MemoryPublicationStore } from '../../../../src/store/memory/publication-store.js';
import type { PublicationRecord, PublicationStore } from '../../../../src/store/ports.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { SipPeer } from '../../../support/sip-peer.js';

/**
 * A presence server on a LOOP network with a {@link PublicationManager} for two test packages, and
 * Alice and Carol as publishers. Bob is the presentity. The manager runs on a FakeClock; the SIP stack
 * on the system clock.
 */

/** A publication policy: two types, 60 s to 7200 s (default 3600), 100 bytes, bodies containing `bad` invalid. */
export function testPolicy(types: string[], max = 7200): PublicationPolicy {
  return {
    types,
    expires: { default: 3600, min: 60, max },
    maxBodyBytes: 100,
    validate(body) {
      if (body.includes('bad')) throw new SipError(400, 'Bad Request: the document says bad');
    },
  };
}

/** A package for tests with the given name and publication policy (none: subscribe-only). */
export function testPackage(name: string, publication?: PublicationPolicy): EventPackage {
  return {
    name,
    notifyTypes: ['text/plain'],
    subscribeBodyTypes: [],
    expires: { default: 3600, min: 60, max: 7200 },
    ...(publication ? { publication } : {}),
    authorize: () => 'active',
    render: () => undefined,
  };
}

export const PACKAGES: EventPackage[] = [
  testPackage('test-state', testPolicy(['application/x-state', 'text/plain'])),
  testPackage('other', testPolicy(['application/x-other'])),
  testPackage('long', testPolicy(['text/plain'], 30 * 24 * 3600)),
  testPackage('sub-only'),
];

export const PS: SendTarget = { transport: 'LOOP', address: 'ps.test', port: 5060 };
export const BOB = 'sip:bob@ps.test';

/**
 * A store that answers every call after a random delay of 0 to 3 ms: like a disk, so PUBLISHes
 * processed without the per-resource queue would interleave.
 */
export class SlowStore implements PublicationStore {
  /** When set, the next remove() fails once (a back-end failure). */
  failNextRemove = false;

  constructor(readonly inner: PublicationStore) {}

  private async later<T>(fn: () => Promise<T>): Promise<T> {
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 4)));
    return fn();
  }
  get(etag: string): Promise<PublicationRecord | undefined> {
    return this.later(() => this.inner.get(etag));
  }
  listByResource(resource: string, event: string): Promise<PublicationRecord[]> {
    return this.later(() => this.inner.listByResource(resource, event));
  }
  put(record: PublicationRecord, replacing?: string): Promise<void> {
    return this.later(() => this.inner.put(record, replacing));
  }
  remove(etag: string): Promise<void> {
    if (this.failNextRemove) {
      this.failNextRemove = false;
      return Promise.reject(new Error('disk on fire'));
    }
    return this.later(() => this.inner.remove(etag));
  }
  listExpired(now: number): Promise<PublicationRecord[]> {
    return this.later(() => this.inner.listExpired(now));
  }
  listAll(): Promise<PublicationRecord[]> {
    return this.later(() => this.inner.listAll());
  }
}

export interface Fixture {
  net: LoopNetwork;
  server: PresencedServer;
  manager: PublicationManager;
  memory: MemoryPublicationStore;
  store: SlowStore;
  clock: FakeClock;
  identity: LocalIdentity;
  alice: SipPeer;
  carol: SipPeer;
  changes: PublicationChange[];
  /** Starts another manager on the same store (a restart), registered with the server. */
  restart(): PublicationManager;
  close(): Promise<void>;
}

export async function setup(extra: Partial<PublicationManagerOptions> = {}): Promise<Fixture> {
  const net = new LoopNetwork();
  const clock = new FakeClock();
  const memory = new MemoryPublicationStore();
  const store = new SlowStore(memory);
  const identity = new LocalIdentity();
  identity.addDomain('ps.test');
  const server = build(validateConfig({ domain: 'ps.test', sip: { host: 'ps.test', port: 5060 }, store: { kind: 'memory' }, auth: { mode: 'none' } }), { loopNetwork: net });
  const changes: PublicationChange[] = [];
  const managers: PublicationManager[] = [];
  const start = (): PublicationManager => {
    const m = new PublicationManager({
      store, identity, clock, nodeId: 'node1',
      packageFor: (e) => PACKAGES.find((p) => p.name === e),
      packages: () => PACKAGES,
      ...extra,
    });
    m.onChange = (c) => changes.push(c);
    server.core.register(m.publishHandler);
    managers.push(m);
    return m;
  };
  const manager = start();
  await server.listen();
  const alice = await SipPeer.start(net, 'alice');
  const carol = await SipPeer.start(net, 'carol');
  return {
    net, server, manager, memory, store, clock, identity, alice, carol, changes,
    restart: start,
    async close() {
      for (const m of managers) await m.close();
      await alice.close();
      await carol.close();
      await server.close();
      memory.close();
    },
  };
}

/** What a PUBLISH carries beyond the Request-URI. */
export interface PublishSpec {
  uri?: string;
  event?: string | null;
  ifMatch?: string;
  expires?: number;
  body?: string;
  type?: string;
}

/** Sends one PUBLISH from `peer` to the server and resolves with the final response. */
export function publish(peer: SipPeer, spec: PublishSpec): Promise<SipResponse> {
  const headers: Array<[string, string]> = [];
  if (spec.event !== null) headers.push(['Event', spec.event ?? 'test-state']);
  if (spec.ifMatch !== undefined) headers.push(['SIP-If-Match', spec.ifMatch]);
  if (spec.expires !== undefined) headers.push(['Expires', String(spec.expires)]);
  if (spec.body !== undefined) headers.push(['Content-Type', spec.type ?? 'application/x-state']);
  return peer.send(peer.request('PUBLISH', spec.uri ?? BOB, headers, spec.body), PS);
}

/** Every stored publication (expired or not), sorted by entity tag, with bodies as text. */
export async function snapshot(store: PublicationStore): Promise<unknown[]> {
  const all = await store.listAll();
  return all.sort((a, b) => a.etag.localeCompare(b.etag)).map((r) => ({ ...r, body: r.body.toString() }));
}
