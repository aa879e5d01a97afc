import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  approveHint,
  changeLine,
  describeWatcher,
  filterBody,
  formatDuration,
  formatTable,
  parseHistory,
  parseSelection,
  parseWatcherInfo,
  WatcherTable,
  watcherJson,
} from '../../../src/cli/watchers-format.js';
import type { WinfoDocument } from '../../../src/cli/watchers-format.js';
import { parseWinfoFilter } from '../../../src/presence/winfo/filter.js';
import { serializeWatcherInfo } from '../../../src/presence/winfo/watcherinfo-document.js';
import type { WatcherElement } from '../../../src/presence/winfo/watcherinfo-document.js';

const ALICE = 'sip:alice@example.com';
const BOB = 'sip:bob@example.com';
const CAROL = 'sip:carol@example.com';
const AT = new Date(2026, 0, 5, 12, 1, 2);

const bobPending: WatcherElement = { id: 'w1', status: 'pending', event: 'subscribe', uri: BOB, displayName: 'Bob B', expiration: 600, durationSubscribed: 3 };
const carolActive: WatcherElement = { id: 'w2', status: 'active', event: 'approved', uri: CAROL, expiration: 3300, durationSubscribed: 303 };

/** A document as the server writes it (RFC 3858 §6), read back as the CLI reads it. */
function doc(version: number, state: 'full' | 'partial', watchers: WatcherElement[], anonymousAttempts = 0): WinfoDocument {
  const parsed = parseWatcherInfo(serializeWatcherInfo({ version, state, resource: ALICE, package: 'presence', watchers, anonymousAttempts }));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.defect);
  return parsed.doc;
}

describe('parseWatcherInfo (RFC 3858 §3)', () => {
  test('reads version, state, every watcher attribute and the anonymous-attempts count', () => {
    const d = doc(4, 'partial', [bobPending, carolActive], 2);
    assert.equal(d.version, 4);
    assert.equal(d.state, 'partial');
    assert.equal(d.anonymousAttempts, 2);
    assert.deepEqual(d.watchers, [
      { id: 'w1', status: 'pending', event: 'subscribe', uri: BOB, resource: ALICE, displayName: 'Bob B', expiration: 600, durationSubscribed: 3 },
      { id: 'w2', status: 'active', event: 'approved', uri: CAROL, resource: ALICE, expiration: 3300, durationSubscribed: 303 },
    ]);
  });

  test('the RFC 3858 §5 example, with elements and attributes of unknown namespaces ignored', () => {
    const body = Buffer.from(`<?xml version="1.0"?>
<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" xmlns:x="urn:example:x" version="0" state="full">
  <watcher-list resource="sip:professor@example.net" package="presence">
    <watcher status="active" id="8ajksjda7s" duration-subscribed="509" x:mood="happy" event="approved">sip:userA@example.net</watcher>
    <x:note>ignored</x:note>
    <watcher status="pending" id="hh8juja87s997-ass7" display-name="Mr. Subscriber" event="subscribe">sip:userB@example.org</watcher>
  </watcher-list>
  <x:other/>
</watcherinfo>`);
    const parsed = parseWatcherInfo(body);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.doc.watchers.map((w) => [w.id, w.status, w.uri, w.resource]), [
      ['8ajksjda7s', 'active', 'sip:userA@example.net', 'sip:professor@example.net'],
      ['hh8juja87s997-ass7', 'pending', 'sip:userB@example.org', 'sip:professor@example.net'],
    ]);
  });

  test('refuses what is not a usable watcherinfo document', () => {
    const cases: Array<[string, RegExp]> = [
      ['<presence xmlns="urn:ietf:params:xml:ns:pidf"/>', /not a <watcherinfo>/],
      ['<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" state="full"/>', /no valid version/],
      ['<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1" state="some"/>', /neither full nor partial/],
      ['<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1" state="full"><watcher-list package="presence"/></watcherinfo>', /no resource/],
      [
        '<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1" state="full"><watcher-list resource="sip:a@b" package="presence"><watcher id="x" status="active">sip:c@d</watcher></watcher-list></watcherinfo>',
        /lacks id, status or event/,
      ],
      [
        '<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1" state="full"><watcher-list resource="sip:a@b" package="presence"><watcher id="x" status="active" event="approved" expiration="soon">sip:c@d</watcher></watcher-list></watcherinfo>',
        /not a number/,
      ],
      ['<watcherinfo', /./],
    ];
    for (const [text, defect] of cases) {
      const parsed = parseWatcherInfo(Buffer.from(text));
      assert.equal(parsed.ok, false, text);
      if (!parsed.ok) assert.match(parsed.defect, defect, text);
    }
  });
});

describe('WatcherTable (RFC 3858 §4)', () => {
  test('full state fills the table; partial state updates only the rows it names', () => {
    const t = new WatcherTable();
    assert.equal(t.version, undefined);
    const first = t.apply(doc(0, 'full', [carolActive]));
    assert.deepEqual(first, { kind: 'applied', changed: [doc(0, 'full', [carolActive]).watchers[0]], gap: false });
    const second = t.apply(doc(1, 'partial', [bobPending]));
    assert.equal(second.kind, 'applied');
    assert.deepEqual(second.kind === 'applied' && second.changed.map((w) => w.id), ['w1']);
    assert.deepEqual(t.watchers.map((w) => [w.id, w.status]), [['w2', 'active'], ['w1', 'pending']]);
    const approved = t.apply(doc(2, 'partial', [{ ...bobPending, status: 'active', event: 'approved' }]));
    assert.deepEqual(approved.kind === 'applied' && approved.changed.map((w) => [w.id, w.status, w.event]), [['w1', 'active', 'approved']]);
    assert.deepEqual(t.watchers.map((w) => [w.id, w.status]), [['w2', 'active'], ['w1', 'active']]);
    assert.equal(t.version, 2);
  });

  test('full state flushes rows it no longer lists; unchanged rows are not reported as changes', () => {
    const t = new WatcherTable();
    t.apply(doc(0, 'full', [carolActive, bobPending], 1));
    assert.equal(t.anonymousAttempts, 1);
    // A refresh's full state (RFC 3857 §4.4) repeating carol, with bob gone from the history.
    const refreshed = t.apply(doc(1, 'full', [{ ...carolActive, expiration: 3000, durationSubscribed: 600 }]));
    assert.deepEqual(refreshed, { kind: 'applied', changed: [], gap: false });
    assert.deepEqual(t.watchers.map((w) => [w.id, w.expiration]), [['w2', 3000]]);
    assert.equal(t.anonymousAttempts, 0);
  });

  test('an older or repeated version is discarded; a gap is processed, takes the new version and asks for full state', () => {
    const t = new WatcherTable();
    t.apply(doc(5, 'full', [carolActive]));
    assert.equal(t.version, 5, 'the first document sets the local version');
    assert.deepEqual(t.apply(doc(5, 'partial', [bobPending])), { kind: 'discarded' });
    assert.deepEqual(t.apply(doc(3, 'partial', [bobPending])), { kind: 'discarded' });
    assert.deepEqual(t.watchers.map((w) => w.id), ['w2']);
    const gap = t.apply(doc(8, 'partial', [bobPending]));
    assert.equal(gap.kind === 'applied' && gap.gap, true);
    assert.equal(t.version, 8);
    assert.deepEqual(t.watchers.map((w) => w.id), ['w2', 'w1']);
    // The full state the refresh brings ends the gap.
    assert.deepEqual(t.apply(doc(9, 'full', [bobPending])), { kind: 'applied', changed: [], gap: false });
    assert.deepEqual(t.watchers.map((w) => w.id), ['w1']);
  });
});

describe('formatting', () => {
  const [bob, carol] = doc(0, 'full', [bobPending, carolActive]).watchers as [never, never];

  test('a pending watcher is marked with the one command that approves it', () => {
    assert.equal(
      describeWatcher(ALICE, bob),
      `${BOB} "Bob B" PENDING, subscribed 3s, expires in 10m 0s — approve with: presenced watchers ${ALICE} --approve ${BOB}`,
    );
    assert.equal(describeWatcher(ALICE, carol), `${CAROL} active (approved), subscribed 5m 3s, expires in 55m 0s`);
    assert.equal(describeWatcher(ALICE, { id: 'x', status: 'terminated', event: 'rejected', uri: BOB, resource: ALICE, expiration: 0 }), `${BOB} terminated (rejected)`);
    assert.equal(approveHint(ALICE, BOB), `presenced watchers ${ALICE} --approve ${BOB}`);
    assert.equal(changeLine(AT, ALICE, carol), `12:01:02 ${describeWatcher(ALICE, carol)}`);
  });

  test('a table has a heading counting the pending watchers and anonymous attempts at the end', () => {
    const t = new WatcherTable();
    t.apply(doc(0, 'full', []));
    assert.deepEqual(formatTable(ALICE, t), [`${ALICE}: no watchers`]);
    t.apply(doc(1, 'full', [bobPending, carolActive], 2));
    assert.deepEqual(formatTable(ALICE, t), [
      `${ALICE}: 2 watchers (1 pending)`,
      `  ${describeWatcher(ALICE, bob)}`,
      `  ${describeWatcher(ALICE, carol)}`,
      '  2 anonymous attempts (identities withheld)',
    ]);
  });

  test('JSON lines name every field, absent ones null', () => {
    assert.deepEqual(JSON.parse(watcherJson(bob, AT)), {
      time: AT.toISOString(), resource: ALICE, id: 'w1', watcher: BOB, displayName: 'Bob B', status: 'pending', event: 'subscribe', pending: true, durationSubscribed: 3, expiration: 600,
    });
    const bare = JSON.parse(watcherJson({ id: 'x', status: 'active', event: 'approved', uri: BOB, resource: ALICE }, AT)) as Record<string, unknown>;
    assert.deepEqual([bare.displayName, bare.durationSubscribed, bare.expiration, bare.pending], [null, null, null, false]);
  });

  test('durations', () => {
    assert.deepEqual([0, 59, 61, 3600, 3661, 90061].map(formatDuration), ['0s', '59s', '1m 1s', '1h 0m', '1h 1m', '1d 1h']);
  });
});

describe('the filter body (docs/winfo-filters.md)', () => {
  test('no body when nothing narrows the list', () => {
    assert.equal(filterBody(undefined, undefined), undefined);
    assert.equal(filterBody('all', undefined), undefined);
  });

  test('the server accepts what --filter and --history build', () => {
    for (const [selection, history] of [['new', undefined], ['defined-new', 86400], ['all', 0], [undefined, 60]] as const) {
      const body = filterBody(selection, history);
      assert.ok(body);
      const parsed = parseWinfoFilter(body, ALICE);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.defect);
      assert.equal(parsed.filter.watchers, selection ?? 'all');
      assert.equal(parsed.filter.historySeconds, history);
    }
  });

  test('option values', () => {
    assert.equal(parseSelection(' Defined-New '), 'defined-new');
    assert.throws(() => parseSelection('everyone'), /give one of all, defined, new, defined-new/);
    assert.equal(parseHistory('86400'), 86400);
    assert.throws(() => parseHistory('-1'), /whole number of seconds/);
    assert.throws(() => parseHistory('12345678901'), /whole number of seconds/);
  });
});
