import { addressKey } from './address.js';
import { nextId } from './flow-id.js';
import type { TransportContext } from './transport-context.js';
import { TransportError } from './types.js';
import type { Flow, ListenAddress, SendTarget } from './types.js';

/** First port handed out for `port: 0`. */
const FIRST_EPHEMERAL_PORT = 49_152;

/** One LOOP listening point. */
interface LoopEndpoint {
  readonly address: string;
  readonly port: number;
  readonly owner: LoopTransport;
}

/** One side of a link between two endpoints: this side's flow, and the side it delivers to. */
class LoopSide {
  peer: LoopSide = this;
  open = true;

  constructor(
    readonly flow: Flow,
    readonly owner: LoopTransport,
  ) {}
}

/**
 * An in-memory SIP network (transport `LOOP`, after PJSIP's loop transport; STYLE habit 11). Transport
 * layers given the same network listen on `{ transport: 'LOOP', host, port }` with any host text (an IP
 * address or a name such as `ps.home1.net`) and reach each other by that address and port; nothing
 * touches a socket, so whole call flows run in one process.
 *
 * ```ts
 * const net = new LoopNetwork();
 * const alice = new TransportLayer({ loopNetwork: net });
 * const ps = new TransportLayer({ loopNetwork: net });
 * await ps.listen({ transport: 'LOOP', host: 'ps.home1.net', port: 5060 });
 * await alice.listen({ transport: 'LOOP', host: 'alice.home1.net', port: 0 });
 * await alice.send({ transport: 'LOOP', address: 'ps.home1.net', port: 5060 }, bytes);
 * ```
 *
 * Behaves like a reliable, connection-oriented transport: the first message between two endpoints
 * opens a link with a flow at each end, and a send with a flow id returns over the same link. Delivery
 * is asynchronous and in order (one `setImmediate` per message) and goes through the same parser as
 * the wire, one message per send (no stream framing). Buffers are passed, not copied: do not change
 * one after sending it.
 */
export class LoopNetwork {
  private readonly endpoints = new Map<string, LoopEndpoint>();
  private nextPort = FIRST_EPHEMERAL_PORT;

  /** @internal Binds an endpoint for a transport; port 0 takes the next free ephemeral port. */
  bind(address: string, port: number, owner: LoopTransport): LoopEndpoint {
    let p = port;
    if (p === 0) {
      do p = this.nextPort++;
      while (this.endpoints.has(endpointKey(address, p)));
    }
    const key = endpointKey(address, p);
    if (this.endpoints.has(key)) throw new TransportError(`LOOP ${address}:${p} is in use`, 'EADDRINUSE');
    const ep: LoopEndpoint = { address, port: p, owner };
    this.endpoints.set(key, ep);
    return ep;
  }

  /** @internal */
  unbind(ep: LoopEndpoint): void {
    const key = endpointKey(ep.address, ep.port);
    if (this.endpoints.get(key) === ep) this.endpoints.delete(key);
  }

  /** @internal */
  lookup(address: string, port: number): LoopEndpoint | undefined {
    return this.endpoints.get(endpointKey(address, port));
  }
}

/** The LOOP transport of one transport layer: its endpoints on a {@link LoopNetwork} and its link sides. */
export class LoopTransport {
  private readonly endpoints: LoopEndpoint[] = [];
  private readonly byId = new Map<string, LoopSide>();
  private readonly byRemote = new Map<string, LoopSide>();

  constructor(
    private readonly network: LoopNetwork | undefined,
    private readonly ctx: TransportContext,
  ) {}

  async listen(host: string, port: number): Promise<ListenAddress> {
    if (!this.network) throw new TransportError('LOOP needs the loopNetwork option', 'ENOLOOP');
    const ep = this.network.bind(host, port, this);
    this.endpoints.push(ep);
    return { transport: 'LOOP', address: ep.address, port: ep.port };
  }

  /**
   * Sends over the link named by `flowId` while it is open, else over the link to address:port, opening
   * one from this layer's first LOOP endpoint.
   * @throws TransportError `ENOLISTENER` (no LOOP endpoint here), `ECONNREFUSED` (nothing at address:port).
   */
  async send(target: SendTarget, data: Buffer): Promise<Flow> {
    let side = target.flowId ? this.byId.get(target.flowId) : undefined;
    if (!side?.open) side = this.byRemote.get(endpointKey(target.address, target.port));
    if (!side?.open) side = this.link(target);
    const to = side.peer;
    setImmediate(() => {
      if (to.open) to.owner.ctx.receive(data, to.flow, false);
    });
    return side.flow;
  }

  /** Leaves the network and closes every link of this layer. */
  async close(): Promise<void> {
    for (const ep of this.endpoints.splice(0)) this.network?.unbind(ep);
    for (const side of [...this.byId.values()]) {
      this.forget(side);
      side.peer.owner.forget(side.peer);
    }
  }

  private link(target: SendTarget): LoopSide {
    const local = this.endpoints[0];
    if (!local) throw new TransportError('no LOOP endpoint to send from', 'ENOLISTENER');
    const remote = this.network?.lookup(target.address, target.port);
    if (!remote) throw new TransportError(`nothing listens on LOOP ${target.address}:${target.port}`, 'ECONNREFUSED');
    const here = makeSide(this, local, remote);
    const there = makeSide(remote.owner, remote, local);
    here.peer = there;
    there.peer = here;
    this.remember(here);
    remote.owner.remember(there);
    return here;
  }

  private remember(side: LoopSide): void {
    this.byId.set(side.flow.id, side);
    this.byRemote.set(endpointKey(side.flow.remoteAddress, side.flow.remotePort), side);
  }

  private forget(side: LoopSide): void {
    side.open = false;
    this.byId.delete(side.flow.id);
    const key = endpointKey(side.flow.remoteAddress, side.flow.remotePort);
    if (this.byRemote.get(key) === side) this.byRemote.delete(key);
  }
}

function makeSide(owner: LoopTransport, local: LoopEndpoint, remote: LoopEndpoint): LoopSide {
  const flow: Flow = {
    id: nextId('loop'),
    transport: 'LOOP',
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
  };
  return new LoopSide(flow, owner);
}

function endpointKey(address: string, port: number): string {
  return `${addressKey(address)}|${port}`;
}
