import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseMessage } from '../../../src/sip/parser/parse-message.js';
import { serialize } from '../../../src/sip/message/serialize.js';

// Real client and server messages (../shared/captures): each parses, and re-serialises to a message that
// parses to the same start line, the same headers (canonical names) and the same body.
const dir = join(process.cwd(), '..', 'shared', 'captures');
const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));

test('captures directory holds the real client messages', () => {
  assert.ok(files.length >= 30, `found ${files.length}`);
});

for (const f of files) {
  test(`capture ${f} parses and round-trips`, () => {
    const r = parseMessage(readFileSync(join(dir, f)));
    assert.ok(r.ok, r.ok ? '' : `${r.status} ${r.defect}`);
    const again = parseMessage(serialize(r.message));
    assert.ok(again.ok);
    const a = r.message;
    const b = again.message;
    assert.equal(b.kind, a.kind);
    assert.deepEqual(
      b.headers.all().filter((h) => h.key !== 'content-length'),
      a.headers.all().filter((h) => h.key !== 'content-length'),
    );
    assert.deepEqual(b.body, a.body);
    assert.equal(b.headers.get('Content-Length'), String(a.body.length));
  });
}
