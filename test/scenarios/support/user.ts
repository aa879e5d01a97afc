import type { SipRequest, SipResponse } from '../../../src/sip/message/message.js';
import { newTag } from '../../../src/util/ids.js';
import type { SipPeer } from '../../support/sip-peer.js';
import { PS } from './addresses.js';
import { PIDF } from './presence-doc.js';

/** What a PUBLISH carries (RFC 3903 §4). */
export interface PublishOptions {
  /** The document; omitted for a refresh or a removal (RFC 3903 §4.3, §4.5). */
  body?: string | Buffer;
  /** Content-Type of the body; default application/pidf+xml. */
  contentType?: string;
  expires?: number;
  /** SIP-If-Match: the entity tag of the publication this PUBLISH changes. */
  ifMatch?: string;
  /** The Event value; default `presence`, `null` leaves the header out. */
  event?: string | null;
  /** The presentity (Request-URI and To); default the user's own AOR. */
  to?: string;
  headers?: Array<[string, string]>;
}

/** What an initial SUBSCRIBE carries (RFC 6665 §4.1.2.1). */
export interface SubscribeOptions {
  expires?: number;
  /** The Event value; default `presence`. */
  event?: string;
  headers?: Array<[string, string]>;
  /** A body, e.g. an event filter (RFC 4661); sent with {@link SubscribeOptions.contentType}. */
  body?: string;
  /** Content-Type of the body; default application/simple-filter+xml (RFC 4661 §4). */
  contentType?: string;
}

/** The media type of event notification filters (RFC 4661 §4). */
export const SIMPLE_FILTER = 'application/simple-filter+xml';

/** A subscription as the watcher sees it: the dialog identifiers and its last CSeq (RFC 3261 §12). */
export interface WatcherDialog {
  readonly presentity: string;
  readonly event: string;
  readonly callId: string;
  /** The watcher's tag (From of its SUBSCRIBEs). */
  readonly localTag: string;
  /** The presence server's tag (To tag of the 2xx). */
  readonly remoteTag: string;
  cseq: number;
}

/**
 * A user of the scenarios on one UE: `aor` is who they are (From of every request), `peer` the SIP
 * stack of the device. Acts as a watcher (SUBSCRIBE, NOTIFYs received) and as a PUA (PUBLISH).
 */
export class User {
  constructor(
    readonly peer: SipPeer,
    readonly aor: string,
  ) {}

  /** The Contact of this UE: where NOTIFYs reach it. */
  get contact(): string {
    return `<sip:${this.aor.slice(4, this.aor.indexOf('@'))}@${this.peer.host}:${this.peer.port};transport=loop>`;
  }

  /** Sends a PUBLISH (RFC 3903 §4) and resolves with the final response. */
  publish(opts: PublishOptions = {}): Promise<SipResponse> {
    const to = opts.to ?? this.aor;
    const headers: Array<[string, string]> = [['From', `<${this.aor}>;tag=${newTag()}`]];
    if (opts.event !== null) headers.push(['Event', opts.event ?? 'presence']);
    if (opts.expires !== undefined) headers.push(['Expires', String(opts.expires)]);
    if (opts.ifMatch !== undefined) headers.push(['SIP-If-Match', opts.ifMatch]);
    if (opts.body !== undefined) headers.push(['Content-Type', opts.contentType ?? PIDF]);
    headers.push(...(opts.headers ?? []));
    const body = typeof opts.body === 'string' ? opts.body : opts.body?.toString('utf8');
    return this.peer.send(this.peer.request('PUBLISH', to, headers, body), PS);
  }

  /** Sends an initial SUBSCRIBE to `presentity`; resolves with the response and, on 2xx, the dialog. */
  async subscribe(presentity: string, opts: SubscribeOptions = {}): Promise<{ res: SipResponse; dialog: WatcherDialog }> {
    const localTag = newTag();
    const event = opts.event ?? 'presence';
    const headers: Array<[string, string]> = [
      ['From', `<${this.aor}>;tag=${localTag}`],
      ['Contact', this.contact],
      ['Event', event],
      ['Accept', PIDF],
    ];
    if (opts.expires !== undefined) headers.push(['Expires', String(opts.expires)]);
    if (opts.body !== undefined) headers.push(['Content-Type', opts.contentType ?? SIMPLE_FILTER]);
    headers.push(...(opts.headers ?? []));
    const req = this.peer.request('SUBSCRIBE', presentity, headers, opts.body);
    const res = await this.peer.send(req, PS);
    const remoteTag = /;tag=([^;]+)/.exec(res.headers.get('To') ?? '')?.[1] ?? '';
    return { res, dialog: { presentity, event, callId: req.headers.get('Call-ID')!, localTag, remoteTag, cseq: 1 } };
  }

  /**
   * Sends a SUBSCRIBE within `d` (refresh, or unsubscribe with expires 0) with the next CSeq; `body`
   * (e.g. a changed filter, RFC 4660 §3.3.3) goes as `contentType`, default application/simple-filter+xml.
   */
  resubscribe(d: WatcherDialog, opts: { expires?: number; toTag?: string; headers?: Array<[string, string]>; body?: string; contentType?: string } = {}): Promise<SipResponse> {
    d.cseq += 1;
    const headers: Array<[string, string]> = [
      ['From', `<${this.aor}>;tag=${d.localTag}`],
      ['To', `<${d.presentity}>;tag=${opts.toTag ?? d.remoteTag}`],
      ['Call-ID', d.callId],
      ['CSeq', `${d.cseq} SUBSCRIBE`],
      ['Contact', this.contact],
      ['Event', d.event],
      ['Accept', PIDF],
    ];
    if (opts.expires !== undefined) headers.push(['Expires', String(opts.expires)]);
    if (opts.body !== undefined) headers.push(['Content-Type', opts.contentType ?? SIMPLE_FILTER]);
    headers.push(...(opts.headers ?? []));
    return this.peer.send(this.peer.request('SUBSCRIBE', d.presentity, headers, opts.body), PS);
  }

  /** The NOTIFYs received in dialog `d` so far, in arrival order. */
  notifies(d: WatcherDialog): SipRequest[] {
    return this.peer.received.filter((r) => isNotifyOf(r, d));
  }

  /** Waits until dialog `d` has received `n` NOTIFYs in all; resolves with the n-th. */
  async nthNotify(d: WatcherDialog, n: number): Promise<SipRequest> {
    const all = await this.peer.waitFor((r) => isNotifyOf(r, d), n);
    return all[n - 1]!;
  }

  /**
   * Answers the NOTIFYs of dialog `d` with `status` from now on (e.g. 481: the watcher forgot the
   * subscription); other requests still get 200.
   */
  answerNotifiesWith(d: WatcherDialog, status: number): void {
    const previous = this.peer.onRequest;
    this.peer.onRequest = (req) => (isNotifyOf(req, d) ? status : previous(req));
  }
}

function isNotifyOf(req: SipRequest, d: WatcherDialog): boolean {
  return req.method === 'NOTIFY' && req.headers.get('Call-ID') === d.callId;
}
