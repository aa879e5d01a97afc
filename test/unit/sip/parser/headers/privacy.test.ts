import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PrivacyHeader } from '../../../../../src/sip/parser/headers/privacy.js';
import { defect, ok } from './grammar-helpers.js';

test('priv-values separated by semicolons, lower-cased (RFC 3323 §4.2, RFC 3325 §9.3)', () => {
  assert.deepEqual(ok(PrivacyHeader, 'id'), ['id']);
  assert.deepEqual(ok(PrivacyHeader, 'Header ; session;user;critical'), ['header', 'session', 'user', 'critical']);
  assert.deepEqual(ok(PrivacyHeader, 'none'), ['none']);
  assert.deepEqual(ok(PrivacyHeader, 'history'), ['history']);
});

test('commas, duplicates, none with others, and two lines are defects', () => {
  assert.ok(defect(PrivacyHeader, 'header, session'));
  assert.match(defect(PrivacyHeader, 'id;ID'), /duplicate/);
  assert.match(defect(PrivacyHeader, 'none;id'), /none/);
  assert.match(defect(PrivacyHeader, 'id', 'header'), /more than one/);
  for (const v of ['', ';id', 'id;', 'a b']) assert.ok(defect(PrivacyHeader, v), v);
});
