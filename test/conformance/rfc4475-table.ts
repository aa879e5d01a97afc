import assert from 'node:assert/strict';
import { CallIdHeader } from '../../src/sip/parser/headers/call-id.js';
import { ContentTypeHeader } from '../../src/sip/parser/headers/content-type.js';
import { CSeqHeader } from '../../src/sip/parser/headers/cseq.js';
import { FromHeader, ToHeader } from '../../src/sip/parser/headers/from-to.js';
import { MaxForwardsHeader } from '../../src/sip/parser/headers/max-forwards.js';
import { scanNameAddr } from '../../src/sip/parser/name-addr.js';
import { runGrammar, unescapeUri } from '../../src/sip/parser/scanner.js';
import type { OtherUri } from '../../src/sip/message/types.js';
import type { TortureCase } from './torture.js';
import { nameAddr, request, requestUri, response, sip, vias } from './torture.js';

const r = (s: string, n: number): string => s.repeat(n);

/** RFC 4475 (SIP Torture Test Messages): every message of its Appendix A archive. */
export const RFC4475_CASES: readonly TortureCase[] = [
  // §3.1.1 Valid messages: all must parse.
  {
    name: 'wsinv', section: 'RFC 4475 §3.1.1.1', parses: true, layer: 'parser',
    note: 'Line folding, LWS around separators, escaped quotes, empty Subject, unknown headers and parameters, leading zeros: well formed.',
    check(m) {
      const req = request(m);
      assert.equal(req.method, 'INVITE');
      assert.deepEqual([...sip(requestUri(m)).params], [['unknownparam', null]]);
      const to = m.required(ToHeader);
      assert.equal(sip(to.uri).user, 'vivekg');
      assert.equal(sip(to.uri).host, 'chair-dnrc.example.com');
      assert.equal(to.params.get('tag'), '1918181833n');
      const from = m.required(FromHeader);
      assert.equal(from.displayName, 'J Rosenberg \\"');
      assert.equal(from.params.get('tag'), '98asjd8');
      assert.equal(m.header(MaxForwardsHeader), 68);
      assert.deepEqual(m.required(CSeqHeader), { seq: 9, method: 'INVITE' });
      assert.deepEqual(
        vias(m).map((v) => [v.protocol, v.transport, v.host, v.params.get('branch')]),
        [
          ['SIP/2.0', 'UDP', '192.0.2.2', '390skdjuw'],
          ['SIP/2.0', 'TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
          ['SIP/2.0', 'UDP', '192.168.255.111', 'z9hG4bK30239'],
        ],
      );
      assert.equal(m.headers.get('Subject'), '');
      assert.equal(m.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value');
      assert.equal(m.headers.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
      const route = nameAddr(m, 'Route');
      assert.deepEqual([...sip(route.uri).params], [['lr', null], ['unknownwith', 'value'], ['unknown-no-value', null]]);
      const contact = nameAddr(m, 'Contact');
      assert.equal(contact.displayName, 'Quoted string ""');
      assert.deepEqual([...contact.params], [['newparam', 'newvalue'], ['secondparam', null], ['q', '0.33']]);
      assert.equal(m.body.length, 150);
    },
  },
  {
    name: 'intmeth', section: 'RFC 4475 §3.1.1.2', parses: true, layer: 'core', status: 501,
    note: 'Every token character in the method, unusual URI characters, quoted-pair NUL/BEL/DEL, non-ASCII values: well formed. An endpoint answers 501 for the unknown method (a proxy 404 or forwards).',
    check(m) {
      const method = "!interesting-Method0123456789_*+`.%indeed'~";
      assert.equal(request(m).method, method);
      const ruri = sip(requestUri(m));
      assert.equal(ruri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      assert.equal(ruri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
      assert.equal(ruri.host, 'example.com');
      const to = m.required(ToHeader);
      assert.equal(to.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
      assert.equal(sip(to.uri).user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      const from = m.required(FromHeader);
      assert.equal(from.displayName, "token1~` token2'+_ token3*%!.-");
      assert.equal(from.params.get("fromparam''~+*_!.-%"), '"работающий"');
      assert.equal(from.params.get('tag'), "_token~1'+`*%!-.");
      assert.equal(m.header(CallIdHeader), 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
      assert.deepEqual(m.required(CSeqHeader), { seq: 139122385, method });
      assert.equal(vias(m)[0]!.params.get('branch'), "z9hG4bK-.!%66*_+`'~");
      assert.equal(m.headers.get("extensionHeader-!.%*+_`'~"), '\ufeff大停電');
    },
  },
  {
    name: 'esc01', section: 'RFC 4475 §3.1.1.3', parses: true, layer: 'parser',
    note: '% HEX HEX escapes in the Request-URI, From, To and Contact URI parameters; unescaping is never recursive.',
    check(m) {
      const ruri = sip(requestUri(m));
      assert.equal(ruri.user, 'sips%3Auser%40example.com');
      assert.equal(unescapeUri(ruri.user!), 'sips:user@example.com');
      assert.equal(ruri.host, 'example.net');
      assert.equal(unescapeUri(sip(m.required(ToHeader).uri).user!), 'user');
      assert.equal(unescapeUri(sip(m.required(FromHeader).uri).user!), 'I have spaces');
      const contact = sip(nameAddr(m, 'Contact').uri);
      assert.equal(unescapeUri(contact.user!), 'caller');
      assert.equal(contact.params.get('lr'), null); // %6C%72 names the lr parameter
      assert.equal(unescapeUri(contact.params.get('name')!), 'value%41');
      assert.equal(m.header(ContentTypeHeader)?.subtype, 'sdp');
    },
  },
  {
    name: 'escnull', section: 'RFC 4475 §3.1.1.4', parses: true, layer: 'parser',
    note: 'Escaped NULs in user parts: well formed; the two Contact URIs are distinct.',
    check(m) {
      const aor = unescapeUri(sip(m.required(ToHeader).uri).user!);
      assert.equal(aor, 'null-\x00-null');
      assert.equal(unescapeUri(sip(m.required(FromHeader).uri).user!), aor);
      const users = [0, 1].map((i) => unescapeUri(sip(nameAddr(m, 'Contact', i).uri).user!));
      assert.deepEqual(users, ['\x00', '\x00\x00']);
    },
  },
  {
    name: 'esc02', section: 'RFC 4475 §3.1.1.5', parses: true, layer: 'core', status: 501,
    note: '% is no escape in a method, a display name or a header name: RE%47IST%45R is an unknown method (endpoint: 501), C%6Fntact an unknown header.',
    check(m) {
      assert.equal(request(m).method, 'RE%47IST%45R');
      assert.equal(m.required(CSeqHeader).method, 'RE%47IST%45R');
      assert.equal(m.required(ToHeader).displayName, '%Z%45');
      assert.equal(m.required(FromHeader).displayName, '%Z%45');
      assert.equal(m.headers.getAll('Contact').length, 2);
      assert.deepEqual(m.headers.getAll('C%6Fntact'), ['<sip:alias2@host2.example.com>']);
    },
  },
  {
    name: 'lwsdisp', section: 'RFC 4475 §3.1.1.6', parses: true, layer: 'parser',
    note: 'No LWS between a token display name and <: accepted (a known RFC 3261 grammar bug).',
    check(m) {
      const from = m.required(FromHeader);
      assert.equal(from.displayName, 'caller');
      assert.equal(sip(from.uri).user, 'caller');
      assert.equal(from.params.get('tag'), '323');
    },
  },
  {
    name: 'longreq', section: 'RFC 4475 §3.1.1.7', parses: true, layer: 'parser',
    note: 'Very long values and 34 Via values (short and long names in every case).',
    check(m) {
      const to = m.required(ToHeader);
      assert.equal(to.displayName, `I have a user name of ${r('extreme', 10)} proportion`);
      const toUri = sip(to.uri);
      assert.equal(toUri.port, 6000);
      assert.deepEqual([...toUri.params], [
        ['unknownparam1', `very${r('long', 20)}value`],
        [`longparam${r('name', 25)}`, 'shortvalue'],
        [`very${r('long', 25)}parameternamewithnovalue`, null],
      ]);
      const from = m.required(FromHeader);
      assert.equal(sip(from.uri).user, r('amazinglylongcallername', 5));
      assert.equal(from.params.get('tag'), `12${r('982', 50)}424`);
      assert.equal(from.params.get(`unknownheaderparam${r('name', 20)}`), `unknowheaderparam${r('value', 15)}`);
      assert.equal(from.params.get(`unknownvalueless${r('paramname', 10)}`), null);
      assert.equal(m.header(CallIdHeader), `longreq.one${r('really', 20)}longcallid`);
      assert.equal(
        m.headers.get(`Unknown-${r('Long', 20)}-Name`),
        `unknown-${r('long', 20)}-value; unknown-${r('long', 20)}-parameter-name = unknown-${r('long', 20)}-parameter-value`,
      );
      const all = vias(m);
      assert.equal(all.length, 34);
      assert.deepEqual(all.slice(0, 33).map((v) => v.host), Array.from({ length: 33 }, (_, i) => `sip${33 - i}.example.com`));
      assert.equal(all[33]!.params.get('branch'), `very${r('long', 50)}branchvalue`);
      assert.equal(all[33]!.params.get('received'), '192.0.2.5');
      assert.equal(sip(nameAddr(m, 'Contact').uri).user, r('amazinglylongcallername', 5));
      assert.equal(m.body.length, 150);
    },
  },
  {
    name: 'dblreq', section: 'RFC 4475 §3.1.1.8', parses: true, layer: 'parser',
    note: 'Octets after Content-Length in a datagram are discarded (RFC 3261 §18.3), even when they look like a request.',
    check(m) {
      assert.equal(request(m).method, 'REGISTER');
      assert.equal(m.body.length, 0);
      assert.equal(m.header(CallIdHeader), 'dblreq.0ha0isndaksdj99sdfafnl3lk233412');
      assert.equal(m.headers.has('Content-Type'), false);
    },
  },
  {
    name: 'semiuri', section: 'RFC 4475 §3.1.1.9', parses: true, layer: 'parser',
    note: 'A ; parameter inside the user part of the Request-URI: the user is "user;par=u@example.net".',
    check(m) {
      const ruri = sip(requestUri(m));
      assert.equal(unescapeUri(ruri.user!), 'user;par=u@example.net');
      assert.equal(ruri.host, 'example.com');
      assert.equal(ruri.params.size, 0);
    },
  },
  {
    name: 'transports', section: 'RFC 4475 §3.1.1.10', parses: true, layer: 'parser',
    note: 'Every transport in Via, including an unknown one.',
    check(m) {
      assert.deepEqual(vias(m).map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
    },
  },
  {
    name: 'mpart01', section: 'RFC 4475 §3.1.1.11', parses: true, layer: 'parser',
    note: 'A multipart body with a binary part holding NULs: framed by Content-Length alone.',
    check(m) {
      assert.equal(m.body.length, 553);
      assert.ok(m.body.includes(0));
      assert.ok(m.body.toString('latin1').endsWith('--7a9cbec02ceef655--\r\n'));
      const type = m.header(ContentTypeHeader)!;
      assert.deepEqual([type.type, type.subtype, type.params.get('boundary')], ['multipart', 'mixed', '7a9cbec02ceef655']);
      assert.equal(vias(m)[0]!.params.get('rport'), null);
    },
  },
  {
    name: 'unreason', section: 'RFC 4475 §3.1.1.12', parses: true, layer: 'parser',
    note: 'A reason phrase with reserved and UTF-8 characters.',
    check(m) {
      const res = response(m);
      assert.equal(res.status, 200);
      assert.equal(res.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
      assert.equal(m.body.length, 154);
    },
  },
  {
    name: 'noreason', section: 'RFC 4475 §3.1.1.13', parses: true, layer: 'parser',
    note: 'An empty reason phrase after the required SP.',
    check(m) {
      const res = response(m);
      assert.equal(res.status, 100);
      assert.equal(res.reason, '');
    },
  },

  // §3.1.2 Invalid messages.
  {
    name: 'badinv01', section: 'RFC 4475 §3.1.2.1', parses: false, layer: 'parser', status: 400, defect: /Via/,
    note: 'Extra ; and , without parameters or values in Via (and Contact).',
  },
  {
    name: 'clerr', section: 'RFC 4475 §3.1.2.2', parses: false, layer: 'parser', status: 400, defect: /Content-Length/,
    note: 'Content-Length larger than the body of a datagram (RFC 3261 §18.3). Over a stream the framer would wait for more.',
  },
  {
    name: 'ncl', section: 'RFC 4475 §3.1.2.3', parses: false, layer: 'parser', status: 400, defect: /Content-Length/,
    note: 'Negative Content-Length: never turned into a number.',
  },
  {
    name: 'scalar02', section: 'RFC 4475 §3.1.2.4', parses: false, layer: 'parser', status: 400, defect: /CSeq.*2\^31/,
    note: 'CSeq above 2^32-1 (RFC 3261 §8.1.1.5 limit 2^31-1); also Max-Forwards 300 and huge expiry values. 400 for the CSeq.',
  },
  {
    name: 'scalarlg', section: 'RFC 4475 §3.1.2.5', parses: false, layer: 'parser', defect: /CSeq/,
    note: 'A response with an overlarge CSeq (and Retry-After, Warning code): discarded.',
  },
  {
    name: 'quotbal', section: 'RFC 4475 §3.1.2.6', parses: false, layer: 'parser', status: 400, defect: /To header: unterminated quoted/,
    note: 'Unterminated quoted display name in To: rejected, no closing quote is inferred.',
  },
  {
    name: 'ltgtruri', section: 'RFC 4475 §3.1.2.7', parses: false, layer: 'parser', status: 400, defect: /Request-URI: enclosed in <>/,
    note: 'Request-URI enclosed in <>: rejected rather than unwrapped.',
  },
  {
    name: 'lwsruri', section: 'RFC 4475 §3.1.2.8', parses: false, layer: 'parser', status: 400, defect: /white space in the Request-URI/,
    note: 'LWS inside the Request-URI.',
  },
  {
    name: 'lwsstart', section: 'RFC 4475 §3.1.2.9', parses: false, layer: 'parser', status: 400, defect: /Request-Line: more than one SP/,
    note: 'Several SPs between Request-Line elements: rejected (acceptable per the RFC; the liberal choice is not taken).',
  },
  {
    name: 'trws', section: 'RFC 4475 §3.1.2.10', parses: false, layer: 'parser', status: 400, defect: /Request-Line: white space after SIP-Version/,
    note: 'SP after SIP-Version: rejected (acceptable per the RFC).',
  },
  {
    name: 'escruri', section: 'RFC 4475 §3.1.2.11', parses: false, layer: 'parser', status: 400, defect: /Request-URI: header fields/,
    note: 'Escaped headers in the Request-URI, which RFC 3261 §19.1.1 Table 1 disallows: rejected, so that no layer can ever act on them.',
  },
  {
    name: 'baddate', section: 'RFC 4475 §3.1.2.12', parses: true, layer: 'parser',
    note: 'A non-GMT Date. The RFC allows ignoring a Date that is not used; presenced does not use Date, so the request is accepted.',
    check(m) {
      assert.equal(m.headers.get('Date'), 'Fri, 01 Jan 2010 16:00:00 EST');
    },
  },
  {
    name: 'regbadct', section: 'RFC 4475 §3.1.2.13', parses: true, layer: 'core', status: 400,
    note: 'Contact URI with a header but without <>. Contact is no message-level header: the parser accepts the message, and the Contact grammar rejects the value, so the registrar answers 400.',
    check(m) {
      const r = runGrammar(m.headers.get('Contact')!, (s) => {
        scanNameAddr(s, 'Contact');
        s.end('Contact');
      });
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.defect, /unexpected '\?Route/);
    },
  },
  {
    name: 'badaspec', section: 'RFC 4475 §3.1.2.14', parses: false, layer: 'parser', status: 400, defect: /To header: white space after '<'/,
    note: 'Spaces inside the <> of To: rejected (reasonable per the RFC; the liberal choice is not taken).',
  },
  {
    name: 'baddn', section: 'RFC 4475 §3.1.2.15', parses: false, layer: 'parser', status: 400, defect: /invalid display name/,
    note: 'Unquoted display names with non-token characters: rejected, no quotes inferred.',
  },
  {
    name: 'badvers', section: 'RFC 4475 §3.1.2.16', parses: false, layer: 'parser', status: 505, defect: /SIP\/7\.0/,
    note: 'SIP/7.0: 505 Version Not Supported.',
  },
  {
    name: 'mismatch01', section: 'RFC 4475 §3.1.2.17', parses: false, layer: 'parser', status: 400, defect: /CSeq method/,
    note: 'OPTIONS with CSeq method INVITE (RFC 3261 §8.1.1.5).',
  },
  {
    name: 'mismatch02', section: 'RFC 4475 §3.1.2.18', parses: true, layer: 'core', status: 501,
    note: 'Unknown method with a mismatched CSeq method: 501 is preferred over 400, so the parser lets it through and the UAS core answers 501 for the unknown method.',
    check(m) {
      assert.equal(request(m).method, 'NEWMETHOD');
      assert.equal(m.required(CSeqHeader).method, 'INVITE');
    },
  },
  {
    name: 'bigcode', section: 'RFC 4475 §3.1.2.19', parses: false, layer: 'parser', defect: /Status-Code/,
    note: 'A response code of 4294967301: dropped.',
  },

  // §3.2 Transaction layer.
  {
    name: 'badbranch', section: 'RFC 4475 §3.2.1', parses: true, layer: 'transaction',
    note: 'branch=z9hG4bK with no identifier: the parser must not break; the transaction layer may reject it (400) or match it RFC 2543-style.',
    check(m) {
      assert.equal(vias(m)[0]!.params.get('branch'), 'z9hG4bK');
    },
  },

  // §3.3 Application-layer semantics.
  {
    name: 'insuf', section: 'RFC 4475 §3.3.1', parses: false, layer: 'parser', status: 400, defect: /Missing From, To, Call-ID headers/,
    note: 'No Call-ID, From or To (RFC 3261 §8.1.1).',
  },
  {
    name: 'unkscm', section: 'RFC 4475 §3.3.2', parses: true, layer: 'core', status: 416,
    note: 'Unknown Request-URI scheme: well formed; the core answers 416 (RFC 3261 §8.2.2.1), never routing on To.',
    check(m) {
      const uri = requestUri(m) as OtherUri;
      assert.equal(uri.scheme, 'nobodyknowsthisscheme');
      assert.equal(uri.text, 'nobodyKnowsThisScheme:totallyopaquecontent');
    },
  },
  {
    name: 'novelsc', section: 'RFC 4475 §3.3.3', parses: true, layer: 'core', status: 416,
    note: 'A registered but atypical scheme (soap.beep) in the Request-URI: treated as unsupported, 416.',
    check(m) {
      const uri = requestUri(m) as OtherUri;
      assert.equal(uri.scheme, 'soap.beep');
      assert.equal(uri.text, 'soap.beep://192.0.2.103:3002');
    },
  },
  {
    name: 'unksm2', section: 'RFC 4475 §3.3.4', parses: true, layer: 'core', status: 400,
    note: 'isbn:, http: and name: URIs in To, From and Contact: well formed. A registrar answers 400 (To must be a SIP or SIPS AOR); other requests proceed.',
    check(m) {
      assert.equal(m.required(ToHeader).uri.scheme, 'isbn');
      assert.deepEqual(m.required(FromHeader).uri, { scheme: 'http', text: 'http://www.example.com' });
      assert.deepEqual(nameAddr(m, 'Contact').uri, { scheme: 'name', text: 'name:John_Smith' });
    },
  },
  {
    name: 'bext01', section: 'RFC 4475 §3.3.5', parses: true, layer: 'core', status: 420,
    note: 'Unknown option tags in Require (UAS: 420 with Unsupported listing them, RFC 3261 §8.2.2.3) and Proxy-Require (proxy role).',
    check(m) {
      assert.equal(m.headers.get('Require'), 'nothingSupportsThis, nothingSupportsThisEither');
      assert.equal(m.headers.get('Proxy-Require'), 'noProxiesSupportThis, norDoAnyProxiesSupportThis');
    },
  },
  {
    name: 'invut', section: 'RFC 4475 §3.3.6', parses: true, layer: 'core', status: 415,
    note: 'A body of unknown type: well formed; an endpoint that handles INVITE answers 415 (RFC 3261 §8.2.3), a UAS without INVITE 405 first.',
    check(m) {
      const type = m.header(ContentTypeHeader)!;
      assert.equal(`${type.type}/${type.subtype}`, 'application/unknownformat');
      assert.equal(m.body.length, 40);
    },
  },
  {
    name: 'regaut01', section: 'RFC 4475 §3.3.7', parses: true, layer: 'core', status: 405,
    note: 'Authorization with an unknown scheme: well formed. A UAS that is no registrar answers 405; a registrar that authenticates answers 401 with a scheme it knows; one that does not ignores the header.',
    check(m) {
      assert.equal(m.headers.get('Authorization'), 'NoOneKnowsThisScheme opaque-data=here');
    },
  },
  {
    name: 'multi01', section: 'RFC 4475 §3.3.8', parses: false, layer: 'parser', status: 400, defect: /more than one/,
    note: 'Several Call-ID, To, From, Max-Forwards and CSeq values.',
  },
  {
    name: 'mcl01', section: 'RFC 4475 §3.3.9', parses: false, layer: 'parser', status: 400, defect: /Content-Length/,
    note: 'Conflicting Content-Length values: a framing error.',
  },
  {
    name: 'bcast', section: 'RFC 4475 §3.3.10', parses: true, layer: 'core',
    note: 'A 200 with a second Via sent-by 255.255.255.255: well formed; an endpoint discards it and a proxy must not forward it.',
    check(m) {
      assert.equal(response(m).status, 200);
      assert.equal(vias(m)[1]!.host, '255.255.255.255');
    },
  },
  {
    name: 'zeromf', section: 'RFC 4475 §3.3.11', parses: true, layer: 'core', status: 483,
    note: 'Max-Forwards 0: 483 when the request would be forwarded (RFC 3261 §16.3 step 3; an OPTIONS may instead be answered as a UAS); a UAS it addresses processes it normally.',
    check(m) {
      assert.equal(m.header(MaxForwardsHeader), 0);
    },
  },
  {
    name: 'cparam01', section: 'RFC 4475 §3.3.12', parses: true, layer: 'core',
    note: 'Contact addr-spec without <>: "unknownparam" is a contact-param, not a uri-parameter (RFC 3261 §20.10).',
    check(m) {
      const contact = nameAddr(m, 'Contact');
      assert.equal(sip(contact.uri).params.size, 0);
      assert.equal(sip(contact.uri).user, '+19725552222');
      assert.deepEqual([...contact.params], [['unknownparam', null]]);
    },
  },
  {
    name: 'cparam02', section: 'RFC 4475 §3.3.13', parses: true, layer: 'core',
    note: 'Contact in <>: "unknownparam" is a uri-parameter and must be kept in the binding.',
    check(m) {
      const contact = nameAddr(m, 'Contact');
      assert.deepEqual([...sip(contact.uri).params], [['unknownparam', null]]);
      assert.equal(contact.params.size, 0);
    },
  },
  {
    name: 'regescrt', section: 'RFC 4475 §3.3.14', parses: true, layer: 'core',
    note: 'Contact URI with an escaped Route header, correctly in <>: kept in the binding.',
    check(m) {
      const uri = sip(nameAddr(m, 'Contact').uri);
      assert.deepEqual(uri.headers, [['Route', '%3Csip:sip.example.com%3E']]);
      assert.equal(unescapeUri(uri.headers[0]![1]), '<sip:sip.example.com>');
    },
  },
  {
    name: 'sdp01', section: 'RFC 4475 §3.3.15', parses: true, layer: 'core', status: 406,
    note: 'Accept without application/sdp on an INVITE: 406 (400 also appropriate) from a UA; well formed for the parser.',
    check(m) {
      assert.equal(m.headers.get('Accept'), 'text/nobodyKnowsThis');
    },
  },

  // §3.4 Backward compatibility.
  {
    name: 'inv2543', section: 'RFC 4475 §3.4.1', parses: true, layer: 'core',
    note: 'RFC 2543 syntax: no branch, no From tag, no Max-Forwards, no Content-Length (body = rest of the datagram). Accepted.',
    check(m) {
      assert.equal(vias(m)[0]!.params.has('branch'), false);
      assert.equal(m.required(FromHeader).params.has('tag'), false);
      assert.equal(m.header(MaxForwardsHeader), undefined);
      assert.equal(m.body.length, 105);
      assert.ok(m.body.toString('latin1').startsWith('v=0\r\n'));
    },
  },

  // Appendix A only.
  {
    name: 'test', section: 'RFC 4475 Appendix A (not in §3)', parses: false, layer: 'parser', status: 400, defect: /missing SIP-Version/,
    note: 'An extra file of the archive: a Request-Line without SIP-Version, a header line without a colon.',
  },
];
