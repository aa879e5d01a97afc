import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCsv } from '../../../src/hss/csv.js';

const read = (text: string): unknown[] => [...readCsv(text)];

test('RFC 4180: commas, quoted fields with commas, quotes and line breaks, CRLF and LF, BOM, blank lines', () => {
  const text = '\ufeffaor,password\r\nsip:a@x,"p,w"\n\n"sip:b@x","say ""hi""",,"x;y","Line\nTwo"\r\nlast,row';
  assert.deepEqual(read(text), [
    { line: 1, fields: ['aor', 'password'] },
    { line: 2, fields: ['sip:a@x', 'p,w'] },
    { line: 4, fields: ['sip:b@x', 'say "hi"', '', 'x;y', 'Line\nTwo'] },
    { line: 6, fields: ['last', 'row'] },
  ]);
  assert.deepEqual(read('a,b\n'), [{ line: 1, fields: ['a', 'b'] }]);
  assert.deepEqual(read('a,\n,b'), [{ line: 1, fields: ['a', ''] }, { line: 2, fields: ['', 'b'] }]);
  assert.deepEqual(read(''), []);
});

test('syntax errors name the line of their record and reading goes on with the next line', () => {
  assert.deepEqual(read('a,b"c\nok,1\n"x"y,2\nok,3\n"open,4\nnever'), [
    { line: 1, error: 'a quote inside an unquoted field' },
    { line: 2, fields: ['ok', '1'] },
    { line: 3, error: 'characters after a closing quote' },
    { line: 4, fields: ['ok', '3'] },
    { line: 5, error: 'a quoted field is not closed' },
  ]);
});
