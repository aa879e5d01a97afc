import { FakeClock } from '../../../../src/util/clock.js';
import { HeaderList } from '../../../../src/sip/message/headers.js';
import { SipRequest } from '../../../../src/sip/message/message.js';
import type { SipResponse } from '../../../../src/sip/message/message.js';
import { createResponse } from '../../../../src/sip/message/response.js';
import { serialize } from '../../../../src/sip/message/serialize.js';
import { parseMessage } from '../../../../src/sip/parser/parse-message.js';
import { DigestAuthenticator } from '../../../../src/sip/auth/digest-server.js';
import type { AuthResult, DigestAuthenticatorOptions } from '../../../../src/sip/auth/digest-server.js';
import { ha1 } from '../../../../src/util/digest/digest.js';
import type { DigestAlgorithm } from '../../../../src/util/digest/digest.js';

/** Shared fixtures of the Digest tests: realm example.com, user alice with password "wonderland". */

export const REALM = 'example.com';
export const ALICE = { username: 'alice', password: 'wonderland' };

export interface Server {
  auth: DigestAuthenticator;
  clock: FakeClock;
  lookups: Array<[string, string, DigestAlgorithm]>;
}

export function server(opts: Partial<DigestAuthenticatorOptions> = {}): Server {
  const clock = new FakeClock();
  const lookups: Array<[string, string, DigestAlgorithm]> = [];
  const auth = new DigestAuthenticator({
    realm: REALM,
    secret: Buffer.alloc(32, 1),
    clock,
    async lookupHa1(username, realm, algorithm) {
      lookups.push([username, realm, algorithm]);
      return username === ALICE.username && realm === REALM ? ha1(username, realm, ALICE.password, algorithm) : undefined;
    },
    ...opts,
  });
  return { auth, clock, lookups };
}

let cseq = 1;

/** A request as a user agent sends it (over the wire: serialised and parsed again). */
export function request(method = 'SUBSCRIBE', uri = 'sip:bob@example.com'): SipRequest {
  const headers = new HeaderList();
  headers.append('Via', `SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK${cseq}`);
  headers.append('From', '<sip:alice@example.com>;tag=a1');
  headers.append('To', '<sip:bob@example.com>');
  headers.append('Call-ID', 'call-1@127.0.0.1');
  headers.append('CSeq', `${cseq++} ${method}`);
  headers.append('Max-Forwards', '70');
  return wire(new SipRequest(method, uri, headers)) as SipRequest;
}

/** Serialises and parses a message, as the peer would see it. */
export function wire<T extends SipRequest | SipResponse>(msg: T): T {
  const r = parseMessage(serialize(msg));
  if (!r.ok) throw new Error(`${r.status} ${r.defect}`);
  return r.message as T;
}

/** The 401/407 a server sends for a failed verification, as the client receives it. */
export function challengeResponse(req: SipRequest, result: AuthResult): SipResponse {
  if (result.ok) throw new Error('expected a failure');
  const res = createResponse(req, result.status, result.reason);
  for (const [name, value] of result.headers) res.headers.append(name, value);
  return wire(res);
}
