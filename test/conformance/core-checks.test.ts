import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalIdentity } from '../../src/sip/core/local-identity.js';
import { checkRequest } from '../../src/sip/core/uas-checks.js';
import type { UasPolicy } from '../../src/sip/core/uas-checks.js';
import type { SipRequest } from '../../src/sip/message/message.js';
import { parseMessage } from '../../src/sip/parser/parse-message.js';
import { RFC4475_CASES } from './rfc4475-table.js';

// The RFC 4475 messages whose answer comes from the UAS core (RFC 3261 §8.2), run through `checkRequest`
// as presenced's core would see them. The RFC describes answers per role; `role` says which one the row
// plays: an endpoint serving example.com with INVITE (an SDP endpoint), or presenced as it is (a
// presence server without INVITE or REGISTER), or a server for another domain (so it would forward).

type Role = 'sdp-endpoint' | 'presence-server' | 'other-domain';

function policy(role: Role): UasPolicy {
  const identity = new LocalIdentity();
  if (role !== 'other-domain') identity.addDomain('example.com');
  identity.addDomain('presenced.test');
  const methods = role === 'sdp-endpoint' ? ['INVITE', 'ACK', 'OPTIONS', 'BYE', 'CANCEL'] : ['OPTIONS', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH'];
  return {
    methods,
    schemes: ['sip', 'sips', 'tel', 'pres'],
    supported: [],
    accept: (m) => (role === 'sdp-endpoint' && m === 'INVITE' ? ['application/sdp'] : []),
    isLocal: (uri) => identity.isLocal(uri),
    isOwnSentBy: (h, p, t) => identity.isOwnSentBy(h, p, t),
  };
}

/** Expected core answer per RFC 4475 case, with the role it is checked in; undefined = proceeds. */
const EXPECTED: ReadonlyArray<[name: string, role: Role, status: number | undefined]> = [
  ['intmeth', 'presence-server', 501], // §3.1.1.2: unknown method at an endpoint
  ['esc02', 'presence-server', 501], // §3.1.1.5: RE%47IST%45R is not REGISTER: unknown method
  ['mismatch02', 'presence-server', 501], // §3.1.2.18: 501 preferred over 400
  ['unkscm', 'presence-server', 416], // §3.3.2
  ['novelsc', 'presence-server', 416], // §3.3.3
  ['bext01', 'presence-server', 420], // §3.3.5: Require lists unknown tags
  ['invut', 'sdp-endpoint', 415], // §3.3.6: an INVITE endpoint answers 415
  ['invut', 'presence-server', 405], // ... one without INVITE answers 405 first (§8.2.1 before §8.2.3)
  ['regaut01', 'presence-server', 405], // §3.3.7: "Endpoints choosing not to act as registrars ... 405"
  ['zeromf', 'other-domain', 483], // §3.3.11: a server that would forward answers 483
  ['zeromf', 'presence-server', undefined], // ... an endpoint it addresses processes it
  ['cparam01', 'sdp-endpoint', 405], // §3.3.12: REGISTER at an endpoint that is no registrar
  ['inv2543', 'sdp-endpoint', undefined], // §3.4.1: RFC 2543 INVITE accepted
];

const fixtures = join(process.cwd(), 'test', 'conformance', 'fixtures', 'rfc4475');

for (const [name, role, status] of EXPECTED) {
  test(`rfc4475 ${name} at the UAS core (${role}): ${status ?? 'proceeds'}`, () => {
    assert.ok(RFC4475_CASES.some((c) => c.name === name && c.layer === 'core'), 'a core-layer case of the table');
    const r = parseMessage(readFileSync(join(fixtures, `${name}.dat`)));
    assert.ok(r.ok && r.message.kind === 'request');
    const rejection = checkRequest(r.message as SipRequest, policy(role));
    assert.equal(rejection?.status, status, rejection ? `${rejection.status} ${rejection.reason}` : 'no rejection');
    if (status === 420) assert.deepEqual(rejection!.headers, [['Unsupported', 'nothingsupportsthis, nothingsupportsthiseither']]);
    if (status === 405 || status === 501) assert.equal(rejection!.headers[0]![0], 'Allow');
  });
}
