import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage } from '../../src/sip/parser/parse-message.js';

// Inputs the fuzz suite found mishandled (see regressions/README.md). Each is a request with readable
// Request-Line, Via, CSeq and Call-ID and one defect: the parse fails with the status and defect, and the
// partly parsed request comes with it, so that the UAS core can answer it (issue "hostile input").

const DIR = join(process.cwd(), 'test', 'fuzz', 'regressions');
const MAX_SIZE = 4_000;

const EXPECTED: Readonly<Record<string, { status: number; defect: RegExp }>> = {
  'header-line-without-colon.dat': { status: 400, defect: /Malformed header line 'NoColonHere'/ },
  'control-character-in-header-value.dat': { status: 400, defect: /Control character in header 'Subject'/ },
  'invalid-utf8-in-header-value.dat': { status: 400, defect: /UTF-8/ },
  'over-max-message-size.dat': { status: 513, defect: /Message Too Large/ },
};

test('every regression fixture has its expectation', () => {
  assert.deepEqual(readdirSync(DIR).filter((f) => f.endsWith('.dat')).sort(), Object.keys(EXPECTED).sort());
});

for (const [file, want] of Object.entries(EXPECTED)) {
  for (const stream of [false, true]) {
    test(`regression ${file} (${stream ? 'stream' : 'datagram'}): ${want.status} with the partly parsed request`, () => {
      const r = parseMessage(readFileSync(join(DIR, file)), { stream, maxSize: MAX_SIZE });
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.status, want.status);
      assert.match(r.defect, want.defect);
      const m = r.message;
      assert.equal(m?.kind, 'request', 'no partly parsed request: the UAS core cannot answer');
      for (const h of ['Via', 'CSeq', 'Call-ID']) assert.ok(m.headers.has(h), `partial message lacks ${h}`);
    });
  }
}
