import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentEncodingHeader } from '../../../../../src/sip/parser/headers/content-encoding.js';
import { defect, ok, parseLines } from './grammar-helpers.js';

test('Content-Encoding: tokens, lower-cased, merged across lines', () => {
  assert.deepEqual(ok(ContentEncodingHeader, 'deflate'), ['deflate']);
  assert.deepEqual(ok(ContentEncodingHeader, 'GZip , deflate', 'identity'), ['gzip', 'deflate', 'identity']);
});

test('compact form e', () => {
  const r = parseLines(ContentEncodingHeader, ['e', 'deflate']);
  assert.ok(r.ok);
  assert.deepEqual(r.value, ['deflate']);
});

test('at least one content-coding; no separators but commas', () => {
  for (const v of ['', 'gzip,', 'gzip deflate', 'gzip;q=1']) assert.ok(defect(ContentEncodingHeader, v), v);
});
