import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  formatEvent,
  formatMediaType,
  formatNameAddr,
  formatParams,
  formatSubscriptionState,
  formatUri,
  formatVia,
} from '../../../../src/sip/message/format.js';
import { HeaderList } from '../../../../src/sip/message/headers.js';
import type { HeaderGrammar } from '../../../../src/sip/message/headers.js';
import type { NameAddr } from '../../../../src/sip/message/types.js';
import { parseMessage } from '../../../../src/sip/parser/parse-message.js';
import { quote } from '../../../../src/sip/parser/scanner.js';
import { parseUri } from '../../../../src/sip/parser/uri.js';
import { AcceptHeader } from '../../../../src/sip/parser/headers/accept.js';
import { ProxyAuthenticateHeader, WWWAuthenticateHeader, formatChallenge } from '../../../../src/sip/parser/headers/authenticate.js';
import { AuthorizationHeader, ProxyAuthorizationHeader, formatCredentials } from '../../../../src/sip/parser/headers/authorization.js';
import { CallIdHeader } from '../../../../src/sip/parser/headers/call-id.js';
import { ContactHeader } from '../../../../src/sip/parser/headers/contact.js';
import { ContentEncodingHeader } from '../../../../src/sip/parser/headers/content-encoding.js';
import { ContentLengthHeader } from '../../../../src/sip/parser/headers/content-length.js';
import { ContentTypeHeader } from '../../../../src/sip/parser/headers/content-type.js';
import { CSeqHeader } from '../../../../src/sip/parser/headers/cseq.js';
import { SipETagHeader, SipIfMatchHeader } from '../../../../src/sip/parser/headers/etag.js';
import { AllowEventsHeader, EventHeader } from '../../../../src/sip/parser/headers/event.js';
import { ExpiresHeader, MinExpiresHeader } from '../../../../src/sip/parser/headers/expires.js';
import { FromHeader, ToHeader } from '../../../../src/sip/parser/headers/from-to.js';
import { MaxForwardsHeader } from '../../../../src/sip/parser/headers/max-forwards.js';
import {
  AllowHeader,
  ProxyRequireHeader,
  RequireHeader,
  SupportedHeader,
  UnsupportedHeader,
} from '../../../../src/sip/parser/headers/option-tags.js';
import { PAssertedIdentityHeader, PPreferredIdentityHeader } from '../../../../src/sip/parser/headers/p-asserted-identity.js';
import { PrivacyHeader } from '../../../../src/sip/parser/headers/privacy.js';
import { RetryAfterHeader } from '../../../../src/sip/parser/headers/retry-after.js';
import { PathHeader, RecordRouteHeader, RouteHeader, ServiceRouteHeader } from '../../../../src/sip/parser/headers/route.js';
import { SubscriptionStateHeader } from '../../../../src/sip/parser/headers/subscription-state.js';
import { ViaHeader } from '../../../../src/sip/parser/headers/via.js';
import { WarningHeader } from '../../../../src/sip/parser/headers/warning.js';

/** A grammar and how to write its value back as header lines. */
interface Writer {
  grammar: HeaderGrammar<unknown>;
  write(value: unknown): string[];
}

function writer<T>(grammar: HeaderGrammar<T>, write: (v: T) => string | string[]): Writer {
  return {
    grammar: grammar as HeaderGrammar<unknown>,
    write: (v) => {
      const out = write(v as T);
      return typeof out === 'string' ? [out] : out;
    },
  };
}

const nameAddrs = (v: NameAddr[]): string => v.map(formatNameAddr).join(', ');
const tokens = (v: string[]): string => v.join(', ');

const WRITERS: Writer[] = [
  writer(ViaHeader, (v) => v.map(formatVia).join(', ')),
  writer(FromHeader, formatNameAddr),
  writer(ToHeader, formatNameAddr),
  writer(CallIdHeader, (v) => v),
  writer(CSeqHeader, (v) => `${v.seq} ${v.method}`),
  writer(MaxForwardsHeader, String),
  writer(ContentLengthHeader, String),
  writer(ContentTypeHeader, formatMediaType),
  writer(ContactHeader, (v) => (v.star ? '*' : nameAddrs(v.contacts))),
  writer(RouteHeader, nameAddrs),
  writer(RecordRouteHeader, nameAddrs),
  writer(PathHeader, nameAddrs),
  writer(ServiceRouteHeader, nameAddrs),
  writer(PAssertedIdentityHeader, nameAddrs),
  writer(PPreferredIdentityHeader, nameAddrs),
  writer(ExpiresHeader, String),
  writer(MinExpiresHeader, String),
  writer(EventHeader, formatEvent),
  writer(AllowEventsHeader, tokens),
  writer(SubscriptionStateHeader, formatSubscriptionState),
  writer(SipETagHeader, (v) => v),
  writer(SipIfMatchHeader, (v) => v),
  writer(ContentEncodingHeader, tokens),
  writer(AcceptHeader, (v) => v.map(formatMediaType).join(', ')),
  writer(SupportedHeader, tokens),
  writer(RequireHeader, tokens),
  writer(ProxyRequireHeader, tokens),
  writer(UnsupportedHeader, tokens),
  writer(AllowHeader, tokens),
  writer(PrivacyHeader, (v) => v.join(';')),
  writer(WarningHeader, (v) => v.map((w) => `${w.code} ${w.agent} ${quote(w.text)}`).join(', ')),
  writer(RetryAfterHeader, (v) => `${v.seconds}${v.comment !== undefined ? ` (${v.comment})` : ''}${formatParams(v.params)}`),
  writer(WWWAuthenticateHeader, (v) => v.map(formatChallenge)),
  writer(ProxyAuthenticateHeader, (v) => v.map(formatChallenge)),
  writer(AuthorizationHeader, (v) => v.map(formatCredentials)),
  writer(ProxyAuthorizationHeader, (v) => v.map(formatCredentials)),
];

/** Values that exercise the writers beyond what the message corpus holds; each must parse. */
const EXTRA: Array<[string, string]> = [
  ['From', '"Doe, John \\"JD\\" \\\\ Sr." <sip:j%20d:secret@[2001:db8::1]:5061;transport=tls;maddr=192.0.2.1?Subject=hi&Priority=urgent>;tag=x'],
  ['From', '"" <sip:anon@anonymous.invalid>;tag=1'],
  ['To', 'Bob  Smith <tel:+1-201-555-0123;phone-context=example.com>'],
  ['To', 'sip:bob@example.com;tag=abc;flag'],
  ['To', '<urn:service:sos>'],
  ['Contact', '*'],
  ['Contact', '"Mr. Watson" <sip:watson@worcester.bell-telephone.com>;q=0.7; expires=3600, "Mr. Watson" <mailto:watson@bell-telephone.com> ;q=0.1'],
  ['Contact', '<sip:line1@192.0.2.2;transport=tcp>;reg-id=1;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"'],
  ['Contact', 'sip:alice@example.com;expires=99999999999999'],
  ['Route', '<sip:p1.example.com;lr>, "Edge Proxy" <sip:[::1]:5070;lr;transport=tcp>;x="a;b"'],
  ['Record-Route', '<sip:rr.example.com;lr;ftag=abc>'],
  ['Path', '<sip:P3.EXAMPLE.COM;lr>'],
  ['Service-Route', '<sip:HSP.HOME.EXAMPLE.COM;lr>'],
  ['P-Asserted-Identity', 'sip:+14085264000@cisco.com;user=phone, tel:+14085264000'],
  ['P-Preferred-Identity', '"Cullen" <sips:fluffy@cisco.com>'],
  ['Expires', '0'],
  ['Min-Expires', '4294967295'],
  ['Event', 'presence.winfo;id=7;Foo="bar baz"'],
  ['Allow-Events', 'presence, presence.winfo, dialog'],
  ['Subscription-State', 'Terminated;reason=Timeout;retry-after=20;x=y;flag'],
  ['Subscription-State', 'active;expires=99999999999999'],
  ['SIP-ETag', 'dx200xyz'],
  ['SIP-If-Match', 'kwj449x'],
  ['Content-Encoding', 'GZIP, deflate'],
  ['Accept', '*/*;q=0.1, text/*, application/pidf+xml;charset="UTF-8";q=0.500'],
  ['Accept', ''],
  ['Supported', ''],
  ['Supported', 'eventlist, 100rel'],
  ['Require', 'eventlist'],
  ['Proxy-Require', 'sec-agree'],
  ['Unsupported', 'foo'],
  ['Allow', 'INVITE, ACK, SUBSCRIBE'],
  ['Privacy', 'header;Session;id'],
  ['Warning', '307 isi.edu "Session parameter \'foo\' not understood", 399 [2001:db8::1]:5060 "a, b and \\"c\\""'],
  ['Retry-After', '120 (I\'m (really) in a meeting);duration=3600;x'],
  ['Retry-After', '949302838503028349304023988'],
  ['WWW-Authenticate', 'Digest realm="atlanta.com", nonce="84a4cc6f3082121f32b42a2187831a9e", algorithm=MD5, qop="auth"'],
  ['Proxy-Authenticate', 'Digest realm="biloxi.com", nonce="c60f3082ee1212b402a21831ae", stale=true'],
  ['Proxy-Authorization', 'Digest username="alice", realm="atlanta.com", nonce="c60f3082ee1212b402a21831ae", uri="sip:bob@biloxi.com", response="245f23415f11432b3434341c022"'],
  ['Content-Type', 'multipart/related;type="application/rlmi+xml";start="<nXYxAE@pres.vancouver.example.com>";boundary="50UBfW7LSCVLtggUPe5z"'],
];

function corpus(): HeaderList[] {
  const lists: HeaderList[] = [];
  const dirs = [
    join(process.cwd(), '..', 'shared', 'captures'),
    join(process.cwd(), 'test', 'conformance', 'fixtures', 'rfc4475'),
    join(process.cwd(), 'test', 'conformance', 'fixtures', 'rfc5118'),
  ];
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt') || n.endsWith('.dat'))) {
      const r = parseMessage(readFileSync(join(dir, f)));
      // Rejected messages still carry their header lines: every value that parses is worth a round trip.
      if (r.message) lists.push(r.message.headers);
    }
  }
  lists.push(new HeaderList(EXTRA.map(([n, v]) => HeaderList.field(n, v))));
  return lists;
}

test('parse(format(parse(x))) deep-equals parse(x) for every grammar over the corpus', () => {
  const checked = new Map<string, number>();
  for (const headers of corpus()) {
    for (const { grammar, write } of WRITERS) {
      // Each line on its own, and all lines of the header together.
      const lines = headers.getAll(grammar.name);
      for (const values of [...lines.map((v) => [v]), ...(lines.length > 1 ? [lines] : [])]) {
        const first = grammar.parse(values);
        if (!first.ok) continue;
        const written = write(first.value);
        const again = grammar.parse(written);
        assert.ok(again.ok, `${grammar.name}: ${written.join(' | ')} does not parse: ${again.ok ? '' : again.defect}`);
        assert.deepEqual(again.value, first.value, `${grammar.name}: ${values.join(' | ')} -> ${written.join(' | ')}`);
        checked.set(grammar.name, (checked.get(grammar.name) ?? 0) + 1);
      }
    }
  }
  for (const { grammar } of WRITERS) {
    assert.ok(checked.get(grammar.name), `no ${grammar.name} value in the corpus`);
  }
});

test('display names are written bare when they are tokens, quoted otherwise', () => {
  const uri = { scheme: 'sip' as const, host: 'example.com', params: new Map(), headers: [] };
  assert.equal(formatNameAddr({ displayName: 'Bob Smith', uri, params: new Map() }), 'Bob Smith <sip:example.com>');
  assert.equal(formatNameAddr({ displayName: 'Mr. Watson', uri, params: new Map() }), 'Mr. Watson <sip:example.com>');
  assert.equal(formatNameAddr({ displayName: 'Watson, Mr.', uri, params: new Map() }), '"Watson, Mr." <sip:example.com>');
  assert.equal(formatNameAddr({ displayName: 'BEL:\x07 NUL:\x00 DEL:\x7f', uri, params: new Map() }),
    '"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f" <sip:example.com>');
  assert.throws(() => formatNameAddr({ displayName: 'a\r\nVia: x', uri, params: new Map() }), RangeError);
  assert.equal(formatNameAddr({ displayName: 'Bob  Smith', uri, params: new Map() }), '"Bob  Smith" <sip:example.com>');
  assert.equal(formatNameAddr({ displayName: 'a "b" \\', uri, params: new Map() }), '"a \\"b\\" \\\\" <sip:example.com>');
  assert.equal(formatNameAddr({ displayName: '', uri, params: new Map() }), '"" <sip:example.com>');
  assert.equal(formatNameAddr({ uri, params: new Map([['tag', 'x'], ['lr', null]]) }), '<sip:example.com>;tag=x;lr');
});

test('URIs are written from their parts', () => {
  for (const text of [
    'sip:alice@atlanta.com',
    'sips:alice:secretword@atlanta.com;transport=tcp',
    'sip:+1-212-555-1212:1234@gateway.com;user=phone',
    'sip:alice@[2001:db8::10]:5070;lr?subject=project%20x&priority=urgent',
    'tel:+358-555-1234567;postd=pp22',
    'urn:service:sos',
  ]) {
    const u = parseUri(text);
    assert.ok(u.ok, text);
    assert.equal(formatUri(u.value), text);
  }
});

test('Via, Event, media types and Subscription-State from constructed values', () => {
  assert.equal(
    formatVia({ protocol: 'SIP/2.0', transport: 'TCP', host: '[::1]', port: 5070, params: new Map([['branch', 'z9hG4bK1'], ['rport', null]]) }),
    'SIP/2.0/TCP [::1]:5070;branch=z9hG4bK1;rport',
  );
  assert.equal(formatEvent({ package: 'presence', templates: ['winfo'], params: new Map([['id', '3']]) }), 'presence.winfo;id=3');
  assert.equal(formatMediaType({ type: 'application', subtype: 'pidf+xml', params: new Map() }), 'application/pidf+xml');
  assert.equal(formatSubscriptionState({ state: 'active', expires: 3600, params: new Map() }), 'active;expires=3600');
  assert.equal(
    formatSubscriptionState({ state: 'terminated', reason: 'noresource', retryAfter: 10, params: new Map([['x', null]]) }),
    'terminated;reason=noresource;retry-after=10;x',
  );
});
