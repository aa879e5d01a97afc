import type { StoredBody } from '../../events/event-package.js';
import type { SipRequest } from '../../sip/message/message.js';
import { SipError } from '../../sip/message/sip-error.js';
import { SipIfMatchHeader } from '../../sip/parser/headers/etag.js';
import type { ScreenLimits } from '../../util/xml-guard.js';
import { applyPidfDiff, PidfDiffError, readPidfDiff } from './pidf-diff.js';

/**
 * Partial publication (RFC 5264 §4.3): the PIDF document stored for a PUBLISH of
 * application/pidf-diff+xml. A <pidf-full> replaces the publication's document (§4.3.1); a <pidf-diff>
 * is only allowed in a modifying publication (with SIP-If-Match) and patches its stored document
 * (§4.3.2). `validate` checks the result as PIDF (throwing SipError), and the PIDF is what is stored.
 * @throws SipError 400 "Invalid Partial Publication" for a <pidf-diff> without SIP-If-Match, 400 for a
 *   document that is not pidf-diff+xml or whose operations cannot be applied (§4.3.2), 413 when too large.
 */
export function applyPartialPublication(
  previous: StoredBody | undefined, body: Buffer, request: SipRequest, pidf: string, limits: ScreenLimits,
  validate: (pidfBody: Buffer) => Buffer,
): StoredBody {
  try {
    const doc = readPidfDiff(body, limits);
    if (doc.kind === 'diff' && request.header(SipIfMatchHeader) === undefined) {
      // RFC 5264 §4.3.2: an initial publication may only carry <pidf-full>; a <pidf-diff> MUST be rejected.
      throw new SipError(400, 'Invalid Partial Publication');
    }
    const base = previous && previous.contentType === pidf ? previous.body : undefined;
    // RFC 5264 §4.3.2: the operations are applied in sequence to the stored document; any error → 400.
    return { contentType: pidf, body: validate(applyPidfDiff(base, doc)) };
  } catch (err) {
    if (err instanceof PidfDiffError) throw new SipError(err.status, err.message);
    throw err;
  }
}
