import type { MethodHandler } from '../../sip/core/user-agent-core.js';
import type { SipRequest, SipResponse } from '../../sip/message/message.js';
import { createResponse } from '../../sip/message/response.js';
import type { TransportName } from '../../sip/transport/types.js';
import type { ClientSubscription } from './client-subscription.js';
import { keyOf } from './client-subscription.js';

/**
 * Routes incoming NOTIFYs among the {@link ClientSubscription}s of one user agent by Call-ID and To tag
 * (RFC 6665 §4.4.1), in constant time; a NOTIFY of no live subscription gets 481 (RFC 6665 §4.1.3).
 * Register {@link notifyHandler} with the UAS core of the user agent the subscriptions send from.
 */
export class SubscriberRegistry {
  private readonly byKey = new Map<string, ClientSubscription>();
  private readonly members = new Set<ClientSubscription>();
  /** How many members accept each content type (for the handler's Accept). */
  private readonly types = new Map<string, number>();
  private readonly acceptOf = new Map<ClientSubscription, string[]>();

  /**
   * The NOTIFY handler. Its `accept` is the union of the members' Accept types, so the UAS core answers
   * a body of another type with 415 (also when the NOTIFY matches no member: RFC 6665 §4.1.3 allows a
   * more fitting 4xx than 481).
   */
  readonly notifyHandler: MethodHandler;

  constructor() {
    const types = this.types;
    this.notifyHandler = {
      method: 'NOTIFY',
      get accept() {
        return [...types.keys()];
      },
      handle: (req, ctx) => this.route(req, ctx.flow.transport),
    };
  }

  /** Adds a subscription (before or after its start()); it stays routed until removed. */
  add(sub: ClientSubscription): void {
    if (this.members.has(sub)) return;
    this.members.add(sub);
    const accept = [...new Set(sub.accept)];
    this.acceptOf.set(sub, accept);
    for (const t of accept) this.types.set(t, (this.types.get(t) ?? 0) + 1);
    sub.bindRegistry((s, previous) => this.rekey(s, previous));
    const key = sub.key;
    if (key !== undefined) this.byKey.set(key, sub);
  }

  /** Removes a subscription (its NOTIFYs then get 481). */
  remove(sub: ClientSubscription): void {
    if (!this.members.delete(sub)) return;
    sub.bindRegistry(undefined);
    const key = sub.key;
    if (key !== undefined && this.byKey.get(key) === sub) this.byKey.delete(key);
    for (const t of this.acceptOf.get(sub) ?? []) {
      const n = (this.types.get(t) ?? 1) - 1;
      if (n > 0) this.types.set(t, n);
      else this.types.delete(t);
    }
    this.acceptOf.delete(sub);
  }

  /** Subscriptions added and not removed. */
  get size(): number {
    return this.members.size;
  }

  private route(req: SipRequest, transport: TransportName): SipResponse {
    const key = keyOf(req);
    const sub = key === undefined ? undefined : this.byKey.get(key);
    // RFC 6665 §4.1.3: a NOTIFY matching no outstanding subscription MUST get 481.
    if (!sub) return createResponse(req, 481, 'Subscription does not exist');
    return sub.handleNotify(req, transport);
  }

  private rekey(sub: ClientSubscription, previous: string | undefined): void {
    if (previous !== undefined && this.byKey.get(previous) === sub) this.byKey.delete(previous);
    const key = sub.key;
    if (key !== undefined) this.byKey.set(key, sub);
  }
}
