import { validateConfig } from '../../../src/config/load.js';
import type { ConfigInput } from '../../../src/config/schema.js';
import { build } from '../../../src/server.js';
import type { PresencedServer } from '../../../src/server.js';
import { LoopNetwork } from '../../../src/sip/transport/loop.js';
import { MemoryStores } from '../../../src/store/memory/memory-stores.js';
import type { PublicationRecord, Stores, SubscriptionRecord } from '../../../src/store/ports.js';
import { FakeClock } from '../../../src/util/clock.js';
import { SipPeer } from '../../support/sip-peer.js';
import { DOMAIN, PS, aorOf } from './addresses.js';
import { User } from './user.js';

export { aorOf };

/**
 * The stage of the TS 23.141 Annex A scenarios: one presence server for the domain `home1.net` on an
 * in-memory LOOP network, its timers on a FakeClock, and the users (Alice, Bob, …) as SIP peers on the
 * same network. The P-CSCF / S-CSCF / I-CSCF hops of the Annex A figures are not modelled: the UEs talk
 * to the presence server directly, which is what the server sees once the proxies have routed the request.
 */

/** Options of {@link World.start}. */
export interface WorldOptions {
  /** The `presence` section of the configuration (sub-handling, precedence, agents, …). */
  presence?: ConfigInput['presence'];
  /**
   * The stores the server runs on; default a fresh {@link MemoryStores}. The world closes them in
   * {@link World.close} either way.
   */
  stores?: Stores;
}

/** The configuration of the scenario server, memory store kind (the world passes its stores in). */
function scenarioConfig(presence: ConfigInput['presence'] = {}): ReturnType<typeof validateConfig> {
  return validateConfig({
    domain: DOMAIN,
    nodeId: 'ps1',
    sip: { host: PS.address, port: PS.port },
    store: { kind: 'memory' },
    auth: { mode: 'none' },
    presence,
  });
}

/** The server, the clock, the network and the users of one scenario. */
export class World {
  readonly net = new LoopNetwork();
  readonly clock = new FakeClock();
  private readonly users: User[] = [];
  private current: PresencedServer;

  private constructor(
    readonly stores: Stores,
    private readonly presence: ConfigInput['presence'],
  ) {
    this.current = this.build();
  }

  /** Builds the presence server and lets it listen. */
  static async start(opts: WorldOptions = {}): Promise<World> {
    const world = new World(opts.stores ?? new MemoryStores(), opts.presence ?? {});
    await world.current.listen();
    return world;
  }

  /** The running presence server. */
  get server(): PresencedServer {
    return this.current;
  }

  /**
   * A user on the network: `name` is the user part of the AOR, `device` names the UE (its LOOP host is
   * `<device>.test`; default the name), so one user may have several devices (PUAs).
   */
  async user(name: string, device = name): Promise<User> {
    const u = new User(await SipPeer.start(this.net, device), aorOf(name));
    this.users.push(u);
    return u;
  }

  /**
   * A graceful restart: closes the server, lets `whileDown` run (e.g. move the clock), then builds a new
   * server with the same configuration on the same stores and lets it listen.
   */
  async restart(whileDown?: () => void | Promise<void>): Promise<void> {
    // The responses in flight arrive first, so the stored CSeqs and states are those the users saw.
    await settle();
    await this.current.close();
    await whileDown?.();
    this.current = this.build();
    await this.current.listen();
  }

  /**
   * Moves the FakeClock by `seconds` and lets the work it triggered run. Messages in flight are
   * delivered first: a jump over Timer F (32 s) while the 200 to a NOTIFY is still on its way would end
   * the subscription (RFC 6665 §4.2.2), as it would if the 200 really came that late.
   */
  async elapse(seconds: number): Promise<void> {
    await settle();
    this.clock.advance(seconds * 1000);
    await settle();
  }

  /** Closes the users, the server and the stores. */
  async close(): Promise<void> {
    for (const u of this.users) await u.peer.close();
    await this.current.close();
    await this.stores.close();
  }

  private build(): PresencedServer {
    return build(scenarioConfig(this.presence), { loopNetwork: this.net, clock: this.clock, stores: this.stores });
  }
}

/** Everything stored, as comparable plain data (bodies as text), sorted by key. */
export interface StoreSnapshot {
  publications: Array<Omit<PublicationRecord, 'body'> & { body: string }>;
  subscriptions: Array<Omit<SubscriptionRecord, 'body'> & { body?: { contentType: string; data: string } }>;
}

/** Reads the whole content of the publication and subscription stores. */
export async function snapshot(stores: Stores): Promise<StoreSnapshot> {
  const publications = (await stores.publications.listAll())
    .map((p) => ({ ...p, body: p.body.toString('utf8') }))
    .sort((a, b) => (a.etag < b.etag ? -1 : 1));
  const subscriptions = (await stores.subscriptions.listAll())
    .map(({ body, ...s }) => ({ ...s, ...(body ? { body: { contentType: body.contentType, data: body.data.toString('utf8') } } : {}) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return { publications, subscriptions };
}

/** Lets queued work run: `rounds` turns of the event loop (LOOP delivers one message per turn). */
export async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** Waits (a bounded number of event-loop turns) until `check` holds. */
export async function until(check: () => boolean | Promise<boolean>, rounds = 1000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not reached');
}
