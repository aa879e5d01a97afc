import type { HeaderGrammar } from '../../message/headers.js';
import type { ContactEntry, ContactList } from '../../message/types.js';
import { scanNameAddr } from '../name-addr.js';
import { parseList } from '../scanner.js';
import type { Scanner } from '../scanner.js';
import { MAX_DELTA_SECONDS, deltaSeconds } from './expires.js';

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )  (RFC 3261 §25.1)
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
// c-p-instance = "+sip.instance" EQUAL DQUOTE "<" instance-val ">" DQUOTE; instance-val = 1*uric
// uric = reserved / unreserved / escaped (RFC 5626 §10, RFC 3261 §25.1)
const INSTANCE = /^"<((?:[A-Za-z0-9;/?:@&=+$,\-_.!~*'()]|%[0-9A-Fa-f]{2})+)>"$/;

function contact(s: Scanner): ContactEntry {
  s.ws();
  // RFC 3261 §20.10: STAR stands alone, never as one element of a list.
  if (s.peek() === '*') s.fail("'*' must be the only Contact value");
  const entry: ContactEntry = scanNameAddr(s, 'Contact');
  const { params } = entry;
  if (params.has('expires')) {
    const n = deltaSeconds(params.get('expires'));
    if (n === undefined) s.fail('expires parameter of Contact is not delta-seconds');
    // RFC 3261 §10.2.1: values above 2^32-1 MAY be treated as 2^32-1.
    entry.expires = Math.min(n, MAX_DELTA_SECONDS);
  }
  if (params.has('q')) {
    const q = params.get('q');
    if (!q || !QVALUE.test(q)) s.fail('q parameter of Contact is not a qvalue');
    entry.q = Number(q);
  }
  if (params.has('+sip.instance')) {
    const m = INSTANCE.exec(params.get('+sip.instance') ?? '');
    if (!m) s.fail('+sip.instance parameter of Contact is not a quoted <instance-val>');
    entry.instance = m[1]!;
  }
  if (params.has('reg-id')) {
    const r = params.get('reg-id');
    // RFC 5626 §10: the value of the reg-id MUST NOT be 0 and MUST be less than 2^31.
    if (!r || !/^\d{1,10}$/.test(r) || Number(r) < 1 || Number(r) > 0x7fffffff) {
      s.fail('reg-id parameter of Contact is not 1 to 2^31-1');
    }
    entry.regId = Number(r);
  }
  return entry;
}

/**
 * Contact, compact form `m` (RFC 3261 §20.10, §25.1; RFC 5626 §10): `*` alone, or a comma-separated list
 * of name-addr / addr-spec values with parameters, merged across lines. Commas inside quoted display
 * names and inside `<…>` do not separate values. Validates `expires` (delta-seconds), `q` (qvalue),
 * `+sip.instance` and `reg-id`; a defect in any of them fails the header.
 */
export const ContactHeader: HeaderGrammar<ContactList> = {
  name: 'Contact',
  parse(values) {
    if (values.some((v) => v === '*')) {
      if (values.length > 1) return { ok: false, defect: "'*' must be the only Contact value" };
      return { ok: true, value: { star: true } };
    }
    const r = parseList(values, contact, 'Contact');
    return r.ok ? { ok: true, value: { star: false, contacts: r.value } } : r;
  },
};
