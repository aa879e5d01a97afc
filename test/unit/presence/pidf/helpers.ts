import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Element } from '@xmldom/xmldom';
import type { Note, PresenceComponent, PresenceDocument } from '../../../../src/presence/pidf/model.js';
import { NS } from '../../../../src/presence/pidf/namespaces.js';
import { parsePidf } from '../../../../src/presence/pidf/parse.js';
import { parseMessage } from '../../../../src/sip/parser/parse-message.js';

/** Shared fixtures of the presence document tests. */

export const FIXTURES = join(process.cwd(), 'test', 'unit', 'presence', 'pidf', 'fixtures');
export const CAPTURES = join(process.cwd(), '..', 'shared', 'captures');

/** A fixture document's bytes. */
export function fixture(name: string): Buffer {
  return readFileSync(join(FIXTURES, name));
}

/** Every fixture file name. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES).filter((f) => f.endsWith('.xml')).sort();
}

/** The PIDF bodies of the real client and server messages (../shared/captures), by file name. */
export function captureBodies(): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  for (const f of readdirSync(CAPTURES).filter((n) => n.endsWith('.txt')).sort()) {
    const r = parseMessage(readFileSync(join(CAPTURES, f)));
    assert.ok(r.ok, `capture ${f} does not parse`);
    const type = r.message.headers.get('Content-Type');
    if (type?.toLowerCase().startsWith('application/pidf+xml') && r.message.body.length > 0) out.push([f, r.message.body]);
  }
  return out;
}

/** A minimal PIDF document with `inner` as the children of <presence> (dm and rpid declared). */
export function pidf(inner: string, entity = 'sip:alice@example.com'): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="${NS.pidf}" xmlns:dm="${NS.dm}" xmlns:rpid="${NS.rpid}" entity="${entity}">${inner}</presence>`,
  );
}

/** Parses and asserts success. */
export function parseOk(body: Buffer): PresenceDocument {
  const r = parsePidf(body);
  assert.ok(r.ok, r.ok ? '' : `${r.status} ${r.defect}`);
  return r.value;
}

/** `{ns}local` of an element. */
export function qname(el: Element): string {
  return `{${el.namespaceURI ?? ''}}${el.localName ?? ''}`;
}

function plainNotes(notes: readonly Note[]): unknown[] {
  return notes.map((n) => ({ text: n.text, lang: n.lang }));
}

function plainComponent(c: PresenceComponent): Record<string, unknown> {
  const { element, extensions, notes, ...rest } = c;
  const out: Record<string, unknown> = { ...rest, tag: qname(element), notes: plainNotes(notes), extensions: extensions.map(qname) };
  if (c.kind === 'tuple') out.statusExtensions = c.statusExtensions.map(qname);
  return out;
}

/**
 * The model as plain data for deep comparison: elements by qualified name. Declared namespaces are left
 * out: serialisation declares every namespace in use on the root, so the set can grow on the first pass.
 */
export function plain(doc: PresenceDocument): Record<string, unknown> {
  return {
    entity: doc.entity,
    tuples: doc.tuples.map(plainComponent),
    persons: doc.persons.map(plainComponent),
    devices: doc.devices.map(plainComponent),
    notes: plainNotes(doc.notes),
    extensions: doc.extensions.map(qname),
    attributes: doc.attributes,
  };
}
