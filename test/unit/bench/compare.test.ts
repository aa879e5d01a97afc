import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { templateResponse } from '../../../bench/compare/ceiling.js';
import { kamailioArgs, kamailioBinary } from '../../../bench/compare/kamailio.js';
import { parseKbField, parseProcStat, processTree, usage, usageDelta } from '../../../bench/compare/procfs.js';
import { formatRatio, formatSteps, formatTable, formatValue } from '../../../bench/compare/report.js';
import { lastCounts, parseNotifyArrivals, parseResponseTimes, parseSippStats, percentile } from '../../../bench/compare/sipp.js';
import { DEFAULT_PLAN, judgeStep, nextRate, sustainedRate } from '../../../bench/compare/stepping.js';
import type { StepOutcome } from '../../../bench/compare/stepping.js';

// The pure parts of bench/compare: table formatting, the rate search, /proc and SIPp file parsing, and
// the ceiling responder's template.

const time = (hms: string, epoch: string) => `2026-11-22\t${hms}\t${epoch}`;

/** The columns of a SIPp -trace_stat file this benchmark reads, in SIPp's order and format. */
function statCsv(v: { created: number; ok: number; failed: number; retrans: number; outOfCall?: number; start: string; end: string }): string {
  const head = 'StartTime;LastResetTime;CurrentTime;TotalCallCreated;SuccessfulCall(C);FailedCall(C);OutOfCallMsgs(C);DeadCallMsgs(C);Retransmissions(C);';
  const row = [
    time('01:58:39.547330', v.start), time('01:58:40.398081', v.end), time('01:58:40.398157', v.end),
    v.created, v.ok, v.failed, v.outOfCall ?? 0, 0, v.retrans, '',
  ].join(';');
  const first = [time('01:58:39.547330', v.start), time('01:58:39.547330', v.start), time('01:58:39.547330', v.start), 0, 0, 0, 0, 0, 0, ''].join(';');
  return `${head}\n${first}\n${row}\n`;
}

test('SIPp statistics: the last row counts, elapsed time from StartTime to CurrentTime with microseconds', () => {
  const s = parseSippStats(statCsv({ created: 200, ok: 199, failed: 1, retrans: 3, outOfCall: 2, start: '1795312719.547330', end: '1795312720.397330' }));
  assert.deepEqual({ ...s, elapsedSeconds: Math.round(s.elapsedSeconds * 1e6) }, {
    created: 200, successful: 199, failed: 1, retransmissions: 3, stray: 2, elapsedSeconds: 850_000,
  });
  assert.throws(() => parseSippStats('StartTime;CurrentTime;\n'), /no data row/);
  assert.throws(() => parseSippStats(`StartTime;CurrentTime;\n${time('x', '1')};${time('y', '2')};\n`), /no column TotalCallCreated/);
});

test('SIPp counts: the columns ending with a suffix, in scenario order, from the last row', () => {
  const csv = [
    'CurrentTime;ElapsedTime;0_SUBSCRIBE_Sent;1_200_Recv;2_NOTIFY_Recv;3_200_Sent;4_NOTIFY_Recv;5_200_Sent;',
    `${time('01:58:59.962716', '1795312739.962716')};00:00:00:000000;0;0;0;0;0;0;`,
    `${time('01:59:01.858493', '1795312741.858493')};00:00:01:896000;20;20;20;20;7;7;`,
  ].join('\n');
  assert.deepEqual(lastCounts(csv, '_NOTIFY_Recv'), [20, 7]);
  assert.deepEqual(lastCounts(csv.split('\n')[0]!, '_NOTIFY_Recv'), []);
});

test('scenario log lines: response times in microseconds and NOTIFY arrivals per round', () => {
  assert.deepEqual(parseResponseTimes('rt 1554.000000\nrt 98\nsomething else\nrt 12.5\n'), [1554, 98, 12.5]);
  const arrivals = parseNotifyArrivals(
    'notify 1 1795312740.000000 597539.000000\nnotify 2 1795312741.000000 000012.000000\nnotify 1 1795312740 597679\n',
  );
  assert.deepEqual([...arrivals.keys()], [1, 2]);
  assert.deepEqual(arrivals.get(1), [1795312740597539, 1795312740597679]);
  assert.deepEqual(arrivals.get(2), [1795312741000012]);
});

test('percentile is the nearest rank', () => {
  const v = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 .. 1, unsorted on purpose
  assert.equal(percentile(v, 50), 50);
  assert.equal(percentile(v, 99), 99);
  assert.equal(percentile(v, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

const step = (target: number, passed: boolean, achieved = target): StepOutcome => ({ target, achieved, passed, reason: passed ? '' : 'x' });

test('rate search: starts at 1,000/s and steps up by 1.5 while steps pass', () => {
  assert.equal(nextRate([], DEFAULT_PLAN), 1000);
  assert.equal(nextRate([step(1000, true)], DEFAULT_PLAN), 1500);
  assert.equal(nextRate([step(1000, true), step(1500, true)], DEFAULT_PLAN), 2250);
});

test('rate search: without refinement, ends at the first failure after a pass, at the maximum rate and after maxSteps', () => {
  assert.equal(nextRate([step(1000, true), step(1500, false)], { ...DEFAULT_PLAN, refine: 0 }), null);
  assert.equal(nextRate([step(40_000, true)], DEFAULT_PLAN), 60_000); // the last allowed
  assert.equal(nextRate([step(40_001, true)], DEFAULT_PLAN), null);
  assert.equal(nextRate([step(39_000, true)], DEFAULT_PLAN), 58_500);
  const plan = { ...DEFAULT_PLAN, maxSteps: 2 };
  assert.equal(nextRate([step(1000, true), step(1500, true)], plan), null);
});

test('rate search: halves from the start while nothing passed, down to the minimum', () => {
  assert.equal(nextRate([step(1000, false)], DEFAULT_PLAN), 500);
  assert.equal(nextRate([step(1000, false), step(500, false)], DEFAULT_PLAN), 250);
  const steps = [step(1000, false), step(500, false), step(250, false)];
  assert.equal(nextRate(steps, DEFAULT_PLAN), 125);
  assert.equal(nextRate([...steps, step(125, false)], DEFAULT_PLAN), 63);
  assert.equal(nextRate([...steps, step(125, false), step(63, false)], DEFAULT_PLAN), null);
});

test('rate search: a failure above a pass is followed by 2 steps at the middle of the bracket', () => {
  const up = [step(1000, true), step(1500, true), step(2250, true), step(3375, false)];
  assert.equal(nextRate(up, DEFAULT_PLAN), 2756); // sqrt(2250 × 3375)
  assert.equal(nextRate([...up, step(2756, true)], DEFAULT_PLAN), 3050); // sqrt(2756 × 3375)
  assert.equal(nextRate([...up, step(2756, false)], DEFAULT_PLAN), 2490); // sqrt(2250 × 2756)
  assert.equal(nextRate([...up, step(2756, true), step(3050, false)], DEFAULT_PLAN), null);
  assert.equal(nextRate([...up, step(2756, false), step(2490, true)], DEFAULT_PLAN), null);
  // A bracket found by halving is narrowed the same way; a bracket under 5% is not split.
  assert.equal(nextRate([step(1000, false), step(500, true)], DEFAULT_PLAN), 707);
  assert.equal(nextRate([step(1000, true), step(1040, false)], DEFAULT_PLAN), null);
  assert.equal(nextRate([step(1000, true), step(1500, false)], { ...DEFAULT_PLAN, refine: 1 }), 1225);
  assert.equal(nextRate([step(1000, true), step(1500, false), step(1225, true)], { ...DEFAULT_PLAN, refine: 1 }), null);
});

test('sustained rate: the best achieved rate of a passing step', () => {
  assert.equal(sustainedRate([step(1000, true, 990), step(1500, true, 1480), step(2250, false, 2000)]), 1480);
  assert.equal(sustainedRate([step(1000, false, 700)]), 0);
});

test('a step passes with every call made, < 0.1% failed, no retransmission, no stray message and 90% of its rate', () => {
  const base = { created: 3000, successful: 3000, failed: 0, retransmissions: 0, stray: 0, elapsedSeconds: 3.01 };
  const ok = judgeStep(base, 3000, 1000);
  assert.equal(ok.passed, true);
  assert.equal(Math.round(ok.achieved), 997);
  assert.equal(ok.reason, '');
  assert.equal(judgeStep({ ...base, failed: 3, successful: 2997 }, 3000, 1000).passed, true);
  assert.match(judgeStep({ ...base, failed: 4, successful: 2996 }, 3000, 1000).reason, /4 failed/);
  assert.match(judgeStep({ ...base, retransmissions: 1 }, 3000, 1000).reason, /1 retransmissions/);
  assert.match(judgeStep({ ...base, stray: 2 }, 3000, 1000).reason, /2 stray/);
  assert.match(judgeStep({ ...base, created: 2000, successful: 2000 }, 3000, 1000).reason, /2000\/3000 calls/);
  assert.match(judgeStep({ ...base, elapsedSeconds: 4 }, 3000, 1000).reason, /reached 750\/s/);
  // Operations per call scale both the target and the achieved rate.
  const modify = judgeStep({ ...base, created: 300, successful: 300 }, 300, 100, 11);
  assert.equal(modify.target, 1100);
  assert.equal(Math.round(modify.achieved), 1096);
});

test('figures are written in their unit; missing ones as -', () => {
  assert.equal(formatValue(38_443.4, 'rate'), '38,443');
  assert.equal(formatValue(0.4567, 'ms'), '0.46');
  assert.equal(formatValue(22.04, 'ms'), '22.0');
  assert.equal(formatValue(27.33, 'us'), '27.3');
  assert.equal(formatValue(1633.2, 'us'), '1,633');
  assert.equal(formatValue(712.6, 'bytes'), '713');
  assert.equal(formatValue(null, 'rate'), '-');
  assert.equal(formatValue(NaN, 'ms'), '-');
  assert.equal(formatRatio(15_000, 30_000), '0.50x');
  assert.equal(formatRatio(1_000, 30_000), '0.033x');
  assert.equal(formatRatio(1, null), '-');
  assert.equal(formatRatio(1, 0), '-');
});

test('the table has one row per measure, aligned columns and the presenced/Kamailio ratio', () => {
  const table = formatTable([
    { measure: 'PUBLISH/s, new presentities', unit: 'rate', presenced: 1500, kamailio: 30_000, ceiling: 39_000 },
    { measure: 'p99, ms', unit: 'ms', presenced: 7.5, kamailio: null, ceiling: null },
  ]);
  const lines = table.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^measure\s+presenced\s+Kamailio\s+presenced\/Kamailio\s+Node ceiling$/);
  assert.match(lines[1]!, /^-+ {2}-+ {2}-+ {2}-+ {2}-+$/);
  assert.match(lines[2]!, /^PUBLISH\/s, new presentities\s+1,500\s+30,000\s+0\.050x\s+39,000$/);
  assert.match(lines[3]!, /^p99, ms\s+7\.50\s+-\s+-\s+-$/);
  // Right-aligned figures end in the same column.
  assert.equal(lines[2]!.length, lines[0]!.length);
});

test('step lines name the target, the rate reached and why a step failed', () => {
  assert.equal(
    formatSteps('presenced, publish-new:', [step(1000, true, 995), { target: 1500, achieved: 1200, passed: false, reason: '12 retransmissions' }]),
    'presenced, publish-new:\n  1,000/s -> 995/s ok\n  1,500/s -> 1,200/s FAILED: 12 retransmissions',
  );
});

test('/proc/<pid>/stat: ppid and utime + stime, even with spaces and parentheses in the command name', () => {
  const line = '16652 (kamailio (x) 1) S 16650 16650 12363 0 -1 4194304 100 0 0 0 250 37 0 0 20 0 1 0 328898 3133440 383';
  assert.deepEqual(parseProcStat(line), { pid: 16652, ppid: 16650, cpuTicks: 287 });
  assert.throws(() => parseProcStat('garbage'), /not a \/proc/);
});

test('/proc kB fields in bytes', () => {
  assert.equal(parseKbField('Name:\tnode\nVmRSS:\t    2096 kB\nVmData: 1 kB\n', 'VmRSS'), 2096 * 1024);
  assert.equal(parseKbField('Rss:                1692 kB\nPss:                 251 kB\n', 'Pss'), 251 * 1024);
  assert.throws(() => parseKbField('VmHWM: 1 kB\n', 'VmRSS'), /no VmRSS/);
});

test('this process: its tree starts with it, its CPU time grows with work, its memory is positive', () => {
  assert.equal(processTree(process.pid)[0], process.pid);
  const before = usage([process.pid]);
  const until = Date.now() + 50;
  let x = 0;
  while (Date.now() < until) x += Math.sqrt(x + 1);
  const after = usage([process.pid]);
  assert.ok(x > 0);
  assert.ok(after.rssBytes > 1 << 20 && after.pssBytes > 0);
  assert.ok(usageDelta(before, after).cpuUs >= 0);
  assert.equal(usage([2 ** 22 + 1]).cpuUs, 0); // a pid that does not exist counts as nothing
});

test('the ceiling responder copies Via, From, To, Call-ID and CSeq into its template 200', () => {
  const request = Buffer.from(
    [
      'PUBLISH sip:a@127.0.0.1:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1',
      'From: <sip:a@127.0.0.1>;tag=1',
      'To: <sip:a@127.0.0.1>',
      'Call-ID: c1@127.0.0.1',
      'CSeq: 7 PUBLISH',
      'Event: presence',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
    'latin1',
  );
  assert.equal(
    templateResponse(request).toString('latin1'),
    [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1',
      'From: <sip:a@127.0.0.1>;tag=1',
      'To: <sip:a@127.0.0.1>',
      'Call-ID: c1@127.0.0.1',
      'CSeq: 7 PUBLISH',
      'SIP-ETag: ceiling',
      'Expires: 3600',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
});

test('Kamailio is found as an executable in the search directories, or reported missing (quick runs then skip it)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-test-'));
  try {
    assert.equal(kamailioBinary([join(dir, 'none')]), null);
    const path = join(dir, 'kamailio');
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, 0o644);
    assert.equal(kamailioBinary([dir]), null, 'not executable');
    chmodSync(path, 0o755);
    assert.equal(kamailioBinary([join(dir, 'none'), dir]), path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Kamailio runs in the foreground on the given loopback port with the tlsf allocator and a db_text URL', () => {
  const args = kamailioArgs(35060, '/tmp/x/db');
  assert.deepEqual(args.slice(0, 5), ['-f', join(process.cwd(), 'bench/kamailio/kamailio.cfg'), '-DD', '-E', '-x']);
  assert.equal(args[args.indexOf('-x') + 1], 'tlsf');
  assert.equal(args[args.indexOf('-l') + 1], 'udp:127.0.0.1:35060');
  assert.equal(args[args.indexOf('-A') + 1], 'DBURL="text:///tmp/x/db"');
});
