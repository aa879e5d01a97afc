import assert from 'node:assert/strict';
import { HeaderList } from '../../../../../src/sip/message/headers.js';
import type { HeaderGrammar, ParseResult } from '../../../../../src/sip/message/headers.js';

/**
 * Parses header lines given as [name, value] (compact names allowed) through a grammar, the way a message's
 * HeaderList does: an absent header gives `{ ok: true, value: undefined }`.
 */
export function parseLines<T>(grammar: HeaderGrammar<T>, ...lines: Array<[string, string]>): ParseResult<T | undefined> {
  return new HeaderList(lines.map(([n, v]) => HeaderList.field(n, v))).parse(grammar);
}

/** The value of `grammar` over lines that all carry its own name. Fails the test on a defect. */
export function ok<T>(grammar: HeaderGrammar<T>, ...values: string[]): T {
  const r = parseLines(grammar, ...values.map((v): [string, string] => [grammar.name, v]));
  assert.ok(r.ok, r.ok ? '' : `${grammar.name}: ${values.join(' | ')}: ${r.defect}`);
  assert.notEqual(r.value, undefined);
  return r.value as T;
}

/** The defect of `grammar` over lines carrying its own name. Fails the test when they parse. */
export function defect<T>(grammar: HeaderGrammar<T>, ...values: string[]): string {
  const r = parseLines(grammar, ...values.map((v): [string, string] => [grammar.name, v]));
  assert.ok(!r.ok, `${grammar.name}: ${values.join(' | ')} should be rejected`);
  return r.defect;
}
