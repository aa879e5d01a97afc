import { newTag } from '../../util/ids.js';
import { ToHeader } from '../parser/headers/from-to.js';
import { HeaderList } from './headers.js';
import type { SipRequest } from './message.js';
import { SipResponse } from './message.js';

/** Default reason phrases (RFC 3261 §21 and extensions used by presenced). */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 200: 'OK', 202: 'Accepted', 204: 'No Notification',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout', 412: 'Conditional Request Failed',
  413: 'Request Entity Too Large', 414: 'Request-URI Too Long', 415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme', 420: 'Bad Extension', 421: 'Extension Required', 423: 'Interval Too Brief',
  439: 'First Hop Lacks Outbound Support', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected', 483: 'Too Many Hops', 489: 'Bad Event',
  500: 'Server Internal Error', 501: 'Not Implemented', 503: 'Service Unavailable', 504: 'Server Time-out',
  505: 'Version Not Supported', 513: 'Message Too Large', 603: 'Decline',
};

/**
 * Builds a response to `req` per RFC 3261 §8.2.6: the Via lines, From, Call-ID and CSeq are copied,
 * To is copied and given a tag (`toTag`, or a new one) unless it has one or the response is a 100;
 * a 100 Trying copies Timestamp (§8.2.6.1). The reason defaults to the RFC phrase.
 *
 * `req` must have passed `parseMessage` (mandatory headers present); raw header text is copied unchanged.
 */
export function createResponse(req: SipRequest, status: number, reason?: string, toTag?: string): SipResponse {
  const headers = new HeaderList();
  for (const v of req.headers.getAll('Via')) headers.append('Via', v);
  const from = req.headers.get('From');
  if (from !== undefined) headers.append('From', from);
  const to = req.headers.get('To');
  if (to !== undefined) {
    // RFC 3261 §8.2.6.2: the UAS adds a tag to To when the request had none (not on 100).
    const parsed = req.tryHeader(ToHeader);
    const hasTag = parsed.ok && parsed.value?.params.has('tag') === true;
    headers.append('To', hasTag || status === 100 ? to : `${to};tag=${toTag ?? newTag()}`);
  }
  const callId = req.headers.get('Call-ID');
  if (callId !== undefined) headers.append('Call-ID', callId);
  const cseq = req.headers.get('CSeq');
  if (cseq !== undefined) headers.append('CSeq', cseq);
  if (status === 100) {
    const ts = req.headers.get('Timestamp');
    if (ts !== undefined) headers.append('Timestamp', ts);
  }
  return new SipResponse(status, reason ?? REASON_PHRASES[status] ?? 'Unknown', headers);
}
