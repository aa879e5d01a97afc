import assert from 'node:assert/strict';
import { parsePidf } from '../../../src/presence/pidf/parse.js';
import type { PresenceDocument } from '../../../src/presence/pidf/model.js';
import { PIDF } from '../../../src/presence/presence-package.js';
import type { SipRequest } from '../../../src/sip/message/message.js';

export { PIDF };
export { buildPidf } from '../../../src/presence/pidf/build.js';

/** The presence document a NOTIFY carries (asserting it is PIDF, RFC 3856 §6.7). */
export function documentOf(notify: SipRequest): PresenceDocument {
  assert.equal(notify.headers.get('Content-Type')?.split(';')[0]?.trim().toLowerCase(), PIDF);
  const r = parsePidf(notify.body);
  assert.ok(r.ok, r.ok ? '' : `NOTIFY body is not valid PIDF: ${r.defect}`);
  return r.value;
}

/** The tuples of a NOTIFY's document, in document order, as `id=basic` texts (e.g. `phone=open`). */
export function tuplesOf(notify: SipRequest): string[] {
  return documentOf(notify).tuples.map((t) => `${t.id}=${t.basic ?? '?'}`);
}

/** The Subscription-State header of a NOTIFY (RFC 6665 §8.2.3), e.g. `active;expires=3600`. */
export function stateOf(notify: SipRequest): string {
  return notify.headers.get('Subscription-State') ?? '';
}

/** The CSeq number of a request. */
export function cseqOf(req: SipRequest): number {
  return Number(req.headers.get('CSeq')!.split(' ')[0]);
}

/** The tag of the To header of a NOTIFY (our tag in the watcher's dialog). */
export function toTagOf(req: SipRequest): string | undefined {
  return /;tag=([^;]+)/.exec(req.headers.get('To') ?? '')?.[1];
}

/** The tag of the From header of a NOTIFY (the presence server's tag). */
export function fromTagOf(req: SipRequest): string | undefined {
  return /;tag=([^;]+)/.exec(req.headers.get('From') ?? '')?.[1];
}
