import { createRequire } from 'node:module';
import { parseMessage } from '../../src/sip/parser/parse-message.js';
import type { SipMessage } from '../../src/sip/message/message.js';
import { serialize } from '../../src/sip/message/serialize.js';
import { CallIdHeader } from '../../src/sip/parser/headers/call-id.js';
import { ContentTypeHeader } from '../../src/sip/parser/headers/content-type.js';
import { CSeqHeader } from '../../src/sip/parser/headers/cseq.js';
import { EventHeader } from '../../src/sip/parser/headers/event.js';
import { ExpiresHeader } from '../../src/sip/parser/headers/expires.js';
import { FromHeader, ToHeader } from '../../src/sip/parser/headers/from-to.js';
import { ViaHeader } from '../../src/sip/parser/headers/via.js';

/**
 * The header values the access step reads, as text, so the two implementations can be checked to read
 * the same thing from the same message. Absent headers are undefined.
 */
export interface AccessedFields {
  branch: string | undefined;
  fromTag: string | undefined;
  toTag: string | undefined;
  callId: string | undefined;
  cseq: string | undefined;
  /** Event type as written (package and templates), without parameters. */
  event: string | undefined;
  /** Expires in seconds, as decimal text. */
  expires: string | undefined;
  /** `type/subtype`, lower-cased, without parameters. */
  contentType: string | undefined;
}

/**
 * One SIP implementation under test. `parse` starts from the bytes a transport receives and `serialize`
 * ends with the bytes it sends; `access` reads the fields of {@link AccessedFields} through the
 * implementation's own parsed view and returns a number derived from them (a checksum, so the work cannot
 * be optimised away). `fields` is the untimed, readable form of the same reads.
 */
export interface Subject<P> {
  readonly name: 'presenced' | 'sip';
  /** @throws Error when the message does not parse (the corpus is checked before timing). */
  parse(data: Buffer): P;
  access(msg: P): number;
  serialize(msg: P): Buffer;
  fields(msg: P): AccessedFields;
}

function len(s: string | null | undefined): number {
  return s ? s.length : 0;
}

/** presenced: parseMessage on the Buffer, lazy header grammars, serialize to a Buffer. */
export const presenced: Subject<SipMessage> = {
  name: 'presenced',
  parse(data) {
    const r = parseMessage(data);
    if (!r.ok) throw new Error(`presenced rejects the message: ${r.status} ${r.defect}`);
    return r.message;
  },
  access(m) {
    const via = m.required(ViaHeader)[0];
    const ev = m.header(EventHeader);
    const ct = m.header(ContentTypeHeader);
    return (
      len(via?.params.get('branch')) +
      len(m.required(FromHeader).params.get('tag')) +
      len(m.required(ToHeader).params.get('tag')) +
      m.required(CallIdHeader).length +
      m.required(CSeqHeader).seq +
      (ev ? ev.package.length : 0) +
      (m.header(ExpiresHeader) ?? 0) +
      (ct ? ct.subtype.length : 0)
    );
  },
  serialize,
  fields(m) {
    const ev = m.header(EventHeader);
    const expires = m.header(ExpiresHeader);
    const ct = m.header(ContentTypeHeader);
    const cseq = m.required(CSeqHeader);
    return {
      branch: m.required(ViaHeader)[0]?.params.get('branch') ?? undefined,
      fromTag: m.required(FromHeader).params.get('tag') ?? undefined,
      toTag: m.required(ToHeader).params.get('tag') ?? undefined,
      callId: m.required(CallIdHeader),
      cseq: `${cseq.seq} ${cseq.method}`,
      event: ev ? [ev.package, ...ev.templates].join('.') : undefined,
      expires: expires === undefined ? undefined : String(expires),
      contentType: ct ? `${ct.type}/${ct.subtype}` : undefined,
    };
  },
};

/** The parts of a message parsed by the npm `sip` package that the benchmark reads. */
interface SipPkgMessage {
  headers: {
    via?: Array<{ params: Record<string, string | null> }>;
    from?: { params: Record<string, string | null> };
    to?: { params: Record<string, string | null> };
    'call-id'?: string;
    cseq?: { seq: number; method: string };
    event?: string;
    expires?: string;
    'content-type'?: string;
    [name: string]: unknown;
  };
}

/** The two functions of the npm `sip` package (0.0.6, CommonJS) the benchmark calls. */
interface SipPkg {
  parse(text: string): SipPkgMessage | undefined;
  stringify(msg: SipPkgMessage): string;
}

const sipPkg = createRequire(import.meta.url)('sip') as SipPkg;

/**
 * The npm `sip` package, framed as its own UDP/TCP transport does: the Buffer is decoded as latin1
 * ('binary') before `sip.parse`, and `sip.stringify` is encoded back to a latin1 Buffer.
 */
export const sipPackage: Subject<SipPkgMessage> = {
  name: 'sip',
  parse(data) {
    const m = sipPkg.parse(data.toString('latin1'));
    if (!m) throw new Error('the sip package rejects the message');
    return m;
  },
  access(m) {
    const h = m.headers;
    return (
      len(h.via?.[0]?.params.branch) +
      len(h.from?.params.tag) +
      len(h.to?.params.tag) +
      len(h['call-id']) +
      (h.cseq ? h.cseq.seq : 0) +
      len(h.event) +
      len(h.expires) +
      len(h['content-type'])
    );
  },
  serialize(m) {
    return Buffer.from(sipPkg.stringify(m), 'latin1');
  },
  fields(m) {
    const h = m.headers;
    return {
      branch: h.via?.[0]?.params.branch ?? undefined,
      fromTag: h.from?.params.tag ?? undefined,
      toTag: h.to?.params.tag ?? undefined,
      callId: h['call-id'],
      cseq: h.cseq ? `${h.cseq.seq} ${h.cseq.method}` : undefined,
      event: h.event?.split(';')[0]?.trim(),
      expires: h.expires?.trim(),
      contentType: h['content-type']?.split(';')[0]?.trim().toLowerCase(),
    };
  },
};
