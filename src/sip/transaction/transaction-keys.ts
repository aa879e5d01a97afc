import type { SipRequest, SipResponse } from '../message/message.js';
import type { Via } from '../message/types.js';
import { CallIdHeader } from '../parser/headers/call-id.js';
import { CSeqHeader } from '../parser/headers/cseq.js';
import { FromHeader, ToHeader } from '../parser/headers/from-to.js';
import { ViaHeader } from '../parser/headers/via.js';

/**
 * Transaction keys (RFC 3261 §17.1.3, §17.2.3, §9.2, §8.2.2.2), computed once per message so that every
 * lookup is one Map access. Keys are strings whose fields are joined by LF, which cannot occur in an
 * unfolded header value or in a request line.
 */

/** RFC 3261 §8.1.1.7: a branch beginning with this cookie was made by an RFC 3261 client. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** The keys of one received request. */
export interface RequestKeys {
  /**
   * The server transaction the request belongs to. For an ACK, the INVITE transaction it acknowledges
   * (§17.2.3: "except for ACK, where the method of the request that created the transaction is INVITE").
   */
  readonly match: string;
  /** The top Via of the request. */
  readonly topVia: Via;
  /** True when the top Via has no branch with the magic cookie: the RFC 2543 rules of §17.2.3 apply. */
  readonly rfc2543: boolean;
  /** The To tag, or '' when absent. */
  readonly toTag: string;
  /** RFC 2543 INVITE only: the key its ACK is found under (To tag left out, checked separately). */
  readonly ack?: string;
  /** CANCEL only: the key of the INVITE transaction it cancels (§9.2). */
  readonly cancels?: string;
  /** Requests without a To tag: From tag, Call-ID and CSeq, for merged-request detection (§8.2.2.2). */
  readonly merge?: string;
}

/** Canonical text of a Via value: parameters sorted, host lower-cased, so equal values compare equal. */
function viaText(v: Via): string {
  const params = [...v.params].map(([k, val]) => (val === null ? k : `${k}=${val}`)).sort();
  return [`${v.protocol}/${v.transport}`, `${v.host.toLowerCase()}:${v.port ?? ''}`, ...params].join(';');
}

/** The sent-by of a Via (§17.2.3 item 2): host and port. */
function sentBy(v: Via): string {
  return `${v.host.toLowerCase()}:${v.port ?? ''}`;
}

/**
 * The keys of a request, or undefined when Via, From, To, Call-ID or CSeq is missing or malformed
 * (`parseMessage` rejects such requests, so this only guards the API).
 */
export function requestKeys(req: SipRequest): RequestKeys | undefined {
  const via = req.tryHeader(ViaHeader);
  const from = req.tryHeader(FromHeader);
  const to = req.tryHeader(ToHeader);
  const callId = req.tryHeader(CallIdHeader);
  const cseq = req.tryHeader(CSeqHeader);
  if (!via.ok || !from.ok || !to.ok || !callId.ok || !cseq.ok) return undefined;
  const topVia = via.value?.[0];
  if (!topVia || !from.value || !to.value || callId.value === undefined || !cseq.value) return undefined;
  const toTag = to.value.params.get('tag') ?? '';
  const fromTag = from.value.params.get('tag') ?? '';
  const merge = toTag === '' ? ['m', fromTag, callId.value, cseq.value.seq, cseq.value.method].join('\n') : undefined;
  const branch = topVia.params.get('branch');
  const method = req.method;

  if (branch?.startsWith(MAGIC_COOKIE)) {
    // RFC 3261 §17.2.3: branch, sent-by and method (ACK matches its INVITE); §9.2 CANCEL as if INVITE.
    const base = ['z', branch, sentBy(topVia)];
    const match = [...base, method === 'ACK' ? 'INVITE' : method].join('\n');
    const cancels = method === 'CANCEL' ? [...base, 'INVITE'].join('\n') : undefined;
    return { match, topVia, rfc2543: false, toTag, ...(cancels && { cancels }), ...(merge && { merge }) };
  }

  // RFC 3261 §17.2.3, RFC 2543 compatibility: Request-URI, To tag, From tag, Call-ID, CSeq, top Via.
  const via2543 = viaText(topVia);
  const full = (m: string): string => ['r', req.uri, toTag, fromTag, callId.value, cseq.value!.seq, m, via2543].join('\n');
  // The ACK matches on Request-URI, From tag, Call-ID, CSeq number and top Via; its To tag is compared
  // with the To tag of the response the transaction sent.
  const ackKey = ['a', req.uri, fromTag, callId.value, cseq.value.seq, via2543].join('\n');
  if (method === 'ACK') return { match: ackKey, topVia, rfc2543: true, toTag };
  const keys: RequestKeys = { match: full(method), topVia, rfc2543: true, toTag, ...(merge && { merge }) };
  if (method === 'INVITE') return { ...keys, ack: ackKey };
  if (method === 'CANCEL') return { ...keys, cancels: full('INVITE') };
  return keys;
}

/** The key of a client transaction (§17.1.3): the branch of the request's top Via and its method. */
export function clientKey(branch: string, method: string): string {
  return `${branch}\n${method}`;
}

/**
 * The client transaction key of a response (§17.1.3): top Via branch and CSeq method, or undefined when
 * either is missing or malformed.
 */
export function responseKey(res: SipResponse): string | undefined {
  const via = res.tryHeader(ViaHeader);
  const cseq = res.tryHeader(CSeqHeader);
  if (!via.ok || !cseq.ok || !cseq.value) return undefined;
  const branch = via.value?.[0]?.params.get('branch');
  if (!branch) return undefined;
  return clientKey(branch, cseq.value.method);
}
