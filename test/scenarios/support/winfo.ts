import { DOMParser } from '@xmldom/xmldom';
import type { SipRequest, SipResponse } from '../../../src/sip/message/message.js';
import { newTag } from '../../../src/util/ids.js';
import { PS } from './addresses.js';
import type { User, WatcherDialog } from './user.js';

/** Watcher information as a PUA reads it (RFC 3858): the document's version and state, and each watcher. */
export interface WinfoView {
  readonly version: number;
  readonly state: string;
  readonly resource: string;
  readonly watchers: Array<Record<string, string>>;
  /** The anonymous-attempts count of our extension, 0 when absent. */
  readonly anonymousAttempts: number;
}

/** Reads a watcherinfo NOTIFY body; each watcher as its attributes plus `uri` (its content). */
export function winfoOf(notify: SipRequest): WinfoView {
  const doc = new DOMParser().parseFromString(notify.body.toString('utf8'), 'text/xml');
  const root = doc.documentElement!;
  const list = root.getElementsByTagName('watcher-list').item(0)!;
  const watchers: Array<Record<string, string>> = [];
  const els = list.getElementsByTagName('watcher');
  for (let i = 0; i < els.length; i++) {
    const el = els.item(i)!;
    const w: Record<string, string> = { uri: el.textContent ?? '' };
    for (let j = 0; j < el.attributes.length; j++) w[el.attributes.item(j)!.name] = el.attributes.item(j)!.value;
    watchers.push(w);
  }
  const anon = list.getElementsByTagName('anonymous-attempts').item(0)?.getAttribute('count');
  return {
    version: Number(root.getAttribute('version')),
    state: root.getAttribute('state') ?? '',
    resource: list.getAttribute('resource') ?? '',
    watchers,
    anonymousAttempts: anon ? Number(anon) : 0,
  };
}

/** Sends a presence.winfo SUBSCRIBE (RFC 3857) from `user` to `presentity`, with a filter body if given. */
export async function subscribeWinfo(
  user: User,
  presentity: string,
  opts: { expires?: number; filter?: string } = {},
): Promise<{ res: SipResponse; dialog: WatcherDialog }> {
  const localTag = newTag();
  const headers: Array<[string, string]> = [
    ['From', `<${user.aor}>;tag=${localTag}`],
    ['Contact', user.contact],
    ['Event', 'presence.winfo'],
    ['Accept', 'application/watcherinfo+xml'],
  ];
  if (opts.expires !== undefined) headers.push(['Expires', String(opts.expires)]);
  if (opts.filter !== undefined) headers.push(['Content-Type', 'application/simple-filter+xml']);
  const req = user.peer.request('SUBSCRIBE', presentity, headers, opts.filter);
  const res = await user.peer.send(req, PS);
  const remoteTag = /;tag=([^;]+)/.exec(res.headers.get('To') ?? '')?.[1] ?? '';
  return { res, dialog: { presentity, event: 'presence.winfo', callId: req.headers.get('Call-ID')!, localTag, remoteTag, cseq: 1 } };
}

/** Refreshes a winfo subscription (RFC 3857 §4.4: answered with full state). */
export function refreshWinfo(user: User, d: WatcherDialog, expires: number): Promise<SipResponse> {
  d.cseq += 1;
  const headers: Array<[string, string]> = [
    ['From', `<${user.aor}>;tag=${d.localTag}`],
    ['To', `<${d.presentity}>;tag=${d.remoteTag}`],
    ['Call-ID', d.callId],
    ['CSeq', `${d.cseq} SUBSCRIBE`],
    ['Contact', user.contact],
    ['Event', d.event],
    ['Accept', 'application/watcherinfo+xml'],
    ['Expires', String(expires)],
  ];
  return user.peer.send(user.peer.request('SUBSCRIBE', d.presentity, headers), PS);
}
