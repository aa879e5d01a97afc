import { parseArgs } from 'node:util';
import { validateConfig } from '../../src/config/load.js';
import { build } from '../../src/server.js';
import { serialize } from '../../src/sip/message/serialize.js';
import type { SipRequest } from '../../src/sip/message/message.js';
import { LoopNetwork } from '../../src/sip/transport/loop.js';
import { MemoryStores } from '../../src/store/memory/memory-stores.js';
import { FakeClock } from '../../src/util/clock.js';
import { newTag } from '../../src/util/ids.js';
import { SipPeer } from '../../test/support/sip-peer.js';

/**
 * `node dist/bench/partial/run.js [--updates 20] [--samples]`: bytes on the wire per update, partial notification
 * (RFC 5263, application/pidf-diff+xml) vs full PIDF documents (issue 6 measure). One presentity
 * publishes 10 tuples; then `--updates` times one tuple changes. Two watchers: one accepting pidf-diff,
 * one PIDF only. Each NOTIFY is counted as the bytes of the whole message (start line, headers, body)
 * as serialised for the wire, and as its body alone. Two kinds of change: a tuple's note (the tuple keeps
 * its place) and a tuple's basic status (composition then moves it: a <remove> and an <add>). In process
 * on the LOOP network. Prints a Markdown table.
 */

const DOMAIN = 'home1.net';
const PS = { transport: 'LOOP' as const, address: 'ps.test', port: 5060 };
const PRESENTITY = `sip:alice@${DOMAIN}`;
const TUPLES = 10;

/**
 * What an update changes in one tuple: its note and timestamp, its basic status and timestamp (what
 * phones send: the timestamp goes with every change), or its note alone (the timestamp stays).
 */
type Change = 'note' | 'basic' | 'note-only';

/**
 * Tuple `i` in the shape real phones publish (/work/shared/captures): linphone's (basic status with
 * <pidfonline:online/>, contact with priority, timestamp), an IMS client's (OMA service-description of
 * the IM service, TS 23.141 §6.2, contact, RPID class) and baresip/Twinkle's (basic status, contact),
 * rotating; every tuple also carries a note and a timestamp, as linphone's do after a status change.
 */
function tuple(i: number, basic: string, note: string, stamp: string): string {
  const contact = (prio: string): string => `<contact priority="${prio}">sip:alice@192.0.2.${10 + i}:5060;transport=tcp</contact>`;
  const tail = `<note xml:lang="en">${note}</note><timestamp>${stamp}</timestamp>`;
  if (i % 3 === 0) return `<tuple id="pfvgr${i}"><status><basic>${basic}</basic><pidfonline:online/></status>${contact('0.8')}${tail}</tuple>`;
  if (i % 3 === 1) {
    const service = '<op:service-description><op:service-id>org.openmobilealliance:IM-session</op:service-id><op:version>1.0</op:version></op:service-description>';
    return `<tuple id="ims${i}"><status><basic>${basic}</basic></status>${service}${contact('0.9')}<rpid:class>im</rpid:class>${tail}</tuple>`;
  }
  return `<tuple id="t41${i}"><status><basic>${basic}</basic></status>${contact('1.0')}${tail}</tuple>`;
}

/**
 * Alice's document after `update` updates: update u touches tuple u mod 10 only, giving it the note
 * "update u" (`note`, `note-only`) or flipping its basic status (`basic`), and a new timestamp (not for
 * `note-only`); earlier changes stay.
 */
function document(change: Change, update: number): string {
  const tuples = Array.from({ length: TUPLES }, (_, i) => {
    let touches = 0;
    let last = 0;
    for (let u = 1; u <= update; u++) {
      if (u % TUPLES === i) {
        touches++;
        last = u;
      }
    }
    const basic = change === 'basic' && touches % 2 === 1 ? 'closed' : 'open';
    const note = change !== 'basic' && touches > 0 ? `update ${last}` : `device ${i} available`;
    const stamp = `2026-11-22T02:${String(change === 'note-only' ? 0 : last).padStart(2, '0')}:0${i}Z`;
    return tuple(i, basic, note, stamp);
  }).join('');
  const ns = 'xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:op="urn:oma:xml:prs:pidf:oma-pres" xmlns:pidfonline="http://www.linphone.org/xsds/pidfonline.xsd"';
  return `<?xml version="1.0" encoding="UTF-8"?><presence ${ns} entity="${PRESENTITY}">${tuples}</presence>`;
}

async function settle(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

interface Totals {
  fullMessage: number;
  fullBody: number;
  partialMessage: number;
  partialBody: number;
  diffs: number;
  notifies: number;
  /** One full PIDF body and one whole partial NOTIFY, as examples. */
  sampleFull: string;
  sampleDiff: string;
}

async function measure(change: Change, updates: number): Promise<Totals> {
  const net = new LoopNetwork();
  const clock = new FakeClock();
  const stores = new MemoryStores();
  const config = validateConfig({
    domain: DOMAIN, nodeId: 'bench', sip: { host: PS.address, port: PS.port }, store: { kind: 'memory' },
    auth: { mode: 'none' }, presence: { defaultSubHandling: 'allow' },
  });
  const server = build(config, { loopNetwork: net, clock, stores });
  await server.listen();
  const pua = await SipPeer.start(net, 'alice');
  const full = await SipPeer.start(net, 'carol');
  const partial = await SipPeer.start(net, 'bob');
  try {
    for (const [peer, accept] of [[full, 'application/pidf+xml'], [partial, 'application/pidf+xml, application/pidf-diff+xml']] as const) {
      const res = await peer.send(peer.request('SUBSCRIBE', PRESENTITY, [
        ['From', `<sip:${peer.host}@${DOMAIN}>;tag=${newTag()}`], ['Contact', `<sip:w@${peer.host}:${peer.port};transport=loop>`],
        ['Event', 'presence'], ['Accept', accept], ['Expires', '3600'],
      ]), PS);
      if (res.status !== 200) throw new Error(`SUBSCRIBE answered ${res.status}`);
    }
    let etag: string | undefined;
    const publish = async (update: number): Promise<void> => {
      const headers: Array<[string, string]> = [['From', `<${PRESENTITY}>;tag=${newTag()}`], ['Event', 'presence'], ['Content-Type', 'application/pidf+xml']];
      if (etag) headers.push(['SIP-If-Match', etag]);
      const res = await pua.send(pua.request('PUBLISH', PRESENTITY, headers, document(change, update)), PS);
      if (res.status !== 200) throw new Error(`PUBLISH answered ${res.status}`);
      etag = res.headers.get('SIP-ETag') ?? undefined;
      await settle(50);
    };
    await publish(0);
    const [f0, p0] = [full.received.length, partial.received.length];
    for (let u = 1; u <= updates; u++) await publish(u);
    const fulls: SipRequest[] = full.received.slice(f0);
    const partials: SipRequest[] = partial.received.slice(p0);
    if (fulls.length !== updates || partials.length !== updates) throw new Error(`expected ${updates} NOTIFYs each, got ${fulls.length} and ${partials.length}`);
    const sum = (xs: SipRequest[], f: (r: SipRequest) => number): number => xs.reduce((n, r) => n + f(r), 0);
    return {
      fullMessage: sum(fulls, (r) => serialize(r).length),
      fullBody: sum(fulls, (r) => r.body.length),
      partialMessage: sum(partials, (r) => serialize(r).length),
      partialBody: sum(partials, (r) => r.body.length),
      diffs: partials.filter((r) => r.body.toString('utf8').includes(':pidf-diff')).length,
      notifies: updates,
      sampleFull: fulls[0]!.body.toString('utf8'),
      sampleDiff: serialize(partials[0]!).toString('utf8'),
    };
  } finally {
    for (const p of [pua, full, partial]) await p.close();
    await server.close();
    await stores.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { updates: { type: 'string', default: '20' }, samples: { type: 'boolean', default: false } } });
  const updates = Number(values.updates);
  console.log(`${TUPLES} tuples, ${updates} updates of one tuple each; bytes per NOTIFY (mean)\n`);
  console.log('| change | full PIDF message | partial message | fewer bytes | full body | partial body | fewer bytes (body) | NOTIFYs sent as <pidf-diff> |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const samples: string[] = [];
  for (const change of ['note', 'basic', 'note-only'] as const) {
    const t = await measure(change, updates);
    samples.push(`first partial NOTIFY (${change}):\n${t.sampleDiff}`);
    if (change === 'note') samples.unshift(`first full NOTIFY body (${change}, ${t.sampleFull.length} bytes):\n${t.sampleFull}`);
    const per = (n: number): string => (n / t.notifies).toFixed(0);
    const what = { note: 'note and timestamp', basic: 'basic status and timestamp', 'note-only': 'note alone (timestamp kept)' }[change];
    console.log(`| a tuple's ${what} | ${per(t.fullMessage)} | ${per(t.partialMessage)} | ${(t.fullMessage / t.partialMessage).toFixed(1)}x | ${per(t.fullBody)} | ${per(t.partialBody)} | ${(t.fullBody / t.partialBody).toFixed(1)}x | ${t.diffs}/${t.notifies} |`);
  }
  if (values.samples) console.log(`\n${samples.join('\n')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
