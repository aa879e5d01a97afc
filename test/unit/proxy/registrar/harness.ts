import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { validateConfig } from '../../../../src/config/load.js';
import { Registrar } from '../../../../src/proxy/registrar/registrar.js';
import type { RegistrarOptions } from '../../../../src/proxy/registrar/registrar.js';
import { build } from '../../../../src/server.js';
import type { PresencedServer } from '../../../../src/server.js';
import { LocalIdentity } from '../../../../src/sip/core/local-identity.js';
import type { SipRequest, SipResponse } from '../../../../src/sip/message/message.js';
import { ContactHeader } from '../../../../src/sip/parser/headers/contact.js';
import { parseMessage } from '../../../../src/sip/parser/parse-message.js';
import { LoopNetwork } from '../../../../src/sip/transport/loop.js';
import type { Flow, SendTarget } from '../../../../src/sip/transport/types.js';
import { MemoryBindingStore } from '../../../../src/store/memory/binding-store.js';
import type { BindingRecord } from '../../../../src/store/ports.js';
import { FakeClock } from '../../../../src/util/clock.js';
import { newCallId } from '../../../../src/util/ids.js';
import { SipPeer } from '../../../support/sip-peer.js';

/** The served domain of the test server, reached on LOOP at ps.test:5060. */
export const DOMAIN = 'ps.test';
export const PS: SendTarget = { transport: 'LOOP', address: DOMAIN, port: 5060 };

/** The identity build() gives a server for DOMAIN (its listener is LOOP ps.test:5060). */
export function serverIdentity(): LocalIdentity {
  const id = new LocalIdentity();
  id.addDomain(DOMAIN);
  id.addHost('localhost');
  id.addListener(DOMAIN, 5060, 'LOOP');
  return id;
}

/** A change the registrar reported through onChange. */
export interface Change {
  aor: string;
  contacts: string[];
}

/**
 * A whole in-process server on a LOOP network with a Registrar on a memory store and a fake clock; the
 * REGISTER handler records the flow of every REGISTER so tests can check the stored flow.
 */
export class RegistrarWorld {
  readonly net = new LoopNetwork();
  readonly clock = new FakeClock();
  readonly store = new MemoryBindingStore();
  readonly changes: Change[] = [];
  readonly flows: Flow[] = [];
  registrar!: Registrar;
  server!: PresencedServer;
  private readonly peers: SipPeer[] = [];

  async start(opts: Partial<RegistrarOptions> = {}): Promise<this> {
    this.server = build(validateConfig({ domain: DOMAIN, sip: { host: DOMAIN, port: 5060 }, store: { kind: 'memory' }, auth: { mode: 'none' } }), { loopNetwork: this.net });
    this.registrar = this.newRegistrar(opts);
    this.server.core.register({
      method: 'REGISTER',
      handle: (req, ctx) => {
        this.flows.push(ctx.flow);
        return this.registrar.registerHandler.handle(req, ctx);
      },
    });
    await this.server.listen();
    return this;
  }

  /** A Registrar on this world's store and clock, reporting to `changes`. */
  newRegistrar(opts: Partial<RegistrarOptions> = {}): Registrar {
    const r = new Registrar({ store: this.store, identity: serverIdentity(), clock: this.clock, ...opts });
    r.onChange = (aor, bindings) => this.changes.push({ aor, contacts: bindings.map((b) => b.contact) });
    return r;
  }

  async peer(name: string): Promise<SipPeer> {
    const p = await SipPeer.start(this.net, name);
    this.peers.push(p);
    return p;
  }

  async close(): Promise<void> {
    for (const p of this.peers) await p.close();
    await this.registrar.close();
    await this.server.close();
  }
}

/** What a test REGISTER carries besides the headers SipPeer.request writes. */
export interface RegisterSpec {
  aor?: string;
  callId?: string;
  cseq?: number;
  headers?: Array<[string, string]>;
}

/** A REGISTER from `peer` for `aor` (default sip:<peer name>@ps.test) to the domain. */
export function registerRequest(peer: SipPeer, spec: RegisterSpec = {}): SipRequest {
  const aor = spec.aor ?? `sip:${peer.name}@${DOMAIN}`;
  const req = peer.request('REGISTER', `sip:${DOMAIN}`, [
    ['To', `<${aor}>`],
    ['From', `<${aor}>;tag=${peer.name}-tag`],
    ['CSeq', `${spec.cseq ?? 1} REGISTER`],
    ...(spec.headers ?? []),
  ]);
  if (spec.callId) req.headers.set('Call-ID', spec.callId);
  return req;
}

/** Sends a REGISTER to the server and resolves with its final response. */
export function register(peer: SipPeer, spec: RegisterSpec = {}): Promise<SipResponse> {
  return peer.send(registerRequest(peer, spec), PS);
}

/** A Call-ID for a series of REGISTERs (refreshes reuse it, RFC 3261 §10.2.4). */
export function callId(): string {
  return newCallId('test');
}

/** The Contact URIs of a 200 with their expires parameters, as `uri expires`, sorted. */
export function contactsOf(res: SipResponse): string[] {
  const list = res.header(ContactHeader);
  if (!list) return [];
  assert.ok(!list.star);
  return list.contacts
    .map((c) => `${'host' in c.uri ? `${c.uri.scheme}:${c.uri.user}@${c.uri.host}${c.uri.port ? `:${c.uri.port}` : ''}` : ''} ${c.expires}`)
    .sort();
}

/** Lets pending promise callbacks and I/O run (the store and LOOP deliver asynchronously). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Moves the fake clock forward in 1 s steps (the sweep re-arms after each run), settling in between. */
export async function elapse(clock: FakeClock, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    await settle();
    await settle();
  }
}

const CAPTURES = join(process.cwd(), '..', 'shared', 'captures');

/** A REGISTER captured from a real client (../shared/captures), parsed as the UDP transport would. */
export function capturedRequest(file: string): SipRequest {
  const r = parseMessage(readFileSync(join(CAPTURES, file)));
  assert.ok(r.ok && r.message.kind === 'request', file);
  return r.message;
}

/** The bindings of an AOR, sorted by contact. */
export async function stored(store: MemoryBindingStore, aor: string): Promise<BindingRecord[]> {
  return (await store.listByAor(aor)).sort((a, b) => a.contact.localeCompare(b.contact));
}
