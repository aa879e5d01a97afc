import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { measureLoad } from '../../bench/presence/load.js';
import { parseSippStats, sippDurationMs } from '../../bench/presence/sipp-stats.js';

// The presence load benchmark (bench/presence/) on a small count: SIPp runs each load scenario against
// a fresh `presenced serve` and the runner reads SIPp's statistics and the server's CPU time.
describe('bench/presence', () => {
  for (const scenario of ['publish', 'subscribe'] as const) {
    test(`${scenario}: 200 calls at 200/s all succeed, with the server's CPU time per call`, async () => {
      const r = await measureLoad({ scenario, rate: 200, calls: 200, transport: 'udp', warmupCalls: 0 });
      assert.equal(r.created, 200);
      assert.equal(r.successful, 200, `failed ${r.failed}, SIPp exit ${r.sippExit}`);
      assert.equal(r.failed, 0);
      assert.equal(r.sippExit, 0);
      assert.ok(r.serverCpuMs > 0, 'the server used CPU time');
      assert.ok(Number.isFinite(r.cpuUsPerTransaction) && r.cpuUsPerTransaction > 0);
      assert.ok(r.wallMs >= 900, `200 calls at 200/s take about a second, not ${r.wallMs} ms`);
    });
  }

  test('SIPp durations are HH:MM:SS:microseconds', () => {
    assert.equal(sippDurationMs('00:00:01:002500'), 1002.5);
    assert.equal(sippDurationMs('01:02:03:000000'), 3_723_000);
    assert.throws(() => sippDurationMs('1.5'), /not a SIPp duration/);
  });

  test('statistics are read from the last row by column name; a missing column is named', () => {
    const header = 'CallRate(C);TotalCallCreated;SuccessfulCall(C);FailedCall(C);Retransmissions(C);OutOfCallMsgs(C);DeadCallMsgs(C);ResponseTime1(C);';
    const csv = `${header}\n1;1;1;0;0;0;0;00:00:00:001000;\n99.5;100;98;2;7;1;3;00:00:00:004000;\n`;
    assert.deepEqual(parseSippStats(csv), { callRate: 99.5, created: 100, successful: 98, failed: 2, retransmissions: 7, strayMessages: 4, meanResponseMs: 4 });
    assert.throws(() => parseSippStats(`${header.replace('FailedCall(C);', '')}\n1;1;1;0;0;0;00:00:00:001000;\n`), /no column FailedCall\(C\)/);
    assert.throws(() => parseSippStats(header), /no data row/);
  });
});
