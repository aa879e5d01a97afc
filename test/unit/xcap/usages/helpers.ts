import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import type { Document } from '@xmldom/xmldom';
import type { XcapTree, XcapValidationContext } from '../../../../src/xcap/application-usage.js';

/** The example documents of the application usage tests (README.md there). */
export const FIXTURES = join(process.cwd(), 'test', 'unit', 'xcap', 'usages', 'fixtures');

/** A fixture's text. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** A document as the server hands it to a usage: its DOM and the validation context with its text. */
export function candidate(
  text: string,
  where: { auid: string; xui?: string; tree?: XcapTree; name?: string },
): { doc: Document; ctx: XcapValidationContext } {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  const tree = where.tree ?? 'users';
  const ctx = { auid: where.auid, tree, xui: tree === 'global' ? '' : (where.xui ?? 'sip:alice@example.com'), name: where.name ?? 'index', text };
  return { doc, ctx };
}
