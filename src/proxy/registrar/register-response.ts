import { formatNameAddr } from '../../sip/message/format.js';
import type { SipRequest, SipResponse } from '../../sip/message/message.js';
import { createResponse } from '../../sip/message/response.js';
import { ContactHeader } from '../../sip/parser/headers/contact.js';
import type { BindingRecord } from '../../store/ports.js';

/**
 * The 200 to a REGISTER (RFC 3261 §10.3 step 8): one Contact per current binding, each with an
 * `expires` parameter giving its remaining interval, and a Date header; the request's Path copied
 * (RFC 3327 §5.3); `Require: outbound` when `outbound` (RFC 5626 §6). Like every response built by
 * createResponse it carries no Record-Route (§10.3: a registrar MUST NOT include one). `now` is in ms.
 */
export function registerOk(req: SipRequest, bindings: readonly BindingRecord[], outbound: boolean, now: number): SipResponse {
  const res = createResponse(req, 200);
  // RFC 3261 §10.3 step 8: MUST enumerate all current bindings, each with an expires parameter.
  for (const b of bindings) res.headers.append('Contact', contactValue(b, now));
  // RFC 3327 §5.3: the registrar copies the Path header field values into the 200.
  for (const v of req.headers.getAll('Path')) res.headers.append('Path', v);
  if (outbound) res.headers.append('Require', 'outbound');
  res.headers.append('Date', new Date(now).toUTCString());
  return res;
}

/** The binding's Contact value as registered, its expires parameter set to the seconds left. */
export function contactValue(b: BindingRecord, now: number): string {
  const left = String(Math.max(0, Math.ceil((b.expiresAt - now) / 1000)));
  const parsed = ContactHeader.parse([b.contactHeader]);
  if (!parsed.ok || parsed.value.star || parsed.value.contacts.length !== 1) return `<${b.contact}>;expires=${left}`;
  const entry = parsed.value.contacts[0]!;
  entry.params.set('expires', left);
  return formatNameAddr(entry);
}
