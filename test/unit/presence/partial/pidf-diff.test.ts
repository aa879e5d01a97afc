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
  describe('finer diffs: only the changed children of a component that keeps its place', () => {
    const many = Array.from({ length: 9 }, (_, i) => `<tuple id="s${i}"><status><basic>open</basic></status><contact>sip:alice-${i}@example.com</contact><note>device ${i}</note></tuple>`).join('');
    const doc = (tuple: string, extra = ''): Buffer => {
      const text = `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@example.com">${tuple}${many}${extra}</presence>`;
      const r = parsePidf(Buffer.from(text));
      assert.ok(r.ok, r.ok ? '' : r.defect);
      return serializePidf(r.value);
    };
    const roundTrip = (before: Buffer, after: Buffer): string => {
      const diff = buildPidfDiff(before, after, 2);
      assert.ok(diff, 'a diff');
      assert.equal(canonical(applyPidfDiff(before, readPidfDiff(diff))), canonical(after));
      return diff.toString();
    };

    it('a changed note is a <replace> of that note only (RFC 5261 §4.4)', () => {
      const t = (note: string): string => `<tuple id="x"><status><basic>open</basic></status><contact>sip:x@example.com</contact><note>${note}</note></tuple>`;
      const diff = roundTrip(doc(t('at work')), doc(t('in a meeting')));
      assert.match(diff, /<p:replace sel='\*\/tuple\[@id="x"\]\/note'><note>in a meeting<\/note><\/p:replace>/);
      assert.doesNotMatch(diff, /<contact>/);
    });

    it('a status flip replaces the basic status only', () => {
      const t = (basic: string): string => `<tuple id="x"><status><basic>${basic}</basic></status><contact>sip:x@example.com</contact></tuple>`;
      const diff = roundTrip(doc(t('open')), doc(t('closed')));
      assert.match(diff, /sel='\*\/tuple\[@id="x"\]\/status\/basic'><basic>closed<\/basic>/);
    });

    it('adds and removes children, and addresses repeated names by position', () => {
      const t = (inner: string): string => `<tuple id="x"><status><basic>open</basic></status>${inner}</tuple>`;
      let diff = roundTrip(doc(t('<note>a</note><note>b</note>')), doc(t('<note>a</note><note>c</note><timestamp>2026-11-22T02:00:00Z</timestamp>')));
      assert.match(diff, /\/note\[2\]'><note>c</);
      assert.match(diff, /<p:add sel='\*\/tuple\[@id="x"\]'><timestamp>/);
      const kept = '<note>b, a note long enough for a removal to be smaller than a replacement</note>';
      diff = roundTrip(doc(t(`<contact>sip:x@example.com</contact><note>a</note>${kept}`)), doc(t(`<contact>sip:x@example.com</contact>${kept}`)));
      assert.match(diff, /<p:remove sel='\*\/tuple\[@id="x"\]\/note\[1\]'\/>/);
      roundTrip(doc(t('<note>b</note>')), doc(t('<contact>sip:x@example.com</contact><note>a</note><note>b</note>')));
    });

    it('persons and devices get finer diffs too; changed attributes of the component replace it whole', () => {
      const person = (act: string, note: string): string => `<dm:person id="p"><rpid:activities><rpid:${act}/></rpid:activities><dm:note>${note}</dm:note></dm:person>`;
      const diff = roundTrip(doc('', person('busy', 'n')), doc('', person('away', 'n')));
      assert.match(diff, /dm:person\[@id="p"\]\/rpid:activities/);
      assert.doesNotMatch(diff, /dm:note/);
      const t = (prio: string): string => `<tuple id="x"><status><basic>open</basic></status><contact priority="${prio}">sip:x@example.com</contact></tuple>`;
      assert.match(roundTrip(doc(t('0.1')), doc(t('0.2'))), /sel='\*\/tuple\[@id="x"\]\/contact'/);
    });

    it('random child lists: the diff applied to the old document always gives the new one (300 cases)', () => {
      let seed = 7;
      const rnd = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
      const child = (): string => {
        const r = rnd();
        if (r < 0.3) return `<note>${Math.floor(rnd() * 3)}</note>`;
        if (r < 0.5) return `<contact>sip:${Math.floor(rnd() * 3)}@x</contact>`;
        if (r < 0.7) return `<rpid:class>${Math.floor(rnd() * 2)}</rpid:class>`;
        if (r < 0.85) return `<timestamp>2026-11-22T02:00:0${Math.floor(rnd() * 3)}Z</timestamp>`;
        return `<rpid:user-input>${rnd() < 0.5 ? 'idle' : 'active'}</rpid:user-input>`;
      };
      const kids = (): string[] => Array.from({ length: Math.floor(rnd() * 5) }, child);
      // Half the cases change one child (in place, added or removed), the others draw a new tuple.
      const mutate = (xs: string[]): string[] => {
        const ys = [...xs];
        const at = Math.floor(rnd() * (ys.length + 1));
        const r = rnd();
        if (r < 0.4 && at < ys.length) ys[at] = child();
        else if (r < 0.7 && at < ys.length) ys.splice(at, 1);
        else ys.splice(at, 0, child());
        return rnd() < 0.5 ? ys : kids();
      };
      // Documents PIDF refuses (e.g. two contacts in a tuple) are drawn again.
      const valid = (basic: string, xs: string[]): Buffer | undefined => {
        const r = parsePidf(Buffer.from(`<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@example.com"><tuple id="x"><status><basic>${basic}</basic></status>${xs.join('')}</tuple>${many}</presence>`));
        return r.ok ? serializePidf(r.value) : undefined;
      };
      let finer = 0;
      let cases = 0;
      for (let i = 0; i < 1000 && cases < 300; i++) {
        const xs = kids();
        const before = valid('open', xs);
        const after = valid(rnd() < 0.2 ? 'closed' : 'open', mutate(xs));
        if (!before || !after) continue;
        cases++;
        const diff = buildPidfDiff(before, after, 2);
        if (!diff) continue;
        if (/sel='[^']*\]\/[^']*'/.test(diff.toString())) finer++;
        assert.equal(canonical(applyPidfDiff(before, readPidfDiff(diff))), canonical(after), `case ${i}`);
      }
      assert.equal(cases, 300);
      assert.ok(finer > 100, `only ${finer} finer diffs`);
    });
  });
});
