import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WarningHeader } from '../../../../../src/sip/parser/headers/warning.js';
import { defect, ok } from './grammar-helpers.js';

test('RFC 3261 §20.43 examples: code, agent, unquoted text; comma inside the text', () => {
  const w = ok(WarningHeader,
    '307 isi.edu "Session parameter \'foo\' not understood", 301 isi.edu "Incompatible network address type \'E.164\'"',
    '399 [2001:db8::1]:5060 "a, b and \\"c\\""');
  assert.deepEqual(w[0], { code: 307, agent: 'isi.edu', text: "Session parameter 'foo' not understood" });
  assert.equal(w[1]!.code, 301);
  assert.deepEqual(w[2], { code: 399, agent: '[2001:db8::1]:5060', text: 'a, b and "c"' });
  assert.equal(ok(WarningHeader, '370 pseudo_nym! "x"')[0]!.agent, 'pseudo_nym!');
  assert.equal(ok(WarningHeader, '399 example.com:5061 ""')[0]!.text, '');
});

test('RFC 4475 scalarlg: a four-digit warn-code is a defect', () => {
  assert.match(defect(WarningHeader, '1812 overture "In Progress"'), /three digits/);
});

test('malformed values are defects', () => {
  for (const v of ['', '30 a "x"', '307 isi.edu', '307 isi.edu unquoted', '307 "no agent"', '307 isi.edu "x",', '307 a:b:c "x"',
    '307 isi.edu "unterminated']) {
    assert.ok(defect(WarningHeader, v), v);
  }
});
