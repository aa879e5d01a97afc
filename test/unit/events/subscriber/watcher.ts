import { SubscriberRegistry } from '../../../../src/events/subscriber/subscriber-registry.js';
import { LocalIdentity } from '../../../../src/sip/core/local-identity.js';
import { UserAgentCore } from '../../../../src/sip/core/user-agent-core.js';
import { TransactionLayer } from '../../../../src/sip/transaction/transaction-layer.js';
import type { LoopNetwork } from '../../../../src/sip/transport/loop.js';
import { TransportLayer } from '../../../../src/sip/transport/transport-layer.js';
import type { FakeClock } from '../../../../src/util/clock.js';

/** A subscriber user agent: transport, transactions, a UAS core and the registry for NOTIFYs. */
export class Watcher {
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly core: UserAgentCore;
  readonly registry = new SubscriberRegistry();
  host = '';
  port = 0;

  private constructor(net: LoopNetwork, clock: FakeClock, readonly name: string) {
    this.transport = new TransportLayer({ loopNetwork: net });
    this.transactions = new TransactionLayer({ transport: this.transport, clock });
    const identity = new LocalIdentity();
    identity.addHost(`${name}.test`);
    this.core = new UserAgentCore({ transactions: this.transactions, identity });
    this.core.register(this.registry.notifyHandler);
    this.transport.onInbound = (i) => {
      if (i.kind === 'message') this.transactions.receive(i.message, i.flow);
      else this.core.handleMalformed(i);
    };
  }

  static async start(net: LoopNetwork, clock: FakeClock, name: string): Promise<Watcher> {
    const w = new Watcher(net, clock, name);
    const lp = await w.transport.listen({ transport: 'LOOP', host: `${name}.test`, port: 0 });
    w.host = lp.address;
    w.port = lp.port;
    return w;
  }

  get contact(): string {
    return `sip:${this.name}@${this.host}:${this.port};transport=loop`;
  }

  async close(): Promise<void> {
    this.transactions.close();
    await this.transport.close();
  }
}

/** Waits (a bounded number of event-loop turns) until `check` holds. */
export async function until(check: () => boolean | Promise<boolean>, what: string, rounds = 2000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`timed out waiting for ${what}`);
}
