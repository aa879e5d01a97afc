import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AllowEventsHeader, EventHeader, eventMatches } from '../../../../../src/sip/parser/headers/event.js';
import type { EventType } from '../../../../../src/sip/message/types.js';
import { defect, ok, parseLines } from './grammar-helpers.js';

test('Event: package, templates and parameters', () => {
  assert.deepEqual(ok(EventHeader, 'presence'), { package: 'presence', templates: [], params: new Map() });
  const winfo = ok(EventHeader, 'presence.winfo');
  assert.equal(winfo.package, 'presence');
  assert.deepEqual(winfo.templates, ['winfo']);
  const e = ok(EventHeader, 'dialog ; id=1234;Foo=bar');
  assert.equal(e.params.get('id'), '1234');
  assert.equal(e.params.get('foo'), 'bar');
});

test('compact form o', () => {
  const r = parseLines(EventHeader, ['o', 'presence']);
  assert.ok(r.ok);
  assert.equal(r.value?.package, 'presence');
});

test('event-type keeps its case: RFC 6665 §8.2.1 compares it byte by byte', () => {
  assert.equal(ok(EventHeader, 'Presence').package, 'Presence');
});

test('one event type per header, one header per message (RFC 6665 §8.2.1)', () => {
  assert.ok(defect(EventHeader, 'presence, dialog'));
  assert.match(defect(EventHeader, 'presence', 'dialog'), /more than one/);
});

test('malformed event types and id values are defects', () => {
  for (const v of ['', 'presence..winfo', '.winfo', 'presence.', 'pres ence', 'presence;id="x"', 'presence;id', 'presence;']) {
    assert.ok(defect(EventHeader, v), v);
  }
});

test('eventMatches follows the RFC 6665 §8.2.1 example', () => {
  const ev = (v: string): EventType => ok(EventHeader, v);
  assert.ok(eventMatches(ev('foo; id=1234'), ev('foo; param=abcd; id=1234')));
  assert.ok(!eventMatches(ev('foo; id=1234'), ev('foo')));
  assert.ok(!eventMatches(ev('foo'), ev('foo; id=1234')));
  assert.ok(!eventMatches(ev('foo; id=1234'), ev('Foo; id=1234')));
  assert.ok(!eventMatches(ev('foo; id=1234'), ev('foo; id=1235')));
  assert.ok(eventMatches(ev('presence.winfo'), ev('presence.winfo;x=1')));
  assert.ok(!eventMatches(ev('presence.winfo'), ev('presence')));
  assert.ok(!eventMatches(ev('presence.winfo'), ev('presence.winfo.winfo')));
});

test('Allow-Events: event types as written, merged across lines; compact form u', () => {
  assert.deepEqual(ok(AllowEventsHeader, 'presence, presence.winfo', 'dialog'), ['presence', 'presence.winfo', 'dialog']);
  const r = parseLines(AllowEventsHeader, ['u', 'presence'], ['Allow-Events', 'message-summary']);
  assert.ok(r.ok);
  assert.deepEqual(r.value, ['presence', 'message-summary']);
  for (const v of ['', 'presence,', 'presence;id=1', 'presence..x']) assert.ok(defect(AllowEventsHeader, v), v);
});
