import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Mutator, fuzzSettings, loadCorpus, withTrueContentLength } from './mutator.js';
import type { ChildMessage, ChildReport } from './server-child.js';
import { MALFORMED_RESPONSES, REQUEST_CASES, requestBytes } from './hostile-cases.js';
import { ReplyLog, TcpPeer, UdpPeer, sleep } from './sip-clients.js';
import type { Reply } from './sip-clients.js';

// Issue "hostile input", end to end: a real server (build(), UDP and TCP on 127.0.0.1, port 0) in its
// own process takes mutated messages from raw sockets, then must still be running, answer OPTIONS on both
// transports, have answered malformed requests with 400 naming the defect (513 when oversized), counted
// malformed responses without answering them, kept its heap bounded and its event loop unblocked.
// FUZZ_SEED picks the mutants; FUZZ_SERVER_COUNT the number of UDP datagrams (TCP gets a quarter).

const MAX_MESSAGE_SIZE = 4_000;
/** Largest datagram the client sends (IPv4 UDP carries at most 65,507 octets). */
const MAX_DATAGRAM = 65_000;
const UDP_BATCH = 50;
const PROBE_TIMEOUT_MS = 1_000;
const TCP_SESSIONS = 4;
const TCP_MESSAGES_PER_CONNECTION = 40;
const PHASE_DEADLINE_MS = 60_000;
const LOOP_DELAY_LIMIT_MS = 200;
const HEAP_GROWTH_LIMIT = 24 * 1024 * 1024;

const { seed, count: udpCount } = fuzzSettings(20_000, 'FUZZ_SERVER_COUNT');
const tcpCount = Math.ceil(udpCount / 4);
const mutator = new Mutator(loadCorpus(), seed);

const config = {
  domain: 'localhost',
  store: { kind: 'memory' },
  http: { port: 0 },
  auth: { mode: 'none' },
  sip: {
    host: '127.0.0.1',
    port: 0,
    // Short timers so that transactions created by valid-looking mutants end while the test runs.
    timers: { t1Ms: 5, t2Ms: 40, t4Ms: 50 },
    limits: { maxMessageSize: MAX_MESSAGE_SIZE, idleTimeoutSeconds: 30 },
  },
};

let child: ChildProcess;
let stderr = '';
let udpPort = 0;
let tcpPort = 0;
const log = new ReplyLog();
let udp: UdpPeer;
let baseline: ChildReport;

function fromChild<T extends ChildMessage['type']>(type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`server process sent no '${type}' in ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (m: ChildMessage): void => {
      if (m.type === type) done(undefined, m as Extract<ChildMessage, { type: T }>);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      done(new Error(`server process exited (code ${code}, signal ${signal}): ${stderr.slice(-2000)}`));
    function done(err?: Error, m?: Extract<ChildMessage, { type: T }>): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function measure(): Promise<ChildReport> {
  const reply = fromChild('report', 10_000);
  child.send({ type: 'measure' });
  return (await reply).report;
}

/** Messages the UAS core has seen: new requests and malformed messages (valid responses stop below it). */
function coreSeen(r: ChildReport): number {
  return r.stats.requests! + r.stats.malformedRequests! + r.stats.malformedResponses!;
}

function assertAlive(): void {
  assert.equal(child.exitCode, null, `server process exited: ${stderr.slice(-2000)}`);
  assert.equal(child.signalCode, null, `server process killed: ${stderr.slice(-2000)}`);
}

let optionsSeq = 0;
/** A valid OPTIONS; rport makes the UDP answer come back to the sending port (RFC 3581). */
function options(transport: 'UDP' | 'TCP', port: number): { callId: string; bytes: Buffer } {
  const callId = `options-${++optionsSeq}@fuzz`;
  return {
    callId,
    bytes: Buffer.from(
      `OPTIONS sip:ps@localhost SIP/2.0\r\nVia: SIP/2.0/${transport} 127.0.0.1:${port};branch=z9hG4bK-o${optionsSeq};rport\r\n` +
        `Max-Forwards: 70\r\nFrom: <sip:fuzz@localhost>;tag=f${optionsSeq}\r\nTo: <sip:ps@localhost>\r\nCall-ID: ${callId}\r\n` +
        `CSeq: ${optionsSeq} OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    ),
  };
}

/** Sends OPTIONS over UDP (up to three tries: datagrams may be lost) and returns the status. */
async function optionsOverUdp(): Promise<number | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const o = options('UDP', udp.port);
    await udp.send(o.bytes, udpPort);
    const r = await log.waitFor(o.callId, 2_000);
    if (r) return r.status;
  }
  return undefined;
}

async function optionsOverTcp(): Promise<number | undefined> {
  const peer = await TcpPeer.connect(tcpPort, log);
  const o = options('TCP', 5999);
  await peer.write(o.bytes);
  const r = await log.waitFor(o.callId, 3_000);
  peer.destroy();
  return r?.status;
}

/**
 * Sends UDP mutants `from` to `from + n - 1` in batches, each followed by an OPTIONS probe whose 200 is
 * awaited: the server reads its socket in order, so the answer means the batch has been processed (no
 * socket buffer overflows), and the server answers OPTIONS all along. Returns the probes answered.
 */
async function blastUdp(from: number, n: number): Promise<{ probes: number; answered: number }> {
  const deadline = Date.now() + PHASE_DEADLINE_MS;
  let probes = 0;
  let answered = 0;
  for (let i = from; i < from + n && Date.now() < deadline; i += UDP_BATCH) {
    const sends: Array<Promise<void>> = [];
    for (let k = i; k < Math.min(i + UDP_BATCH, from + n); k++) {
      const bytes = mutator.mutant(k).bytes.subarray(0, MAX_DATAGRAM);
      if (bytes.length) sends.push(udp.send(bytes, udpPort));
    }
    await Promise.all(sends);
    const probe = options('UDP', udp.port);
    await udp.send(probe.bytes, udpPort);
    probes++;
    if ((await log.waitFor(probe.callId, PROBE_TIMEOUT_MS))?.status === 200) answered++;
  }
  return { probes, answered };
}

/**
 * One TCP connection's worth of mutants: half with a true Content-Length (so they are framed and reach
 * the parser), written in one to four chunks; one connection in ten is dropped in the middle of a message.
 * Returns how many mutants it took, so the caller can move on.
 */
async function tcpSession(next: () => number | undefined): Promise<number> {
  const peer = await TcpPeer.connect(tcpPort, log);
  let sent = 0;
  for (let k = next(); k !== undefined; k = sent < TCP_MESSAGES_PER_CONNECTION ? next() : undefined) {
    const m = mutator.mutant(k);
    const bytes = k % 2 === 0 ? withTrueContentLength(m.bytes) : m.bytes;
    sent++;
    if (k % 10 === 3) {
      await peer.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      peer.destroy();
      return sent;
    }
    const pieces = 1 + (k % 4);
    const step = Math.ceil(bytes.length / pieces);
    for (let at = 0; at < bytes.length; at += step) {
      await peer.write(bytes.subarray(at, at + step));
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (peer.closed) return sent;
  }
  await sleep(20);
  peer.destroy();
  return sent;
}

describe('the server under mutated traffic', { timeout: 170_000 }, () => {
  before(async () => {
    child = fork(new URL('./server-child.js', import.meta.url), [JSON.stringify(config)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
    const ready = await fromChild('ready', 15_000);
    udpPort = ready.points.find((p) => p.transport === 'UDP')!.port;
    tcpPort = ready.points.find((p) => p.transport === 'TCP')!.port;
    udp = await UdpPeer.open(log);
  });

  after(async () => {
    await udp?.close();
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.send({ type: 'close' });
    const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') child.kill('SIGKILL');
    // close() must release every socket and timer: the process then ends by itself.
    assert.equal(code, 0, `server process did not exit cleanly after close(): ${String(code)} ${stderr.slice(-2000)}`);
  });

  it('answers OPTIONS over UDP and TCP before the fuzzing', async (t) => {
    t.diagnostic(`FUZZ_SEED=${seed} FUZZ_SERVER_COUNT=${udpCount} (UDP ${udpCount}, TCP ${tcpCount})`);
    assert.equal(await optionsOverUdp(), 200);
    assert.equal(await optionsOverTcp(), 200);
    // Warm-up, then the heap baseline the rest is compared with.
    await blastUdp(0, 1_000);
    await log.quiet(300, 5_000);
    await sleep(500);
    baseline = await measure();
  });

  it(`survives ${udpCount} mutated UDP datagrams`, async (t) => {
    const started = Date.now();
    const { probes, answered } = await blastUdp(1_000, udpCount);
    await log.quiet(300, 10_000);
    assertAlive();
    const udpReplies = log.replies.filter((r) => r.transport === 'UDP');
    t.diagnostic(`UDP: ${Date.now() - started} ms, ${udp.sendErrors} send errors, ${answered} of ${probes} ` +
      `OPTIONS probes answered, ${udpReplies.length} replies`);
    assert.equal(probes, Math.ceil(udpCount / UDP_BATCH), 'the UDP phase ran out of time');
    // Loopback UDP may drop a datagram under load now and then; the server must answer nearly every probe.
    assert.ok(answered >= probes * 0.95, `only ${answered} of ${probes} OPTIONS probes answered`);
    assert.deepEqual(log.problems, []);
    assert.ok(udpReplies.some((r) => r.status === 400), 'no 400 at all');
  });

  it(`survives ${tcpCount} mutated messages over TCP, split, and connections dropped mid-message`, async (t) => {
    const started = Date.now();
    const deadline = started + PHASE_DEADLINE_MS;
    const before = await measure();
    let nextIndex = 1_000_000;
    const end = nextIndex + tcpCount;
    const next = (): number | undefined => (nextIndex < end && Date.now() < deadline ? nextIndex++ : undefined);
    let connections = 0;
    await Promise.all(
      Array.from({ length: TCP_SESSIONS }, async () => {
        while (nextIndex < end && Date.now() < deadline) {
          connections++;
          await tcpSession(next);
        }
      }),
    );
    await log.quiet(500, 10_000);
    assertAlive();
    const tcpReplies = log.replies.filter((r) => r.transport === 'TCP');
    const seen = coreSeen(await measure()) - coreSeen(before);
    t.diagnostic(`TCP: ${nextIndex - 1_000_000} messages on ${connections} connections in ${Date.now() - started} ms, ` +
      `${seen} reached the UAS core, ${tcpReplies.length} replies`);
    assert.equal(nextIndex, end, 'the TCP phase ran out of time');
    // Raw mutants mostly break framing and end their connection; the framed half must get through.
    assert.ok(seen >= tcpCount / 10, `only ${seen} of ${tcpCount} TCP messages reached the UAS core`);
    assert.deepEqual(log.problems, []);
    // How many mutants get an answer depends on how many connections the peers drop before it arrives
    // (timing on a loaded machine); that malformed requests over TCP are answered 400 naming the defect is
    // asserted deterministically by the next test.
  });

  it('answers each malformed request with its status and the defect in the reason phrase', async () => {
    const wrong: string[] = [];
    let n = 0;
    for (const c of REQUEST_CASES) {
      for (const transport of c.transports) {
        const callId = `case-${++n}@fuzz`;
        let reply: Reply | undefined;
        if (transport === 'UDP') {
          for (let attempt = 0; attempt < 2 && !reply; attempt++) {
            await udp.send(requestBytes(c, 'UDP', udp.port, callId, `c${n}-${attempt}`), udpPort);
            reply = await log.waitFor(callId, 1_000);
          }
        } else {
          const peer = await TcpPeer.connect(tcpPort, log);
          await peer.write(requestBytes(c, 'TCP', 5999, callId, `c${n}`));
          reply = await log.waitFor(callId, 2_000);
          peer.destroy();
        }
        if (!reply || reply.status !== c.status || !c.reason.test(reply.reason)) {
          wrong.push(`${c.name} over ${transport}: expected ${c.status} naming ${c.reason}, got ${reply ? `${reply.status} '${reply.reason}'` : 'no answer'}`);
        }
      }
    }
    assertAlive();
    assert.deepEqual(wrong, []);
  });

  it('counts malformed responses and answers none of them', async () => {
    const strayLog = new ReplyLog();
    const stray = await UdpPeer.open(strayLog);
    const before = await measure();
    for (const [, bytes] of MALFORMED_RESPONSES) await stray.send(bytes, udpPort);
    // The server reads its UDP socket in order: once this OPTIONS is answered, the responses were handled.
    assert.equal(await optionsOverUdp(), 200);
    await sleep(200);
    const now = await measure();
    await stray.close();
    assert.deepEqual(strayLog.replies, [], 'a malformed response was answered');
    assert.deepEqual(
      { malformedResponses: now.stats.malformedResponses! - before.stats.malformedResponses!, malformedRequests: now.stats.malformedRequests! - before.stats.malformedRequests! },
      { malformedResponses: MALFORMED_RESPONSES.length, malformedRequests: 0 },
      `counted per kind of malformed response: ${MALFORMED_RESPONSES.map(([name]) => name).join(', ')}`,
    );
  });

  it('still answers OPTIONS over UDP and TCP; heap bounded; event loop never blocked', async (t) => {
    assertAlive();
    assert.equal(await optionsOverUdp(), 200);
    assert.equal(await optionsOverTcp(), 200);
    // Transactions of accepted mutants end after 64×T1 = 320 ms; wait them out before measuring.
    await sleep(1_000);
    const now = await measure();
    const growth = now.heapUsed - baseline.heapUsed;
    t.diagnostic(`heap ${(baseline.heapUsed / 1048576).toFixed(1)} → ${(now.heapUsed / 1048576).toFixed(1)} MiB; ` +
      `event loop busy at most ${now.loopBusyMaxMs.toFixed(1)} ms (wall-clock delay ${now.loopWallMaxMs.toFixed(1)} ms); core ${JSON.stringify(now.stats)}; replies ${JSON.stringify(log.counts())}; ` +
      `requests from the server ${JSON.stringify(Object.fromEntries(log.requests))}; ` +
      `loopback guard refused ${JSON.stringify(now.refused)}`);
    assert.ok(growth < HEAP_GROWTH_LIMIT, `heap grew by ${(growth / 1048576).toFixed(1)} MiB`);
    assert.ok(now.loopBusyMaxMs < LOOP_DELAY_LIMIT_MS, `event loop blocked for ${now.loopBusyMaxMs.toFixed(1)} ms`);
    assert.equal(now.stats.handlerErrors, 0);
    assert.ok((now.stats.malformedResponses ?? 0) > 0, 'no malformed response counted');
  });
});
