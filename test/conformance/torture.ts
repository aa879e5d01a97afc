import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ViaHeader } from '../../src/sip/parser/headers/via.js';
import { parseMessage } from '../../src/sip/parser/parse-message.js';
import { scanNameAddr } from '../../src/sip/parser/name-addr.js';
import { runGrammar } from '../../src/sip/parser/scanner.js';
import { parseUri } from '../../src/sip/parser/uri.js';
import { serialize } from '../../src/sip/message/serialize.js';
import type { SipMessage, SipRequest, SipResponse } from '../../src/sip/message/message.js';
import type { NameAddr, SipUri, Uri, Via } from '../../src/sip/message/types.js';

/**
 * One torture-test message (RFC 4475, RFC 5118) and what the RFC says a server does with it. The
 * fixture is `fixtures/<rfc>/<name>.dat`; it is parsed as received over UDP.
 */
export interface TortureCase {
  /** The RFC's test name. */
  readonly name: string;
  /** Where the RFC describes it, e.g. `RFC 4475 §3.1.1.1`. */
  readonly section: string;
  /** True when `parseMessage` must accept the bytes. */
  readonly parses: boolean;
  /**
   * The layer whose answer the RFC describes: the parser (syntax), the UAS core (`checkRequest` in
   * src/sip/core/uas-checks.ts: method, scheme, Require, body type, Max-Forwards), or the transaction layer.
   */
  readonly layer: 'parser' | 'core' | 'transaction';
  /**
   * The status a server answers with at that layer. Undefined when the message is processed normally,
   * and for a response (a response is never answered: a bad one is dropped, RFC 3261 §18.1.2).
   */
  readonly status?: number;
  /** For a message the parser rejects: what the defect (sent as the reason phrase) must name. */
  readonly defect?: RegExp;
  /**
   * Checks of the fields the RFC test is about. Run on the parsed message and on the message its
   * serialisation parses to; for a rejected message, on the partly parsed message when there is one.
   */
  readonly check?: (m: SipMessage) => void;
  /** The RFC's reasoning, and the choice made where it allows more than one answer. */
  readonly note: string;
}

/** The message as a request (fails the test otherwise). */
export function request(m: SipMessage): SipRequest {
  assert.equal(m.kind, 'request');
  return m as SipRequest;
}

/** The message as a response (fails the test otherwise). */
export function response(m: SipMessage): SipResponse {
  assert.equal(m.kind, 'response');
  return m as SipResponse;
}

/** A parsed URI as a sip:/sips: URI (fails the test otherwise). */
export function sip(u: Uri): SipUri {
  assert.ok(u.scheme === 'sip' || u.scheme === 'sips', `expected a SIP URI, got ${u.scheme}`);
  return u as SipUri;
}

/** The parsed Request-URI. */
export function requestUri(m: SipMessage): Uri {
  const r = parseUri(request(m).uri);
  assert.ok(r.ok, r.ok ? '' : r.defect);
  return r.value;
}

/** The header value at `index` among all lines of `header`, parsed as one name-addr / addr-spec. */
export function nameAddr(m: SipMessage, header: string, index = 0): NameAddr {
  const value = m.headers.getAll(header)[index];
  assert.ok(value !== undefined, `no ${header} line ${index}`);
  const r = runGrammar(value, (s) => {
    const v = scanNameAddr(s, header);
    s.end(header);
    return v;
  });
  assert.ok(r.ok, r.ok ? '' : r.defect);
  return r.value;
}

/** Every Via value, in order. */
export function vias(m: SipMessage): Via[] {
  return m.required(ViaHeader);
}

const FIXTURES = join(process.cwd(), 'test', 'conformance', 'fixtures');

function fixture(rfc: string, name: string): Buffer {
  return readFileSync(join(FIXTURES, rfc, `${name}.dat`));
}

/** The fields a round trip must keep: start line, header lines other than Content-Length, body. */
function essence(m: SipMessage): unknown {
  const start = m.kind === 'request' ? [m.method, m.uri, m.version] : [m.version, m.status, m.reason];
  return { start, headers: m.headers.all().filter((h) => h.key !== 'content-length'), body: m.body };
}

/** Registers one test per case, plus a test that the table and the fixture directory match. */
export function runTortureTable(rfc: string, cases: readonly TortureCase[]): void {
  test(`${rfc}: every fixture has exactly one table entry`, () => {
    const files = readdirSync(join(FIXTURES, rfc)).filter((f) => f.endsWith('.dat')).map((f) => f.slice(0, -4));
    assert.deepEqual([...cases.map((c) => c.name)].sort(), files.sort());
  });

  for (const c of cases) {
    test(`${rfc} ${c.name} (${c.section}): ${c.parses ? 'parses' : `rejected ${c.status ?? ''}`}`, () => {
      const r = parseMessage(fixture(rfc, c.name));
      if (c.parses) {
        assert.ok(r.ok, r.ok ? '' : `${r.status} ${r.defect}`);
        c.check?.(r.message);
        const again = parseMessage(serialize(r.message));
        assert.ok(again.ok, again.ok ? '' : `re-serialised: ${again.status} ${again.defect}`);
        assert.deepEqual(essence(again.message), essence(r.message));
        c.check?.(again.message);
        return;
      }
      assert.equal(r.ok, false, 'the parser must reject it');
      if (r.ok) return;
      if (c.status !== undefined) assert.equal(r.status, c.status);
      assert.ok(c.defect, 'a rejected case names its defect');
      assert.match(r.defect, c.defect);
      if (c.check && r.message) c.check(r.message);
    });
  }

  test(`${rfc}: no fixture cut at any octet makes the parser throw`, () => {
    for (const c of cases) {
      const data = fixture(rfc, c.name);
      for (let end = 0; end <= data.length; end++) {
        for (const stream of [false, true]) {
          const r = parseMessage(data.subarray(0, end), { stream });
          assert.equal(typeof r.ok, 'boolean');
          if (!r.ok) assert.ok(r.status >= 400 && r.defect.length > 0);
        }
      }
    }
  });
}
