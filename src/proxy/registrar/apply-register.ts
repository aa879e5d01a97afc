import { SipError } from '../../sip/message/sip-error.js';
import { equivalentUris } from '../../sip/parser/uri-equivalence.js';
import { parseUri } from '../../sip/parser/uri.js';
import type { BindingRecord } from '../../store/ports.js';
import type { ContactUpdate, RegisterRequest } from './register-request.js';

/** The bindings of an AOR after a REGISTER. */
export interface AppliedRegister {
  /** Every current binding, oldest update first. */
  readonly bindings: BindingRecord[];
  /** False when the REGISTER changed nothing (a query, or removals of unknown contacts). */
  readonly changed: boolean;
}

/**
 * Applies a checked REGISTER to the current (unexpired) bindings of its AOR, RFC 3261 §10.3 steps 6-7,
 * without touching the store: the caller commits the result in one step (step 7: all or nothing).
 *
 * A binding is found by instance-id and reg-id when the Contact has both (RFC 5626 §6, whatever its
 * URI), else by Contact URI under the comparison rules of RFC 3261 §19.1.4 among the bindings keyed by
 * URI. A binding with the request's Call-ID and a CSeq not below the request's aborts the whole request
 * (out of order). When one REGISTER names the same binding twice, the later Contact wins. `now` is in ms.
 *
 * @throws SipError 500 on an out-of-order REGISTER (§10.3 steps 6-7: the request fails; step 7 names
 * 500 for a failed update), 403 when the REGISTER would raise the AOR above `maxBindings`.
 */
export function applyRegister(
  current: readonly BindingRecord[],
  reg: RegisterRequest,
  now: number,
  maxBindings: number,
): AppliedRegister {
  if (reg.contacts === 'query') return { bindings: [...current], changed: false };
  if (reg.contacts === 'all') {
    // RFC 3261 §10.3 step 6: remove each binding unless its Call-ID agrees and the CSeq is not higher.
    for (const b of current) checkOrder(b, reg);
    return { bindings: [], changed: current.length > 0 };
  }
  const bindings = [...current];
  const fresh = new Set<BindingRecord>();
  let changed = false;
  for (const u of reg.contacts) {
    const at = bindings.findIndex((b) => sameBinding(b, u));
    if (at >= 0) {
      // §10.3 step 7: same Call-ID needs a higher CSeq; a binding made by this very request is replaced.
      if (!fresh.has(bindings[at]!)) checkOrder(bindings[at]!, reg);
      bindings.splice(at, 1);
      changed = true;
    }
    if (u.expires > 0) {
      const b = record(reg, u, now);
      fresh.add(b);
      bindings.push(b);
      changed = true;
    }
  }
  if (bindings.length > maxBindings && bindings.length > current.length) {
    throw new SipError(403, `Forbidden: at most ${maxBindings} bindings per address-of-record`);
  }
  return { bindings, changed };
}

/** RFC 3261 §10.3 steps 6-7: with the same Call-ID, only a higher CSeq may update or remove a binding. */
function checkOrder(b: BindingRecord, reg: RegisterRequest): void {
  if (b.callId === reg.callId && reg.cseq <= b.cseq) {
    throw new SipError(500, 'Server Internal Error: out-of-order REGISTER (CSeq not above the binding\'s)');
  }
}

function sameBinding(b: BindingRecord, u: ContactUpdate): boolean {
  // RFC 5626 §6: a Contact with instance-id and reg-id binds that pair; its URI is not compared.
  if (u.regId !== undefined) return b.regId === u.regId && b.instance === u.instance;
  if (b.regId !== undefined) return false;
  // RFC 3261 §10.3 step 7: "searches the list of current bindings using the URI comparison rules".
  const stored = parseUri(b.contact);
  return stored.ok ? equivalentUris(stored.value, u.uri) : b.contact === u.contact;
}

function record(reg: RegisterRequest, u: ContactUpdate, now: number): BindingRecord {
  // §10.3 step 7: each binding records the Call-ID and CSeq; RFC 5626 §6: the Contact with all its
  // parameters, the Path and the flow.
  const b: BindingRecord = {
    aor: reg.aor,
    contact: u.contact,
    contactHeader: u.contactHeader,
    callId: reg.callId,
    cseq: reg.cseq,
    expiresAt: now + u.expires * 1000,
    updatedAt: now,
    path: [...reg.path],
  };
  if (u.instance !== undefined) b.instance = u.instance;
  if (u.regId !== undefined) b.regId = u.regId;
  if (u.q !== undefined) b.q = u.q;
  if (reg.flow !== undefined) b.flow = { ...reg.flow };
  if (reg.userAgent !== undefined) b.userAgent = reg.userAgent;
  return b;
}
