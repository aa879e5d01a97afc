import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { sleep } from './lab.js';
import type { Lab } from './lab.js';
import { usage } from './procfs.js';
import { lastCounts, parseNotifyArrivals, startSipp } from './sipp.js';
import { freePort } from './targets.js';

// Fan-out: N watchers of one presentity (one SIPp instance running fanout-watchers.xml, every call a
// watcher that stays subscribed), then PUBLISHes of that presentity sent from here, one at a time; each
// must reach every watcher as a NOTIFY. SIPp logs the arrival time of each NOTIFY.

/** PUBLISH rounds; fanout-watchers.xml waits for exactly this many NOTIFYs after the first. */
export const FANOUT_ROUNDS = 4;
/**
 * The first rounds warm the server up (its JIT compiles the fan-out path, as the rate measures' warm-up
 * load does for theirs): reported in the details, left out of the figures.
 */
export const WARMUP_ROUNDS = 1;
let measures = 0;

/** What a fan-out measure found (medians over the rounds after the warm-up). */
export interface FanoutResult {
  watchers: number;
  /** NOTIFYs delivered per second: watchers over the time from the PUBLISH to the last NOTIFY. */
  notifyPerSecond: number;
  /** From sending the PUBLISH to the arrival of the last NOTIFY at SIPp, ms. */
  lastNotifyMs: number;
  /** Server CPU time per NOTIFY (with its 200), microseconds, over the rounds after the warm-up. */
  cpuUsPerNotify: number;
  /** Per-round figures and anything that went wrong, for the report's details. */
  note: string;
}

/** Wall-clock time now in microseconds since the epoch (comparable with SIPp's gettimeofday). */
function nowUs(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

/** The median of `values` (NaN for none). */
function median(values: readonly number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A PUBLISH of `presentity` from our socket; `etag` makes it a modify (RFC 3903 §4.4). */
function publishRequest(presentity: string, serverPort: number, localPort: number, round: number, etag: string | null): string {
  const basic = round % 2 ? 'closed' : 'open';
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:${presentity}@127.0.0.1">` +
    `<tuple id="t1"><status><basic>${basic}</basic></status><note>round ${round}</note></tuple></presence>\r\n`;
  const uri = `sip:${presentity}@127.0.0.1:${serverPort}`;
  return [
    `PUBLISH ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK-${presentity}-${process.pid}-${round}`,
    'Max-Forwards: 70',
    `From: <${uri}>;tag=${presentity}-${process.pid}`,
    `To: <${uri}>`,
    `Call-ID: ${presentity}-${process.pid}-${serverPort}@127.0.0.1`,
    `CSeq: ${round} PUBLISH`,
    'Event: presence',
    'Expires: 3600',
    ...(etag ? [`SIP-If-Match: ${etag}`] : []),
    'Content-Type: application/pidf+xml',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/**
 * Sends `text` and resolves with the SIP-ETag of the 200 that answers it. Over UDP the request is sent
 * again after 0.5, 1, 2, 4, 4 … s (RFC 3261 §17.1.2.2, Timer E) until a final response; rejects on
 * another final status or after 32 s (Timer F).
 */
function publish(sock: Socket, serverPort: number, text: string): Promise<string> {
  return new Promise((res, rej) => {
    let interval = 500;
    let resend: NodeJS.Timeout;
    const again = () => {
      sock.send(text, serverPort, '127.0.0.1');
      resend = setTimeout(again, interval);
      interval = Math.min(interval * 2, 4000);
    };
    const timer = setTimeout(() => done(new Error('no final answer to the fan-out PUBLISH in 32 s')), 32_000);
    const onMessage = (m: Buffer) => {
      const head = m.toString('latin1');
      const status = /^SIP\/2\.0 (\d{3})/.exec(head);
      if (!status || Number(status[1]) < 200) return;
      const etag = /\r\nSIP-ETag:\s*([^\s]+)/i.exec(head);
      if (status[1] !== '200' || !etag) done(new Error(`fan-out PUBLISH answered ${head.split('\r\n')[0]}`));
      else done(undefined, etag[1]!);
    };
    const done = (e: Error | undefined, etag = '') => {
      clearTimeout(timer);
      clearTimeout(resend);
      sock.off('message', onMessage);
      if (e) rej(e);
      else res(etag);
    };
    sock.on('message', onMessage);
    again();
  });
}

/** Polls `read` every 100 ms until it returns true; false after `timeoutMs`. */
async function until(read: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (read()) return true;
    await sleep(100);
  }
  return read();
}

/**
 * Subscribes `watchers` watchers to a new presentity at `subscribeRate`/s on a fresh server, then sends
 * {@link FANOUT_ROUNDS} PUBLISHes, each after every watcher got the previous NOTIFY.
 */
export async function measureFanout(lab: Lab, watchers: number, subscribeRate: number): Promise<FanoutResult> {
  // A presentity of its own: the server may be shared with other measures (quick runs).
  const presentity = `fan${++measures}x${watchers}`;
  const target = await lab.start();
  const sock = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  const subscribeSeconds = watchers / subscribeRate;
  const roundTimeoutMs = 60_000;
  const sipp = startSipp(lab.workDir, {
    scenario: 'fanout-watchers.xml',
    serverPort: target.port,
    localPort: await freePort(),
    service: presentity,
    calls: watchers,
    rate: subscribeRate,
    limit: watchers,
    maxSeconds: subscribeSeconds * 3 + 30 + (FANOUT_ROUNDS * roundTimeoutMs) / 1000,
    logs: true,
    counts: true,
  });
  let exited = false;
  void sipp.done.then(
    () => (exited = true),
    () => (exited = true),
  );
  // Column i of the counts: NOTIFYs received at step i (0: the first NOTIFY, then one per round).
  const notified = (i: number): number => lastCounts(sipp.counts(), '_NOTIFY_Recv')[i] ?? 0;
  // NOTIFYs the server sent again (no 200 from SIPp in time), over the rounds.
  const resent = (): number => lastCounts(sipp.counts(), '_NOTIFY_Retrans').slice(1).reduce((a, b) => a + b, 0);
  const notes: string[] = [];
  const sent: number[] = [];
  let cpuUs = 0;
  let cpuRounds = 0;
  let complete = 0;
  try {
    if (!(await until(() => exited || notified(0) >= watchers, subscribeSeconds * 3 * 1000 + 30_000))) {
      throw new Error(`only ${notified(0)}/${watchers} watchers subscribed in time`);
    }
    if (exited) throw new Error(`SIPp exited with ${notified(0)}/${watchers} watchers subscribed`);
    let etag: string | null = null;
    for (let round = 1; round <= FANOUT_ROUNDS; round++) {
      await sleep(300);
      const before = usage(target.pids()).cpuUs;
      sent.push(nowUs());
      etag = await publish(sock, target.port, publishRequest(presentity, target.port, sock.address().port, round, etag));
      const all = await until(() => notified(round) >= watchers, roundTimeoutMs);
      await sleep(200); // the 200s to the last NOTIFYs
      if (round > WARMUP_ROUNDS) {
        cpuUs += usage(target.pids()).cpuUs - before;
        cpuRounds++;
      }
      if (!all) {
        notes.push(`round ${round}: ${notified(round)}/${watchers} NOTIFYs in ${roundTimeoutMs / 1000} s`);
        break;
      }
      complete = round;
    }
  } finally {
    sock.close();
    // SIPp ends by itself once every watcher saw every round; otherwise it is stopped here (SIGINT:
    // it still writes its statistics and logs; startSipp kills it later if it does not exit).
    if (complete < FANOUT_ROUNDS && !exited) process.kill(sipp.pid, 'SIGINT');
    await sipp.done.catch(() => undefined);
    await target.stop();
  }
  const retransmitted = resent();
  const result = await sipp.done.catch(() => null);
  const arrivals = parseNotifyArrivals(result?.log ?? '');
  const lastMs: number[] = [];
  const rates: number[] = [];
  for (let round = 1; round <= complete; round++) {
    const times = arrivals.get(round) ?? [];
    const last = Math.max(...times);
    const ms = (last - sent[round - 1]!) / 1000;
    const warmup = round <= WARMUP_ROUNDS;
    if (!warmup) {
      lastMs.push(ms);
      rates.push((times.length * 1000) / ms);
    }
    notes.push(`${warmup ? 'warm-up ' : ''}round ${round}: ${times.length} NOTIFYs, last after ${ms.toFixed(1)} ms`);
  }
  notes.push(`${retransmitted} NOTIFYs retransmitted by the server`);
  return {
    watchers,
    notifyPerSecond: median(rates),
    lastNotifyMs: median(lastMs),
    cpuUsPerNotify: cpuRounds > 0 ? cpuUs / (watchers * cpuRounds) : NaN,
    note: notes.join('; '),
  };
}
