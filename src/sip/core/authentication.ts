import { AddressSet } from '../../util/cidr.js';
import { silentLogger } from '../../util/logger.js';
import type { Logger } from '../../util/logger.js';
import type { DigestAuthenticator } from '../auth/digest-server.js';
import { formatUri } from '../message/format.js';
import type { SipRequest } from '../message/message.js';
import { SipError } from '../message/sip-error.js';
import type { NameAddr } from '../message/types.js';
import { FromHeader, ToHeader } from '../parser/headers/from-to.js';
import { PAssertedIdentityHeader } from '../parser/headers/p-asserted-identity.js';
import { PrivacyHeader } from '../parser/headers/privacy.js';
import type { Flow } from '../transport/types.js';
import { canonicalAor } from './aor.js';
import type { LocalIdentity } from './local-identity.js';

/** The identity of an anonymous request (RFC 3323 §4.1.1.3). */
export const ANONYMOUS_IDENTITY = 'sip:anonymous@anonymous.invalid';

/** Who sent a request, as far as this server can tell (issue 4 item 5). */
export interface RequestIdentity {
  /** The canonical AOR acting, or {@link ANONYMOUS_IDENTITY}. */
  identity: string;
  /** True when a digest challenge was answered (RFC 3261 §22) by a subscriber owning `identity`. */
  authenticated: boolean;
  /** True when `identity` came from the P-Asserted-Identity of a trusted peer (RFC 3325 §6). */
  asserted: boolean;
  /** True for a request asking for anonymity: Privacy: id (RFC 3325 §9.3) or an anonymous From (RFC 3323). */
  anonymous: boolean;
}

/** The subscriber data the policy needs besides the HA1 values its authenticator looks up. */
export interface SubscriberIdentities {
  /** Every identity (canonical AOR, primary first) of the subscriber with this digest username, or undefined. */
  identitiesOf(username: string, realm: string): Promise<readonly string[] | undefined>;
}

/** Options of {@link AuthenticationPolicy}. */
export interface AuthenticationPolicyOptions {
  /** `digest` challenges our users' REGISTER, PUBLISH and SUBSCRIBE; `none` believes the From (lab networks). */
  mode: 'digest' | 'none';
  /** Our domains and addresses: whose users are challenged, and canonical AORs. */
  identity: LocalIdentity;
  /** The digest verifier (realm, nonces, HA1 lookup); required in `digest` mode. */
  authenticator?: DigestAuthenticator;
  /** The identities of an authenticated user; required in `digest` mode. */
  subscribers?: SubscriberIdentities;
  /**
   * Networks (CIDR, or single addresses) of trusted peers, e.g. the S-CSCF: a request arriving from one
   * (by the source address of its flow) is not challenged, and its P-Asserted-Identity is believed.
   */
  trustedPeers?: readonly string[];
  logger?: Logger;
}

/** Methods whose sender is authenticated (issue 4 item 1); OPTIONS and the rest never are. */
const CHALLENGED = new Set(['REGISTER', 'PUBLISH', 'SUBSCRIBE']);

/**
 * Per-request outcomes, keyed by the request object itself and so gone with it: request-scoped data like
 * a header, not shared state (several servers in one process never see the same request object).
 */
const outcomes = new WeakMap<SipRequest, RequestIdentity>();

/** The identity {@link AuthenticationPolicy.authenticate} settled for a request, if it ran for it. */
export function identityOf(req: SipRequest): RequestIdentity | undefined {
  return outcomes.get(req);
}

/**
 * Who may do what (issue 4 items 1 and 5), the UAS core's authentication step (RFC 3261 §8.2: before
 * method inspection):
 *
 * - In `digest` mode REGISTER is always challenged (RFC 3261 §10.3 step 3), PUBLISH and SUBSCRIBE when
 *   their From is one of our domains' users (or a tel URI). The authenticated user must own the To AOR of
 *   a REGISTER (403 otherwise, §10.3 step 4); for PUBLISH and SUBSCRIBE the acting identity becomes the
 *   authenticated user's: the From when it is one of the user's identities, else the user's primary AOR.
 * - Requests from other domains' users are not challenged (we hold no credentials for them) and are
 *   identified by their From: such an identity is claimed, not verified, and rules granting it trust the
 *   claim (deploy trusted peers to have it asserted instead).
 * - A request from a trusted peer is not challenged; its P-Asserted-Identity names the sender (RFC 3325
 *   §6), else its From does. From anyone else P-Asserted-Identity is ignored (RFC 3325 §6: MUST NOT use).
 * - `Privacy: id` (RFC 3325 §9.3) or an anonymous From (RFC 3323 §4.1.1: `"Anonymous"` or
 *   `sip:anonymous@anonymous.invalid`) makes the request anonymous: its identity is
 *   {@link ANONYMOUS_IDENTITY}, after authentication when it was challenged.
 * - ACK and CANCEL are never challenged (RFC 3261 §22.1); the core does not call {@link authenticate}
 *   for them.
 *
 * The hooks are bound functions, ready to hand to the core, the notifier and the publication manager.
 */
export class AuthenticationPolicy {
  private readonly opts: AuthenticationPolicyOptions;
  private readonly trusted: AddressSet;
  private readonly log: Logger;

  /** @throws Error when `digest` mode lacks its authenticator or subscribers, or a trusted peer is no CIDR. */
  constructor(opts: AuthenticationPolicyOptions) {
    if (opts.mode === 'digest' && (!opts.authenticator || !opts.subscribers)) {
      throw new Error('digest authentication needs an authenticator and the subscribers');
    }
    this.opts = opts;
    this.trusted = new AddressSet(opts.trustedPeers ?? []);
    this.log = opts.logger ?? silentLogger;
  }

  /**
   * The UAS core's `authenticate` hook. Resolves undefined when authentication was skipped, the
   * authenticated identity when it succeeded, or the SipError to answer with: 401 with the challenges,
   * 400 for malformed credentials or From/To, 403 for a user acting for an AOR it does not own.
   */
  readonly authenticate = async (req: SipRequest, flow: Flow): Promise<{ identity: string } | SipError | undefined> => {
    if (!CHALLENGED.has(req.method)) return undefined;
    let claimed: RequestIdentity;
    try {
      claimed = this.classify(req, flow);
    } catch (err) {
      if (err instanceof SipError) return err;
      throw err;
    }
    const from = req.required(FromHeader);
    const challenge =
      this.opts.mode === 'digest' &&
      !this.trusted.has(flow.remoteAddress) &&
      (req.method === 'REGISTER' || this.opts.identity.isLocal(from.uri));
    if (!challenge) {
      outcomes.set(req, claimed);
      return undefined;
    }
    const outcome = await this.verify(req, from, claimed);
    if (outcome instanceof SipError) return outcome;
    outcomes.set(req, outcome);
    return { identity: outcome.identity };
  };

  /** The notifier's `watcherOf`: the identity acting in a SUBSCRIBE (issue 4 item 5). */
  readonly watcherOf = (req: SipRequest): string => this.outcome(req).identity;

  /** The publication manager's `publisherOf`: the identity acting in a PUBLISH. */
  readonly publisherOf = (req: SipRequest): string => this.outcome(req).identity;

  /** What {@link authenticate} settled for `req`, or, when it did not run, the unverified identity of its From. */
  outcome(req: SipRequest): RequestIdentity {
    return outcomes.get(req) ?? this.classify(req, undefined);
  }

  /** Digest verification (RFC 3261 §22.4) and the identity it gives; a SipError to answer with otherwise. */
  private async verify(req: SipRequest, from: NameAddr, claimed: RequestIdentity): Promise<RequestIdentity | SipError> {
    const result = await this.opts.authenticator!.verify(req);
    if (!result.ok) return new SipError(result.status, result.reason, result.headers);
    const identities = await this.opts.subscribers!.identitiesOf(result.username, result.realm);
    if (!identities?.length) return new SipError(403, 'Forbidden: no such subscriber');
    if (req.method === 'REGISTER') {
      const to = req.required(ToHeader);
      const aor = canonicalAor(to.uri, this.opts.identity);
      // RFC 3261 §10.3 step 4: the authenticated user must be authorised to modify this AOR's bindings.
      if (aor === undefined || !identities.includes(aor)) {
        this.log.info({ username: result.username, aor }, 'REGISTER for an AOR the user does not own');
        return new SipError(403, `Forbidden: ${result.username} may not register ${aor ?? formatUri(to.uri)}`);
      }
      return { identity: aor, authenticated: true, asserted: false, anonymous: false };
    }
    const fromAor = canonicalAor(from.uri, this.opts.identity);
    const own = fromAor !== undefined && identities.includes(fromAor) ? fromAor : identities[0]!;
    return { identity: claimed.anonymous ? ANONYMOUS_IDENTITY : own, authenticated: true, asserted: false, anonymous: claimed.anonymous };
  }

  /**
   * The identity a request claims, without authentication: the P-Asserted-Identity of a trusted peer,
   * else the From; anonymous when it asks for privacy.
   * @throws SipError 400 for a malformed From or Privacy, or a malformed P-Asserted-Identity from a
   *   trusted peer.
   */
  private classify(req: SipRequest, flow: Flow | undefined): RequestIdentity {
    const from = req.required(FromHeader);
    // RFC 3325 §9.3 (Privacy: id) and RFC 3323 §4.1.1 (the recommended anonymous From).
    const anonymous = req.header(PrivacyHeader)?.includes('id') === true || isAnonymousFrom(from);
    // RFC 3325 §6: P-Asserted-Identity is used only when the previous hop is trusted.
    const asserted = flow && this.trusted.has(flow.remoteAddress) ? this.assertedIdentity(req) : undefined;
    if (anonymous) return { identity: ANONYMOUS_IDENTITY, authenticated: false, asserted: asserted !== undefined, anonymous };
    if (asserted !== undefined) return { identity: asserted, authenticated: false, asserted: true, anonymous };
    const identity = canonicalAor(from.uri, this.opts.identity) ?? formatUri(from.uri);
    return { identity, authenticated: false, asserted: false, anonymous };
  }

  /** The canonical AOR of the P-Asserted-Identity (its sip or sips URI before its tel URI), if any. */
  private assertedIdentity(req: SipRequest): string | undefined {
    const values = req.header(PAssertedIdentityHeader);
    if (!values) return undefined;
    const ordered = [...values].sort((a, b) => rank(a) - rank(b));
    for (const v of ordered) {
      const aor = canonicalAor(v.uri, this.opts.identity);
      if (aor !== undefined) return aor;
    }
    return undefined;
  }
}

/** sip and sips URIs first, then tel (RFC 3325 §9.1 allows one of each). */
function rank(v: NameAddr): number {
  return v.uri.scheme === 'tel' ? 1 : 0;
}

/** RFC 3323 §4.1.1.1 and §4.1.1.3: the display name "Anonymous" or the URI sip:anonymous@anonymous.invalid. */
function isAnonymousFrom(from: NameAddr): boolean {
  if (from.displayName?.trim().toLowerCase() === 'anonymous') return true;
  const uri = from.uri;
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return false;
  const { user, host } = uri as { user?: string; host: string };
  return user?.toLowerCase() === 'anonymous' && host.toLowerCase() === 'anonymous.invalid';
}
