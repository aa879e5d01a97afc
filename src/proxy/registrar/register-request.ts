import { canonicalAor } from '../../sip/core/aor.js';
import type { LocalIdentity } from '../../sip/core/local-identity.js';
import { formatNameAddr, formatUri } from '../../sip/message/format.js';
import type { SipRequest } from '../../sip/message/message.js';
import { SipError } from '../../sip/message/sip-error.js';
import type { ContactEntry, NameAddr, Uri } from '../../sip/message/types.js';
import { CallIdHeader } from '../../sip/parser/headers/call-id.js';
import { ContactHeader } from '../../sip/parser/headers/contact.js';
import { CSeqHeader } from '../../sip/parser/headers/cseq.js';
import { ExpiresHeader } from '../../sip/parser/headers/expires.js';
import { ToHeader } from '../../sip/parser/headers/from-to.js';
import { RequireHeader, SupportedHeader } from '../../sip/parser/headers/option-tags.js';
import { PathHeader } from '../../sip/parser/headers/route.js';
import { ViaHeader } from '../../sip/parser/headers/via.js';
import { parseUri } from '../../sip/parser/uri.js';
import type { Flow } from '../../sip/transport/types.js';
import type { BindingRecord } from '../../store/ports.js';
import { grantedInterval } from './registration-expiry.js';
import type { RegistrationIntervals } from './registration-expiry.js';

/** One Contact of a REGISTER, with the interval the registrar granted it. */
export interface ContactUpdate {
  /** The Contact URI, parsed, for the comparison rules of RFC 3261 §19.1.4. */
  readonly uri: Uri;
  /** The Contact URI as text. */
  readonly contact: string;
  /** The whole Contact value (name-addr and every parameter) as text. */
  readonly contactHeader: string;
  /** Granted interval in seconds; 0 removes the binding. */
  readonly expires: number;
  readonly instance?: string;
  /** reg-id, only when RFC 5626 outbound processing applies to this Contact (then `instance` is set). */
  readonly regId?: number;
  readonly q?: number;
}

/** What a REGISTER asks for, checked (RFC 3261 §10.3 steps 1, 5-7; RFC 3327 §5.3; RFC 5626 §6). */
export interface RegisterRequest {
  /** The canonical address-of-record (step 5). */
  readonly aor: string;
  readonly callId: string;
  readonly cseq: number;
  /**
   * `query`: no Contact, only list the bindings (step 6 skips to step 8); `all`: `Contact: *` with
   * `Expires: 0`, remove every binding; else the Contacts in request order.
   */
  readonly contacts: 'query' | 'all' | readonly ContactUpdate[];
  /** Path values in order (RFC 3327 §5.3), as name-addr text. */
  readonly path: readonly string[];
  /**
   * The flow to store with the bindings, when it leads toward the UA: the UA's own flow when we are its
   * first hop (RFC 5626 §6), or the flow from the proxy that put itself first in Path (RFC 3327 §5.4).
   */
  readonly flow?: BindingRecord['flow'];
  /** Whether the 200 carries `Require: outbound` (RFC 5626 §6). */
  readonly outbound: boolean;
  readonly userAgent?: string;
}

/**
 * RFC 3261 §10.3 steps 1-2 (the UAS core has made the §8.2 checks, Require included): the Request-URI
 * must name a domain we keep bindings for, and a Path needs the UA's support (RFC 3327 §5.3). A user
 * part in the Request-URI is tolerated (§10.2 forbids the UAC to send one; step 1 looks at the domain
 * only). Returns the domain in canonical-AOR form (our own addresses stand for the primary domain).
 *
 * @throws SipError 416 (not a sip/sips Request-URI), 404 (domain not ours), 420 with Unsupported: path.
 */
export function registrarDomain(req: SipRequest, identity: LocalIdentity): string {
  const r = parseUri(req.uri);
  if (!r.ok) throw new SipError(400, `Bad Request-URI: ${r.defect}`);
  const uri = r.value;
  if (!('host' in uri)) throw new SipError(416, 'Unsupported URI Scheme: a REGISTER addresses a SIP domain');
  if (!identity.isLocalHost(uri.host)) throw new SipError(404, 'Not Found: domain not served here');
  if (req.headers.has('Path') && !optionTags(req).has('path')) {
    // RFC 3327 §5.3: the recommended policy for a Path the UA did not declare support for.
    throw new SipError(420, 'Bad Extension: Path without Supported: path', [['Unsupported', 'path']]);
  }
  return domainOf(canonicalAor({ ...uri, user: 'registrar' }, identity)!);
}

/**
 * Reads and checks the rest of a REGISTER once {@link registrarDomain} accepted it and the UAC is
 * authorised, in the order of RFC 3261 §10.3: address-of-record (step 5), the RFC 5626 §6 outbound
 * checks, `Contact: *` (step 6) and the interval of each Contact (step 7). `flow` is the flow the
 * REGISTER arrived on.
 *
 * @throws SipError 404 (To is no AOR of `domain`), 439 (outbound asked through a first hop lacking it),
 * 400 (malformed headers, `*` misuse, several flows in one REGISTER), 423 with Min-Expires.
 */
export function readRegister(
  req: SipRequest,
  flow: Flow,
  domain: string,
  identity: LocalIdentity,
  intervals: RegistrationIntervals,
): RegisterRequest {
  const aor = addressOfRecord(req, identity, domain);
  const callId = req.required(CallIdHeader);
  const cseq = req.required(CSeqHeader).seq;
  const supported = optionTags(req);
  const pathValues = req.header(PathHeader) ?? [];

  // RFC 5626 §6: the registrar MUST check from the Via whether it is the first hop; if not, outbound
  // applies only when the first Path URI has an `ob` parameter.
  const firstHop = req.required(ViaHeader).length === 1;
  const outboundApplies = firstHop || hasOb(pathValues[0]);
  const list = req.header(ContactHeader);
  const expiresHeader = req.header(ExpiresHeader);

  let contacts: RegisterRequest['contacts'];
  let outbound = false;
  if (!list) {
    contacts = 'query';
  } else if (list.star) {
    // RFC 3261 §10.3 step 6: '*' only alone (the grammar checks) and only with Expires: 0.
    if (expiresHeader !== 0) throw new SipError(400, 'Bad Request: Contact * needs Expires: 0');
    contacts = 'all';
  } else {
    const asked = list.contacts;
    if (!outboundApplies && supported.has('outbound') && asked.some((c) => c.regId !== undefined)) {
      // RFC 5626 §6: reg-id and Supported: outbound through a first hop without outbound support.
      throw new SipError(439, 'First Hop Lacks Outbound Support');
    }
    // RFC 5626 §6: reg-id counts only with an instance-id and when outbound processing applies.
    const flowKeyed = (c: ContactEntry): boolean => outboundApplies && c.regId !== undefined && c.instance !== undefined;
    const requested = asked.map((c) => c.expires ?? expiresHeader ?? intervals.default);
    const lasting = asked.filter((_, i) => requested[i]! > 0);
    if (lasting.length > 1 && lasting.some(flowKeyed)) {
      // RFC 5626 §6: a REGISTER with a reg-id registers one flow; reject several non-zero Contacts.
      throw new SipError(400, 'Bad Request: a REGISTER with reg-id binds one Contact (RFC 5626 §6)');
    }
    contacts = asked.map((c, i) => contactUpdate(c, grantedInterval(requested[i]!, intervals), flowKeyed(c)));
    // RFC 5626 §6: Require: outbound in the 200 only when a reg-id was processed and the UA supports it.
    outbound = supported.has('outbound') && asked.some(flowKeyed);
  }

  const path = pathValues.map(formatNameAddr);
  const userAgent = req.headers.get('User-Agent');
  return {
    aor,
    callId,
    cseq,
    contacts,
    path,
    outbound,
    ...(firstHop || path.length ? { flow: storedFlow(flow) } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
  };
}

/**
 * RFC 3261 §10.3 step 5: the AOR is the To URI in canonical form (parameters dropped, escapes decoded);
 * one that is not valid for the Request-URI's domain MUST get 404.
 */
function addressOfRecord(req: SipRequest, identity: LocalIdentity, domain: string): string {
  const to = req.required(ToHeader).uri;
  const aor = to.scheme === 'sip' || to.scheme === 'sips' ? canonicalAor(to, identity) : undefined;
  if (aor === undefined || domainOf(aor) !== domain) {
    throw new SipError(404, 'Not Found: the To URI is no address-of-record of this domain');
  }
  return aor;
}

/** Option tags of Supported and Require: both declare what the UA supports. */
function optionTags(req: SipRequest): Set<string> {
  return new Set([...(req.header(SupportedHeader) ?? []), ...(req.header(RequireHeader) ?? [])]);
}

function domainOf(aor: string): string {
  return aor.slice(aor.lastIndexOf('@') + 1);
}

function hasOb(path: NameAddr | undefined): boolean {
  const uri = path?.uri;
  return uri !== undefined && 'host' in uri && uri.params.has('ob');
}

function contactUpdate(c: ContactEntry, expires: number, flowKeyed: boolean): ContactUpdate {
  return {
    uri: c.uri,
    contact: formatUri(c.uri),
    contactHeader: formatNameAddr(c),
    expires,
    ...(c.instance !== undefined ? { instance: c.instance } : {}),
    ...(flowKeyed ? { regId: c.regId! } : {}),
    ...(c.q !== undefined ? { q: c.q } : {}),
  };
}

/** RFC 5626 §6: what identifies the flow the REGISTER arrived on. */
function storedFlow(flow: Flow): NonNullable<BindingRecord['flow']> {
  return { transport: flow.transport, address: flow.remoteAddress, port: flow.remotePort, flowId: flow.id };
}
