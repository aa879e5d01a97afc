import { validateConfig } from '../../../../src/config/load.js';
import type { AuthorizationDecision, EventPackage, SubscriptionContext } from '../../../../src/events/event-package.js';
import { Notifier } from '../../../../src/events/notifier/notifier.js';
import { PackageRegistry } from '../../../../src/events/package-registry.js';
import { ClientSubscription } from '../../../../src/events/subscriber/client-subscription.js';
import type { ClientSubscriptionOptions, NotifyInfo, TerminationInfo } from '../../../../src/events/subscriber/client-subscription.js';
import { build } from '../../../../src/server.js';
import type { PresencedServer } from '../../../../src/server.js';
import { LocalIdentity } from '../../../../src/sip/core/local-identity.js';
import { LoopNetwork } from '../../../../src/sip/transport/loop.js';
import type { SendTarget } from '../../../../src/sip/transport/types.js';
import { MemorySubscriptionStore } from '../../../../src/store/memory/subscription-store.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { Watcher, until } from './watcher.js';

/**
 * The project's own notifier on an in-process server (LOOP, FakeClock) serving `x-state`, a package whose
 * document per resource and decision per watcher the test sets; and Alice, a user agent with a UAS core
 * (a {@link Watcher}) watching Bob with {@link ClientSubscription}s.
 */

export const PS: SendTarget = { transport: 'LOOP', address: 'ps.test', port: 5060 };
export const BOB = 'sip:bob@ps.test';

export class StatePackage implements EventPackage {
  readonly name = 'x-state';
  readonly notifyTypes = ['text/plain', 'application/x-state'];
  readonly subscribeBodyTypes: string[] = [];
  readonly expires = { default: 600, min: 60, max: 3600 };
  readonly state = new Map<string, string>();
  readonly decisions = new Map<string, AuthorizationDecision>();

  authorize(ctx: SubscriptionContext): AuthorizationDecision {
    return this.decisions.get(ctx.record.watcher) ?? 'active';
  }

  render(ctx: SubscriptionContext, negotiated: string): { contentType: string; body: Buffer } | undefined {
    if (ctx.record.state === 'pending') return undefined;
    return { contentType: negotiated, body: Buffer.from(this.state.get(ctx.record.resource) ?? 'none') };
  }
}

/** A ClientSubscription with the NOTIFYs and the termination it reported. */
export interface Watch {
  sub: ClientSubscription;
  notifies: NotifyInfo[];
  ended: TerminationInfo[];
}

export interface Fixture {
  net: LoopNetwork;
  clock: FakeClock;
  server: PresencedServer;
  store: MemorySubscriptionStore;
  pkg: StatePackage;
  notifier: Notifier;
  alice: Watcher;
  watch(extra?: Partial<ClientSubscriptionOptions>): Watch;
  close(): Promise<void>;
}

export async function setup(): Promise<Fixture> {
  const net = new LoopNetwork();
  const clock = new FakeClock();
  const store = new MemorySubscriptionStore();
  const identity = new LocalIdentity();
  identity.addDomain('ps.test');
  const server = build(validateConfig({ domain: 'ps.test', sip: { host: 'ps.test', port: 5060 }, store: { kind: 'memory' }, auth: { mode: 'none' } }), { loopNetwork: net, clock });
  const registry = new PackageRegistry();
  const pkg = new StatePackage();
  registry.register(pkg);
  const notifier = new Notifier({ transactions: server.transactions, store, registry, identity, clock });
  server.core.register(notifier.subscribeHandler);
  await server.listen();
  const alice = await Watcher.start(net, clock, 'alice');
  const subs: ClientSubscription[] = [];
  return {
    net, clock, server, store, pkg, notifier, alice,
    watch(extra = {}) {
      const sub = new ClientSubscription({
        transactions: alice.transactions, target: PS, sentBy: { host: alice.host, port: alice.port },
        resource: BOB, from: 'sip:alice@ps.test', event: 'x-state', accept: ['text/plain'], expires: 600,
        contact: alice.contact, clock, ...extra,
      });
      const w: Watch = { sub, notifies: [], ended: [] };
      sub.onNotify = (n) => w.notifies.push(n);
      sub.onTerminated = (t) => w.ended.push(t);
      alice.registry.add(sub);
      subs.push(sub);
      return w;
    },
    async close() {
      for (const s of subs) alice.registry.remove(s);
      notifier.close();
      await alice.close();
      await server.close();
      store.close();
    },
  };
}

/**
 * Waits until the notifier's and Alice's transactions have all ended, so advancing the FakeClock fires
 * no Timer F of a transaction whose response is still on its way.
 */
export async function quiet(f: Fixture): Promise<void> {
  await until(() => f.server.transactions.size.client === 0 && f.alice.transactions.size.client === 0, 'transactions to end');
}

