import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyPidfDiff, buildPidfDiff, buildPidfFull, PidfDiffError, readPidfDiff } from '../../../../src/presence/partial/pidf-diff.js';
import { parsePidf } from '../../../../src/presence/pidf/parse.js';
import { serializePidf } from '../../../../src/presence/pidf/serialize.js';
import { canonical } from './canonical.js';

const FIXTURES = join(import.meta.dirname, '../../../../../test/unit/presence/partial/fixtures');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

/** A PIDF body as the package renders it (serializePidf), from tuples given as [id, basic, contact]. */
function pidfOf(tuples: Array<[string, string, string]>, extra = ''): Buffer {
  const body = tuples.map(([id, basic, c]) => `<tuple id="${id}"><status><basic>${basic}</basic></status><contact>${c}</contact></tuple>`).join('');
  const text = `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:alice@example.com">${body}${extra}</presence>`;
  const r = parsePidf(Buffer.from(text));
  assert.ok(r.ok, r.ok ? '' : r.defect);
  return serializePidf(r.value);
}

const pidf = pidfOf;

describe('pidf-diff documents (RFC 5262)', () => {
  // The RFC's result document words the added tuple's note differently from its diff ("note element" vs
  // "person element"); the fixture uses the diff's wording.
  it('applies the RFC 5262 §6 <pidf-diff> example to its <pidf-full> example and yields its result document', () => {
    const full = applyPidfDiff(undefined, readPidfDiff(fixture('rfc5262-full.xml')));
    const diff = readPidfDiff(fixture('rfc5262-diff.xml'));
    assert.equal(diff.kind, 'diff');
    assert.equal(diff.version, 568);
    const patched = applyPidfDiff(full, diff);
    const expected = applyPidfDiff(undefined, readPidfDiff(fixture('rfc5262-result.xml')));
    assert.equal(canonical(patched), canonical(expected));
    assert.notEqual(canonical(full), canonical(expected));
    assert.ok(parsePidf(patched).ok);
  });

  it('a <pidf-full> carries the PIDF content with its version (RFC 5262 §3, §3.1)', () => {
    const body = pidf([['t1', 'open', 'sip:a@x']]);
    const full = buildPidfFull(body, 1);
    const doc = readPidfDiff(full);
    assert.equal(doc.kind, 'full');
    assert.equal(doc.version, 1);
    assert.equal(canonical(applyPidfDiff(undefined, doc)), canonical(body));
  });

  it('one changed tuple of ten is one <replace>, much smaller than the full document', () => {
    const tuples = Array.from({ length: 10 }, (_, i): [string, string, string] => [`t${i}`, 'open', `sip:alice@10.0.0.${i}`]);
    const before = pidf(tuples);
    const after = pidf(tuples.map((t, i) => (i === 4 ? [t[0], 'closed', t[2]] : t)));
    const diff = buildPidfDiff(before, after, 7)!;
    assert.ok(diff);
    assert.equal(diff.toString().match(/:replace /g)?.length, 1);
    assert.ok(diff.length * 2 < buildPidfFull(after, 7).length, `${diff.length} vs ${buildPidfFull(after, 7).length}`);
    const doc = readPidfDiff(diff);
    assert.equal(doc.version, 7);
    assert.equal(canonical(applyPidfDiff(before, doc)), canonical(after));
  });

  it('adds, removes and replaces tuples, persons and devices in place (RFC 5263 §4.4)', () => {
    // Unchanged tuples make the full document large enough for a diff to be worth sending.
    const same = Array.from({ length: 8 }, (_, i): [string, string, string] => [`s${i}`, 'open', `sip:alice-with-a-long-contact-${i}@example.com`]);
    const pidf = (t: Array<[string, string, string]>, extra: string): Buffer => pidfOf([...t, ...same], extra);
    const before = pidf([['a', 'open', 'sip:a'], ['b', 'open', 'sip:b'], ['c', 'open', 'sip:c']], '<dm:person id="p1"/><dm:device id="d1"><dm:deviceID>urn:x:1</dm:deviceID></dm:device>');
    const after = pidf([['n', 'open', 'sip:n'], ['b', 'closed', 'sip:b'], ['m', 'open', 'sip:m'], ['c', 'open', 'sip:c']], '<dm:person id="p2"/><dm:device id="d1"><dm:deviceID>urn:x:2</dm:deviceID></dm:device>');
    const diff = buildPidfDiff(before, after, 2);
    assert.ok(diff);
    assert.equal(canonical(applyPidfDiff(before, readPidfDiff(diff))), canonical(after));
  });

  it('is undefined (full state) when the entity or a top-level note changes', () => {
    const a = pidf([['a', 'open', 'sip:a']], '<note>one</note>');
    assert.equal(buildPidfDiff(a, pidf([['a', 'closed', 'sip:a']], '<note>two</note>'), 2), undefined);
    const other = Buffer.from(a.toString().replace('sip:alice@example.com', 'sip:bob@example.com'));
    assert.equal(buildPidfDiff(a, other, 2), undefined);
  });

  it('refuses what cannot be applied with 400 (RFC 5264 §4.3.2)', () => {
    const base = pidf([['a', 'open', 'sip:a']]);
    const ns = 'xmlns="urn:ietf:params:xml:ns:pidf" xmlns:p="urn:ietf:params:xml:ns:pidf-diff" entity="sip:alice@example.com"';
    const bad = (ops: string): unknown => {
      try {
        applyPidfDiff(base, readPidfDiff(Buffer.from(`<p:pidf-diff ${ns}>${ops}</p:pidf-diff>`)));
        return undefined;
      } catch (err) {
        return err;
      }
    };
    for (const ops of [
      `<p:replace sel="*/tuple[@id='zz']/status/basic/text()">open</p:replace>`,
      `<p:remove sel="*/tuple"/><p:remove sel="*/tuple"/>`,
      `<p:remove sel="*"/>`,
      `<p:add sel="*/x:tuple">oops</p:add>`,
      `<p:remove sel="*/tuple/status" ws="after"/>`,
      `<p:frobnicate sel="*"/>`,
    ]) {
      const err = bad(ops);
      assert.ok(err instanceof PidfDiffError && err.status === 400, `${ops}: ${String(err)}`);
    }
    assert.throws(() => applyPidfDiff(undefined, readPidfDiff(Buffer.from(`<p:pidf-diff ${ns}/>`))), PidfDiffError);
    assert.throws(() => readPidfDiff(base), /root element/);
    assert.throws(() => applyPidfDiff(base, readPidfDiff(Buffer.from(`<p:pidf-diff ${ns.replace('alice', 'eve')}/>`))), /entity/);
  });
});
