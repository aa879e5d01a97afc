import type { Logger } from 'pino';
import { canonicalAor } from '../../sip/core/aor.js';
import type { LocalIdentity } from '../../sip/core/local-identity.js';
import type { MethodHandler } from '../../sip/core/user-agent-core.js';
import type { SipRequest, SipResponse } from '../../sip/message/message.js';
import { SipError } from '../../sip/message/sip-error.js';
import { ToHeader } from '../../sip/parser/headers/from-to.js';
import type { Flow } from '../../sip/transport/types.js';
import type { BindingRecord, BindingStore } from '../../store/ports.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';
import { silentLogger } from '../../util/logger.js';
import { applyRegister } from './apply-register.js';
import { KeyedQueue } from '../../util/keyed-queue.js';
import { readRegister, registrarDomain } from './register-request.js';
import { registerOk } from './register-response.js';
import { registeredContacts } from './registered-contacts.js';
import type { RegisteredContact } from './registered-contacts.js';
import { DEFAULT_INTERVALS, checkIntervals } from './registration-expiry.js';
import type { RegistrationIntervals } from './registration-expiry.js';

/**
 * Option tags the registrar implements, for the UAS core's Supported list (so `Require: path` or
 * `Require: outbound` passes RFC 3261 §8.2.2.3): Path (RFC 3327) and outbound (RFC 5626).
 */
export const REGISTRAR_OPTION_TAGS: readonly string[] = Object.freeze(['path', 'outbound']);

/** Called after each durable change of an AOR's bindings, with every binding it now has. */
export type BindingsListener = (aor: string, bindings: readonly BindingRecord[]) => void;

/** Options of {@link Registrar}. */
export interface RegistrarOptions {
  /** Where bindings live; a write is durable when its promise resolves. */
  store: BindingStore;
  /** The domains we keep bindings for (RFC 3261 §10.3) and our own addresses. */
  identity: LocalIdentity;
  clock?: Clock;
  logger?: Logger;
  /** Registration intervals in seconds; defaults 3600 / 60 / 86 400. */
  expires?: Partial<RegistrationIntervals>;
  limits?: {
    /** Bindings one AOR may have (default 20); a REGISTER going above gets 403. */
    maxBindingsPerAor?: number;
  };
  /** How often expired bindings are removed from the store, ms (default 1000). */
  sweepIntervalMs?: number;
  /**
   * RFC 3261 §10.3 steps 3-4: authenticates the UAC and checks that it may change the bindings of the
   * AOR in the To header (canonicalAor of the To URI). Runs after steps 1-2, before the AOR is read;
   * rejects with a SipError (401/407 with a challenge, 403 when not authorised) to refuse the REGISTER.
   * Without it every UAC may register any AOR of our domains (§10.3 step 3: the From is then taken as
   * the asserted identity).
   */
  authorize?(req: SipRequest): Promise<void>;
}

/**
 * The registrar (RFC 3261 §10.3) of the all-in-one server, with Path (RFC 3327) and outbound flows
 * (RFC 5626 §6), keeping its bindings in a {@link BindingStore}.
 *
 * - REGISTERs of one AOR are processed one at a time in arrival order, each applied whole: the new
 *   bindings of the AOR are written in one `replaceAor`, and the 200 is sent only once it is durable.
 * - Expiry is a periodic sweep through the clock (every `sweepIntervalMs`): expired bindings are removed
 *   and the AOR's listeners told. A sweep rather than one timer per AOR because it needs no state per
 *   AOR, survives restarts without re-arming anything, and works when several nodes share a store.
 *   Reads never depend on it: expired bindings are ignored by REGISTER processing and lookups.
 * - A REGISTER that would give an AOR more than `maxBindingsPerAor` bindings gets 403 (§21.4.4: a
 *   refusal that repeating will not help; removing a binding will): not 503, which announces a
 *   temporary overload and invites a retry (§21.5.4).
 */
export class Registrar {
  /** The REGISTER handler to register with the UAS core. */
  readonly registerHandler: MethodHandler;
  /** Listener of binding changes (e.g. registration state for presence); its exceptions are logged. */
  onChange: BindingsListener | undefined;

  private readonly store: BindingStore;
  private readonly identity: LocalIdentity;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly intervals: RegistrationIntervals;
  private readonly maxBindings: number;
  private readonly sweepIntervalMs: number;
  private readonly authorize: ((req: SipRequest) => Promise<void>) | undefined;
  private readonly queue = new KeyedQueue();
  private timer: TimerHandle | undefined;
  private sweeping: Promise<void> | undefined;
  private closed = false;

  /** @throws RangeError for inconsistent intervals or limits (see checkIntervals). */
  constructor(opts: RegistrarOptions) {
    this.store = opts.store;
    this.identity = opts.identity;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    this.intervals = checkIntervals({ ...DEFAULT_INTERVALS, ...opts.expires });
    this.maxBindings = opts.limits?.maxBindingsPerAor ?? 20;
    this.sweepIntervalMs = opts.sweepIntervalMs ?? 1000;
    if (!Number.isInteger(this.maxBindings) || this.maxBindings < 1) throw new RangeError('limits.maxBindingsPerAor must be a positive integer');
    if (!(this.sweepIntervalMs > 0)) throw new RangeError('sweepIntervalMs must be positive');
    this.authorize = opts.authorize?.bind(opts);
    this.registerHandler = { method: 'REGISTER', handle: (req, ctx) => this.register(req, ctx.flow) };
    this.scheduleSweep();
  }

  /**
   * The unexpired bindings of an AOR (canonical form, see canonicalAor) as request targets, best first:
   * q descending, then most recently updated. Each target prefers the flow the REGISTER came on.
   */
  async lookup(aor: string): Promise<RegisteredContact[]> {
    return registeredContacts(await this.store.listByAor(aor), this.clock.now(), this.log);
  }

  /**
   * After a restart: removes the bindings that expired while the server was down, telling listeners,
   * and resolves when done. The periodic sweep runs anyway; this just does not wait for it.
   */
  async recover(): Promise<void> {
    await this.sweep();
  }

  /** Stops the expiry sweep and resolves once the REGISTERs and sweep in progress are done. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping;
    await this.queue.drain();
  }

  /** RFC 3261 §10.3 steps 1-8. */
  private register(req: SipRequest, flow: Flow): Promise<SipResponse> {
    const domain = registrarDomain(req, this.identity); // steps 1-2
    // RFC 3261 §10.3: REGISTERs MUST be processed in the order received, each atomically: one queue
    // per AOR, entered before the (possibly slow) authorisation so that it cannot reorder them.
    return this.queue.run(queueKey(req, this.identity), async () => {
      await this.authorize?.(req); // steps 3-4
      const reg = readRegister(req, flow, domain, this.identity, this.intervals); // steps 5-7, checks
      const now = this.clock.now();
      const current = (await this.guard(this.store.listByAor(reg.aor))).filter((b) => b.expiresAt > now);
      const { bindings, changed } = applyRegister(current, reg, now, this.maxBindings); // steps 6-7
      if (changed) {
        // §10.3 step 7: commit all or nothing; a failed commit MUST fail the request with 500.
        await this.guard(this.store.replaceAor(reg.aor, bindings));
        this.log.debug({ aor: reg.aor, bindings: bindings.length }, 'bindings updated');
        this.notify(reg.aor, bindings);
      }
      return registerOk(req, bindings, reg.outbound, now); // step 8
    });
  }

  /** A store failure fails the REGISTER with 500 (RFC 3261 §10.3 step 7) and is logged. */
  private async guard<T>(op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch (err) {
      this.log.error({ err }, 'binding store failed');
      throw new SipError(500, 'Server Internal Error: bindings could not be stored');
    }
  }

  private notify(aor: string, bindings: readonly BindingRecord[]): void {
    try {
      this.onChange?.(aor, bindings);
    } catch (err) {
      this.log.error({ err, aor }, 'bindings listener failed');
    }
  }

  private scheduleSweep(): void {
    if (this.closed) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.sweeping = this.sweep().finally(() => {
        this.sweeping = undefined;
        this.scheduleSweep();
      });
    }, this.sweepIntervalMs);
  }

  /** Removes every expired binding, each AOR under its queue, re-reading it so a refresh is never lost. */
  private async sweep(): Promise<void> {
    let expired: BindingRecord[];
    try {
      expired = await this.store.listExpired(this.clock.now());
    } catch (err) {
      this.log.error({ err }, 'expiry sweep could not list bindings');
      return;
    }
    const aors = new Set(expired.map((b) => b.aor));
    await Promise.all([...aors].map((aor) => this.queue.run(aor, () => this.dropExpired(aor))));
  }

  private async dropExpired(aor: string): Promise<void> {
    try {
      const now = this.clock.now();
      const stored = await this.store.listByAor(aor);
      const live = stored.filter((b) => b.expiresAt > now);
      if (live.length === stored.length) return;
      await this.store.replaceAor(aor, live);
      this.log.debug({ aor, expired: stored.length - live.length }, 'bindings expired');
      this.notify(aor, live);
    } catch (err) {
      this.log.error({ err, aor }, 'expiry sweep could not remove bindings');
    }
  }
}

/** The AOR of the To URI when it is one, else the To text: the key REGISTERs are serialised under. */
function queueKey(req: SipRequest, identity: LocalIdentity): string {
  const to = req.tryHeader(ToHeader);
  return (to.ok && to.value && canonicalAor(to.value.uri, identity)) || (req.headers.get('To') ?? '');
}
