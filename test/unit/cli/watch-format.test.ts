import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describePresence,
  describeState,
  formatSummary,
  timeOfDay,
  watchEventJson,
  watchEventOf,
  watchLine,
} from '../../../src/cli/watch-format.js';
import type { NotifyInfo } from '../../../src/events/subscriber/client-subscription.js';
import { buildPidf } from '../../../src/presence/pidf/index.js';

const ALICE = 'sip:alice@example.com';
const AT = new Date(2026, 0, 5, 12, 1, 2);

/** A PIDF document of two tuples (one open with a note) and a person who is busy. */
const TWO_TUPLES = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
  xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${ALICE}">
  <tuple id="phone"><status><basic>open</basic></status><contact>sip:alice@192.0.2.10</contact><note>desk phone</note></tuple>
  <tuple id="pc"><status><basic>closed</basic></status></tuple>
  <dm:person id="p1"><rpid:activities><rpid:busy/></rpid:activities><dm:note>In a meeting</dm:note></dm:person>
</presence>`);

function notify(state: string, body: Buffer, extra: Partial<NotifyInfo> = {}): NotifyInfo {
  return { state, body, ...(body.length ? { contentType: 'application/pidf+xml' } : {}), ...extra };
}

describe('presenced watch output', () => {
  test('a NOTIFY with a PIDF body is summarised', () => {
    const e = watchEventOf(notify('active', TWO_TUPLES, { expires: 3600 }));
    assert.equal(e.state, 'active');
    assert.equal(e.summary?.basic, 'open');
    assert.equal(e.summary?.note, 'In a meeting');
    assert.deepEqual(e.summary?.activities, ['busy']);
    assert.equal(e.summary?.tuples.length, 2);
    assert.equal(e.error, undefined);
  });

  test('one text line per change: time, AOR, basic, quoted note, activities, tuple count', () => {
    const e = watchEventOf(notify('active', TWO_TUPLES));
    assert.equal(watchLine(AT, ALICE, describePresence(e)!), `12:01:02 ${ALICE} open — "In a meeting" (activities: busy) [2 tuples]`);
    const one = watchEventOf(notify('active', buildPidf({ entity: ALICE, basic: 'closed', tupleId: 't1' })));
    assert.equal(describePresence(one), 'closed [1 tuple]');
    const empty = watchEventOf(notify('active', Buffer.from(`<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${ALICE}"/>`)));
    assert.equal(describePresence(empty), 'no presence information [0 tuples]');
    assert.equal(formatSummary({ activities: [], tuples: [{ id: 'x' }] }), 'unknown [1 tuple]');
    assert.equal(formatSummary({ basic: 'open', note: 'say "hi"', activities: ['away', 'meal'], tuples: [{ id: 'x' }] }), 'open — "say \\"hi\\"" (activities: away, meal) [1 tuple]');
  });

  test('states: pending and terminated get a line of their own; active does not', () => {
    assert.equal(describeState(watchEventOf(notify('active', Buffer.alloc(0)))), undefined);
    assert.match(describeState(watchEventOf(notify('pending', Buffer.alloc(0))))!, /^pending: the presentity has not yet allowed this watcher/);
    assert.equal(describeState(watchEventOf(notify('terminated', Buffer.alloc(0), { reason: 'rejected' }))), 'subscription terminated (reason: rejected)');
    assert.equal(describeState(watchEventOf(notify('terminated', Buffer.alloc(0)))), 'subscription terminated');
    assert.equal(describePresence(watchEventOf(notify('pending', Buffer.alloc(0)))), undefined);
  });

  test('an unreadable body or one of another type is shown as such, never thrown', () => {
    const bad = watchEventOf(notify('active', Buffer.from('<presence')));
    assert.equal(bad.summary, undefined);
    assert.match(bad.error!, /^PIDF: /);
    assert.match(describePresence(bad)!, /^unreadable presence document \(PIDF: /);
    const other = watchEventOf(notify('active', Buffer.from('hello'), { contentType: 'text/plain' }));
    assert.equal(other.error, 'a text/plain body of 5 bytes, not PIDF');
  });

  test('--json: one line of {time, state, reason?, basic, note, activities, tuples}', () => {
    const line = watchEventJson(watchEventOf(notify('active', TWO_TUPLES)), AT);
    assert.ok(!line.includes('\n'));
    assert.deepEqual(JSON.parse(line), {
      time: AT.toISOString(),
      state: 'active',
      basic: 'open',
      note: 'In a meeting',
      activities: ['busy'],
      tuples: [
        { id: 'phone', basic: 'open', contact: 'sip:alice@192.0.2.10', note: 'desk phone' },
        { id: 'pc', basic: 'closed', contact: null, note: null },
      ],
    });
    const ended = JSON.parse(watchEventJson(watchEventOf(notify('terminated', Buffer.alloc(0), { reason: 'noresource' })), AT));
    assert.deepEqual(ended, { time: AT.toISOString(), state: 'terminated', reason: 'noresource', basic: null, note: null, activities: [], tuples: [] });
    const bad = JSON.parse(watchEventJson(watchEventOf(notify('active', Buffer.from('<presence'))), AT));
    assert.match(bad.error, /^PIDF: /);
  });

  test('time of day is local HH:MM:SS, zero-padded', () => {
    assert.equal(timeOfDay(new Date(2026, 5, 7, 3, 4, 5)), '03:04:05');
    assert.equal(timeOfDay(new Date(2026, 5, 7, 23, 59, 59)), '23:59:59');
  });
});
