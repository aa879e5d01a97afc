import { randomToken } from '../../util/ids.js';
import type { HeaderGrammar } from '../message/headers.js';
import type { SipRequest, SipResponse } from '../message/message.js';
import { ProxyAuthenticateHeader, WWWAuthenticateHeader, digestChallenge } from '../parser/headers/authenticate.js';
import type { AuthValue, DigestChallenge } from '../parser/headers/authenticate.js';
import { AuthorizationHeader, ProxyAuthorizationHeader, formatDigestCredentials } from '../parser/headers/authorization.js';
import { DIGEST_ALGORITHMS, ha1, hashUsername, isDigestAlgorithm, requestDigest } from '../../util/digest/digest.js';
import type { DigestAlgorithm, DigestQop } from '../../util/digest/digest.js';

/**
 * Client side of SIP Digest authentication (RFC 3261 §22.2-§22.3, RFC 7616 §3.4, §3.6-§3.7) for
 * presenced's own user agents: answers a 401/407 by adding Authorization / Proxy-Authorization to the
 * request, and reuses the answered challenge for later requests (an authentication session, nonce-count
 * incremented per nonce).
 */

/** The user's secret: the password, or precomputed H(A1) values for one realm (see `ha1`). */
export type DigestClientCredentials =
  | {
      username: string;
      password: string;
      /** Only answer challenges of this realm; any realm when absent. */
      realm?: string;
    }
  | {
      username: string;
      /** The realm the H(A1) values were computed for; other realms are not answered. */
      realm: string;
      /** H(username ":" realm ":" password) per algorithm, lower-case hex. */
      ha1: Partial<Record<DigestAlgorithm, string>>;
    };

/** One answered challenge: what later credentials for its realm are computed from. */
interface Session {
  challenge: DigestChallenge & { algorithm: DigestAlgorithm };
  qop: DigestQop | undefined;
  ha1: string;
  /** Last nonce-count sent with this nonce. */
  nc: number;
}

interface Kind {
  challenges: HeaderGrammar<AuthValue[]>;
  credentials: HeaderGrammar<AuthValue[]>;
}

// A 401 carries WWW-Authenticate (answered with Authorization) and possibly Proxy-Authenticate;
// a 407 carries Proxy-Authenticate (answered with Proxy-Authorization) (RFC 3261 §20.27, §20.44).
const KINDS: readonly Kind[] = [
  { challenges: WWWAuthenticateHeader, credentials: AuthorizationHeader },
  { challenges: ProxyAuthenticateHeader, credentials: ProxyAuthorizationHeader },
];

const MAX_SESSIONS = 16;
const MAX_NC = 0xffffffff;

/**
 * Answers 401/407 challenges for one user (RFC 3261 §22.2): `authorize` adds credentials for a
 * challenge response, `preauthorize` reuses an answered challenge with the next nonce-count.
 */
export class DigestClient {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly credentials: DigestClientCredentials) {}

  /**
   * Adds credentials to `req` for every realm challenged in `challengeResponse` (a 401 or 407 to `req`):
   * per realm, the challenge with the strongest algorithm this client computes (SHA-256 over MD5;
   * RFC 7616 §3.7), with qop=auth when offered (auth-int otherwise; none for an RFC 2069 challenge), a
   * fresh cnonce and the next nonce-count. Credentials `req` already had for that realm are replaced.
   *
   * Returns false when no challenge is usable: other schemes or algorithms, other realms, only qop
   * values this client does not know, or a challenge without stale=true for a realm `req` already had
   * credentials for (RFC 3261 §22.1: a UAC MUST NOT re-attempt with credentials just rejected).
   *
   * The caller then sends `req` as a new transaction: RFC 3261 §22.2 requires an incremented CSeq (and
   * a new Via branch).
   */
  authorize(req: SipRequest, challengeResponse: SipResponse): boolean {
    let added = false;
    for (const kind of KINDS) {
      for (const challenge of this.pick(challengeResponse, kind)) {
        const key = `${kind.credentials.name}\n${challenge.realm}`;
        // RFC 3261 §22.1: a UAC MUST NOT re-attempt with credentials just rejected (unless the nonce was stale).
        if (!challenge.stale && this.hadCredentials(req, kind, challenge.realm)) {
          this.sessions.delete(key);
          continue;
        }
        const old = this.sessions.get(key);
        const session: Session =
          old && old.challenge.nonce === challenge.nonce && old.challenge.algorithm === challenge.algorithm
            ? old
            : { challenge, qop: chooseQop(challenge.qop), ha1: this.ha1For(challenge), nc: 0 };
        this.remember(key, session);
        if (this.addCredentials(req, kind, session)) added = true;
      }
    }
    return added;
  }

  /**
   * Adds credentials from the challenges answered before (RFC 7616 §3.6: the Authorization header MAY
   * be included preemptively) for every realm this client holds a session for, with the next
   * nonce-count. Returns false when there is none. A server that finds the nonce stale answers with a
   * stale challenge, which {@link authorize} then accepts.
   */
  preauthorize(req: SipRequest): boolean {
    let added = false;
    for (const kind of KINDS) {
      for (const [key, session] of this.sessions) {
        if (key.startsWith(`${kind.credentials.name}\n`) && this.addCredentials(req, kind, session)) added = true;
      }
    }
    return added;
  }

  /** The best usable Digest challenge per realm in `res`, in the order the realms first appear. */
  private pick(res: SipResponse, kind: Kind): Array<Session['challenge']> {
    const best = new Map<string, Session['challenge']>();
    // Line by line, so one malformed challenge (e.g. from another proxy) does not hide the others.
    for (const line of res.headers.getAll(kind.challenges.name)) {
      const parsed = kind.challenges.parse([line]);
      if (!parsed.ok) continue;
      for (const value of parsed.value) {
        const d = digestChallenge(value);
        if (!d.ok || !this.usable(d.value)) continue;
        const c = d.value as Session['challenge'];
        const current = best.get(c.realm);
        if (!current || rank(c.algorithm) < rank(current.algorithm)) best.set(c.realm, c);
      }
    }
    return [...best.values()];
  }

  private usable(c: DigestChallenge): boolean {
    const creds = this.credentials;
    if (!isDigestAlgorithm(c.algorithm)) return false;
    if (creds.realm !== undefined && c.realm !== creds.realm) return false;
    if ('ha1' in creds && creds.ha1[c.algorithm] === undefined) return false;
    return c.qop === undefined || chooseQop(c.qop) !== undefined;
  }

  private ha1For(c: Session['challenge']): string {
    const creds = this.credentials;
    return 'ha1' in creds ? creds.ha1[c.algorithm]! : ha1(creds.username, c.realm, creds.password, c.algorithm);
  }

  /** True when `req` carries credentials of `kind` for `realm`. */
  private hadCredentials(req: SipRequest, kind: Kind, realm: string): boolean {
    return req.headers.getAll(kind.credentials.name).some((line) => credentialsRealm(kind, line) === realm);
  }

  private remember(key: string, session: Session): void {
    this.sessions.delete(key);
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(key, session);
  }

  /** Replaces `req`'s credentials for the session's realm with new ones; false when nc is exhausted. */
  private addCredentials(req: SipRequest, kind: Kind, session: Session): boolean {
    const { challenge, qop } = session;
    if (session.nc >= MAX_NC) return false;
    session.nc++;
    const nc = session.nc.toString(16).padStart(8, '0');
    const cnonce = randomToken(24);
    const response = requestDigest({
      algorithm: challenge.algorithm,
      ha1: session.ha1,
      method: req.method,
      uri: req.uri,
      nonce: challenge.nonce,
      ...(qop ? { qop, nc, cnonce, body: req.body } : {}),
    });
    const username = this.credentials.username;
    const value = formatDigestCredentials({
      // RFC 7616 §3.4.4: with userhash=true the client MUST send H(username ":" realm).
      username: challenge.userhash ? hashUsername(username, challenge.realm, challenge.algorithm) : username,
      userhash: challenge.userhash,
      realm: challenge.realm,
      nonce: challenge.nonce,
      uri: req.uri,
      response,
      algorithm: challenge.algorithm,
      // RFC 3261 §22.4 item 8: a qop in the challenge MUST be answered with qop (and then nc, cnonce).
      ...(qop ? { qop, nc, cnonce } : {}),
      // RFC 7616 §3.4: opaque is returned unchanged.
      ...(challenge.opaque !== undefined ? { opaque: challenge.opaque } : {}),
    });
    const name = kind.credentials.name;
    const others = req.headers.getAll(name).filter((line) => credentialsRealm(kind, line) !== challenge.realm);
    req.headers.removeAll(name);
    for (const line of others) req.headers.append(name, line);
    req.headers.append(name, value);
    return true;
  }
}

/** Rank of an algorithm in order of strength (0 strongest). */
function rank(algorithm: DigestAlgorithm): number {
  return DIGEST_ALGORITHMS.indexOf(algorithm);
}

/** qop=auth when offered, else auth-int; undefined when neither is offered (or for no qop at all). */
function chooseQop(offered: readonly string[] | undefined): DigestQop | undefined {
  if (offered?.includes('auth')) return 'auth';
  if (offered?.includes('auth-int')) return 'auth-int';
  return undefined;
}

/** The realm of the first Digest credentials on a line, or undefined. */
function credentialsRealm(kind: Kind, line: string): string | undefined {
  const parsed = kind.credentials.parse([line]);
  if (!parsed.ok) return undefined;
  return parsed.value.find((v) => v.scheme.toLowerCase() === 'digest')?.params.get('realm');
}
