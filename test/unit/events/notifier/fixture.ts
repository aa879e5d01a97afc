import { validateConfig } from '../../../../src/config/load.js';
import type { AuthorizationDecision, EventPackage, SubscriptionContext } from '../../../../src/events/event-package.js';
import { Notifier } from '../../../../src/events/notifier/notifier.js';
import type { NotifierOptions } from '../../../../src/events/notifier/notifier.js';
import { PackageRegistry } from '../../../../src/events/package-registry.js';
import { build } from '../../../../src/server.js';
import type { PresencedServer } from '../../../../src/server.js';
import { LocalIdentity } from '../../../../src/sip/core/local-identity.js';
import type { SipRequest, SipResponse } from '../../../../src/sip/message/message.js';
import { LoopNetwork } from '../../../../src/sip/transport/loop.js';
import type { SendTarget } from '../../../../src/sip/transport/types.js';
import { MemorySubscriptionStore } from '../../../../src/store/memory/subscription-store.js';
import type { SubscriptionStore } from '../../../../src/store/ports.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { SipPeer } from '../../../support/sip-peer.js';

/**
 * A notifier on an in-process server (LOOP network, FakeClock for the server's timers and the
 * notifier's expiry) serving `x-test`, a tiny package whose state per resource is a text the test sets,
 * and whose authorisation per watcher the test decides. Alice and Carol subscribe to Bob.
 */

export const PS: SendTarget = { transport: 'LOOP', address: 'ps.test', port: 5060 };
export const BOB = 'sip:bob@ps.test';
export const BOB_AOR = 'sip:bob@ps.test';

/** The test package: state and decisions are set by the test; pending subscriptions get no body. */
export class TestPackage implements EventPackage {
  readonly notifyTypes = ['application/x-test+xml', 'text/plain'];
  readonly subscribeBodyTypes: string[];
  readonly expires = { default: 600, min: 60, max: 3600 };
  /** Resource (canonical AOR) to its current state text. */
  readonly state = new Map<string, string>();
  /** Watcher (canonical AOR) to its decision; default active. */
  readonly decisions = new Map<string, AuthorizationDecision>();
  /** Every request seen by authorize (undefined for re-evaluations). */
  readonly authorized: Array<SipRequest | undefined> = [];

  constructor(readonly name: string, bodyTypes: string[] = ['application/x-filter']) {
    this.subscribeBodyTypes = bodyTypes;
  }

  authorize(ctx: SubscriptionContext): AuthorizationDecision {
    this.authorized.push(ctx.request);
    return this.decisions.get(ctx.record.watcher) ?? 'active';
  }

  render(ctx: SubscriptionContext, negotiated: string): { contentType: string; body: Buffer } | undefined {
    if (ctx.record.state === 'pending') return undefined;
    const blocked = this.decisions.get(ctx.record.watcher) === 'polite-block';
    const text = blocked ? 'neutral' : (this.state.get(ctx.record.resource) ?? 'none');
    return { contentType: negotiated, body: Buffer.from(`${text}${ctx.record.body ? `|${ctx.record.body.data.toString()}` : ''}`) };
  }
}

export interface Fixture {
  net: LoopNetwork;
  server: PresencedServer;
  clock: FakeClock;
  store: MemorySubscriptionStore;
  registry: PackageRegistry;
  pkg: TestPackage;
  notifier: Notifier;
  alice: SipPeer;
  carol: SipPeer;
  /**
   * Starts another notifier (a restart) over the same store, or `store`, with the same registry, or
   * `registry`, and registers it with the server.
   */
  restart(opts?: { registry?: PackageRegistry; store?: SubscriptionStore }): Notifier;
  close(): Promise<void>;
}

export async function setup(extra: Partial<NotifierOptions> = {}): Promise<Fixture> {
  const net = new LoopNetwork();
  const clock = new FakeClock();
  const store = new MemorySubscriptionStore();
  const identity = new LocalIdentity();
  identity.addDomain('ps.test');
  const server = build(validateConfig({ domain: 'ps.test', sip: { host: 'ps.test', port: 5060 }, store: { kind: 'memory' }, auth: { mode: 'none' } }), { loopNetwork: net, clock });
  const registry = new PackageRegistry();
  const pkg = new TestPackage('x-test');
  registry.register(pkg);
  registry.register(new TestPackage('x-plain', []));
  const notifiers: Notifier[] = [];
  const start = (opts: { registry?: PackageRegistry; store?: SubscriptionStore } = {}): Notifier => {
    const n = new Notifier({
      transactions: server.transactions, store: opts.store ?? store, registry: opts.registry ?? registry, identity, clock, ...extra,
    });
    server.core.register(n.subscribeHandler);
    notifiers.push(n);
    return n;
  };
  const notifier = start();
  await server.listen();
  const alice = await SipPeer.start(net, 'alice');
  const carol = await SipPeer.start(net, 'carol');
  return {
    net, server, clock, store, registry, pkg, notifier, alice, carol,
    restart: start,
    async close() {
      for (const n of notifiers) n.close();
      await alice.close();
      await carol.close();
      await server.close();
      store.close();
    },
  };
}

/** What a SUBSCRIBE carries besides the Request-URI (Bob) and the generated From, To, Call-ID, Via. */
export interface SubscribeSpec {
  event?: string | null;
  expires?: number;
  accept?: string[];
  body?: string;
  type?: string;
  headers?: Array<[string, string]>;
  uri?: string;
}

/** An established subscription as the subscriber sees it: its dialog identifiers and its last CSeq. */
export interface Dialog {
  peer: SipPeer;
  callId: string;
  /** Subscriber's tag (From of its requests). */
  localTag: string;
  /** Notifier's tag (To tag of the 2xx): the subscription id. */
  remoteTag: string;
  cseq: number;
  event: string;
}

function contactOf(peer: SipPeer): string {
  return `<sip:${peer.name}@${peer.host}:${peer.port};transport=loop>`;
}

/** Sends an initial SUBSCRIBE from `peer` to Bob; resolves with the request, the response and the dialog. */
export async function subscribe(peer: SipPeer, spec: SubscribeSpec = {}): Promise<{ req: SipRequest; res: SipResponse; dialog: Dialog }> {
  const headers: Array<[string, string]> = [['Contact', contactOf(peer)]];
  if (spec.event !== null) headers.push(['Event', spec.event ?? 'x-test']);
  if (spec.expires !== undefined) headers.push(['Expires', String(spec.expires)]);
  for (const a of spec.accept ?? []) headers.push(['Accept', a]);
  if (spec.body !== undefined) headers.push(['Content-Type', spec.type ?? 'application/x-filter']);
  headers.push(...(spec.headers ?? []));
  const req = peer.request('SUBSCRIBE', spec.uri ?? BOB, headers, spec.body);
  const res = await peer.send(req, PS);
  const dialog: Dialog = {
    peer,
    callId: req.headers.get('Call-ID')!,
    localTag: /tag=([^;]+)/.exec(req.headers.get('From')!)![1]!,
    remoteTag: /tag=([^;]+)/.exec(res.headers.get('To')!)?.[1] ?? '',
    cseq: 1,
    event: spec.event ?? 'x-test',
  };
  return { req, res, dialog };
}

/** Sends a SUBSCRIBE within `d` (refresh or unsubscribe) with the next CSeq, or `cseq` if given. */
export async function resubscribe(d: Dialog, spec: { expires?: number; cseq?: number; event?: string; body?: string; toTag?: string } = {}): Promise<SipResponse> {
  d.cseq = spec.cseq ?? d.cseq + 1;
  const headers: Array<[string, string]> = [
    ['From', `<sip:${d.peer.name}@${d.peer.host}>;tag=${d.localTag}`],
    ['To', `<${BOB}>;tag=${spec.toTag ?? d.remoteTag}`],
    ['Call-ID', d.callId],
    ['CSeq', `${d.cseq} SUBSCRIBE`],
    ['Contact', contactOf(d.peer)],
    ['Event', spec.event ?? d.event],
  ];
  if (spec.expires !== undefined) headers.push(['Expires', String(spec.expires)]);
  if (spec.body !== undefined) headers.push(['Content-Type', 'application/x-filter']);
  return d.peer.send(d.peer.request('SUBSCRIBE', BOB, headers, spec.body), PS);
}

/** The NOTIFYs of dialog `d` received so far. */
export function notifiesOf(d: Dialog): SipRequest[] {
  return d.peer.received.filter((r) => r.method === 'NOTIFY' && r.headers.get('Call-ID') === d.callId);
}

/** Waits until dialog `d` has received `count` NOTIFYs in all; resolves with the last one. */
export async function nthNotify(d: Dialog, count: number): Promise<SipRequest> {
  const all = await d.peer.waitFor((r) => r.method === 'NOTIFY' && r.headers.get('Call-ID') === d.callId, count);
  return all[count - 1]!;
}

/** Lets queued work run: `rounds` turns of the event loop (LOOP delivers one message per turn). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** Waits (a bounded number of event-loop turns) until `check` holds. */
export async function until(check: () => boolean | Promise<boolean>, rounds = 500): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not reached');
}

/** The CSeq number of a request. */
export function cseqOf(req: SipRequest): number {
  return Number(req.headers.get('CSeq')!.split(' ')[0]);
}
