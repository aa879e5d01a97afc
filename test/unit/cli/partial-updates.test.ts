import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { basicStatusDiff, statusOfLine } from '../../../src/cli/partial-updates.js';
import { tupleIdFor } from '../../../src/cli/publish.js';
import { applyPidfDiff, readPidfDiff } from '../../../src/presence/partial/pidf-diff.js';
import { buildPidf, parsePidf } from '../../../src/presence/pidf/index.js';

describe('presenced publish --partial (RFC 5264 §4.2)', () => {
  const aor = 'sip:alice@example.com';
  const full = buildPidf({ entity: aor, tupleId: tupleIdFor(aor), basic: 'open', note: 'at work' });

  it('a status line becomes a <pidf-diff> changing only the basic status of the published tuple', () => {
    const diff = basicStatusDiff(aor, tupleIdFor(aor), 'closed', 2);
    const doc = readPidfDiff(diff);
    assert.deepEqual([doc.kind, doc.version, doc.entity], ['diff', 2, aor]);
    const patched = parsePidf(applyPidfDiff(full, doc));
    assert.ok(patched.ok);
    assert.equal(patched.value.tuples[0]!.basic, 'closed');
    assert.equal(patched.value.tuples[0]!.notes[0]!.text, 'at work');
    assert.equal(diff.toString().match(/<p:replace /g)?.length, 1);
  });

  it('reads open and closed, nothing else', () => {
    assert.equal(statusOfLine(' Open '), 'open');
    assert.equal(statusOfLine('closed\r'), 'closed');
    assert.equal(statusOfLine('away'), undefined);
  });
});
