import type { Logger } from 'pino';
import { uriTarget } from '../../sip/dialog/uri-target.js';
import { parseUri } from '../../sip/parser/uri.js';
import type { SendTarget, TransportName } from '../../sip/transport/types.js';
import type { BindingRecord } from '../../store/ports.js';

/** A binding as a target for requests to its AOR (RFC 3261 §16.5 target set, RFC 5626 §7). */
export interface RegisteredContact {
  /** The Contact URI: the Request-URI of a request to this binding. */
  contact: string;
  /**
   * Where to send it: over the flow the REGISTER came on when the registrar stored one (RFC 5626 §7:
   * the co-located proxy MUST use that flow; its `flowId` selects the connection or UDP socket), else to
   * the Contact URI's host (RFC 3263 A/AAAA only, see uriTarget).
   */
  target: SendTarget;
  /** Path vector to preload as Route, in order (RFC 3327 §5.4). */
  path: string[];
  /** When the binding expires (ms). */
  expiresAt: number;
  /** +sip.instance: a proxy forks to at most one contact per instance (RFC 5626 §7). */
  instance?: string;
  regId?: number;
  q?: number;
}

const TRANSPORTS: ReadonlySet<string> = new Set<TransportName>(['UDP', 'TCP', 'TLS', 'WS', 'WSS', 'LOOP']);

/**
 * The unexpired bindings (`expiresAt > now`, ms) as request targets, ordered by q descending (an absent
 * q ranks as 1.0) and, within equal q, most recently updated first. A binding without a usable flow
 * whose Contact URI gives no target (not sip/sips, unknown transport, unresolvable name) is left out
 * and logged at debug level.
 */
export async function registeredContacts(
  bindings: readonly BindingRecord[],
  now: number,
  log: Logger,
): Promise<RegisteredContact[]> {
  const live = bindings
    .filter((b) => b.expiresAt > now)
    .sort((a, b) => (b.q ?? 1) - (a.q ?? 1) || b.updatedAt - a.updatedAt);
  const out: RegisteredContact[] = [];
  for (const b of live) {
    const target = await targetOf(b, log);
    if (!target) continue;
    const c: RegisteredContact = { contact: b.contact, target, path: [...b.path], expiresAt: b.expiresAt };
    if (b.instance !== undefined) c.instance = b.instance;
    if (b.regId !== undefined) c.regId = b.regId;
    if (b.q !== undefined) c.q = b.q;
    out.push(c);
  }
  return out;
}

async function targetOf(b: BindingRecord, log: Logger): Promise<SendTarget | undefined> {
  const { flow } = b;
  if (flow && TRANSPORTS.has(flow.transport)) {
    const t: SendTarget = { transport: flow.transport as TransportName, address: flow.address, port: flow.port };
    if (flow.flowId !== undefined) t.flowId = flow.flowId;
    return t;
  }
  const uri = parseUri(b.contact);
  try {
    if (!uri.ok) throw new Error(uri.defect);
    // RFC 3263 §4.1: UDP when the URI names no transport.
    return await uriTarget(uri.value, 'UDP');
  } catch (err) {
    log.debug({ err, aor: b.aor, contact: b.contact }, 'registered contact is unreachable');
    return undefined;
  }
}
