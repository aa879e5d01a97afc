import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCorpus } from '../../../bench/sip-parse/corpus.js';
import { QUICK_BUDGET, STEPS, checkSameFields, compareImplementations } from '../../../bench/sip-parse/measure.js';
import { formatTable, overall, verdict } from '../../../bench/sip-parse/report.js';

const corpus = loadCorpus();

test('the corpus holds the captured PUBLISH, SUBSCRIBE and NOTIFY requests and no responses', () => {
  const kinds = new Set(corpus.map((m) => m.kind));
  assert.deepEqual([...kinds].sort(), ['NOTIFY', 'PUBLISH', 'SUBSCRIBE']);
  assert.ok(corpus.every((m) => !m.bytes.toString('latin1').startsWith('SIP/')));
  assert.ok(corpus.some((m) => m.name === 'sipp-02-PUBLISH-initial.txt'));
});

test('both implementations read the same header values from every captured request', () => {
  checkSameFields(corpus.map((m) => m.bytes));
});

test('a message both implementations read differently is reported', () => {
  const publish = corpus.find((m) => m.name === 'sipp-02-PUBLISH-initial.txt')!.bytes;
  // The npm sip package only splits header lines at CRLF; a lone LF after Expires merges it into Event.
  const lf = Buffer.from(publish.toString('latin1').replace('Expires: 60\r\n', 'Expires: 60\n'), 'latin1');
  assert.throws(() => checkSameFields([lf]), /input 0: presenced reads/);
});

test('quick mode on one message gives positive, finite rates for both implementations on every step', () => {
  const message = corpus.find((m) => m.name === 'sipp-02-PUBLISH-initial.txt')!;
  const c = compareImplementations([message.bytes], QUICK_BUDGET);
  assert.deepEqual(
    c.steps.map((s) => s.step),
    [...STEPS],
  );
  for (const s of c.steps) {
    for (const m of [s.presenced, s.sip]) {
      assert.ok(m.ops > 0, `${s.step}: ops ${m.ops}`);
      assert.ok(m.nsPerOp > 0 && m.nsPerOp < 1e8, `${s.step}: ${m.nsPerOp} ns/op`);
      assert.ok(Number.isFinite(m.opsPerSec) && m.opsPerSec > 10, `${s.step}: ${m.opsPerSec} ops/s`);
      assert.ok(Math.abs(m.opsPerSec * m.nsPerOp - 1e9) < 1, `${s.step}: ops/s and ns/op disagree`);
    }
  }
  assert.ok(c.checksum > 0);
  const all = overall([{ group: 'PUBLISH', messages: 1, comparison: c }]);
  assert.equal(all.comparison.steps[0]!.presenced.nsPerOp, c.steps[0]!.presenced.nsPerOp);
  assert.match(formatTable([all]), /overall \(1\)\s+parse\s+[\d,]+/);
  assert.match(verdict(all), /^parse\+serialize overall: presenced\/sip = \d+\.\d\dx \(target >= 2x: (met|NOT met)\)$/);
});
