import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPidf, buildPresenceDocument } from '../../../../src/presence/pidf/build.js';
import { summarise } from '../../../../src/presence/pidf/summary.js';
import { captureBodies, fixture, parseOk, pidf } from './helpers.js';

test('buildPidf: one tuple with basic, contact, note and timestamp; activities in a dm:person', () => {
  const body = buildPidf({
    entity: 'sip:alice@example.com',
    tupleId: 'cli',
    basic: 'open',
    note: 'At lunch & <back> soon',
    lang: 'en',
    activities: ['lunch', 'on-the-phone'],
    contact: { uri: 'sip:alice@192.0.2.1', priority: 0.8 },
    timestamp: '2026-01-02T03:04:05Z',
  });
  assert.equal(
    body.toString(),
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@example.com">\n' +
      '<tuple id="cli"><status><basic>open</basic></status><contact priority="0.8">sip:alice@192.0.2.1</contact>' +
      '<note xml:lang="en">At lunch &amp; &lt;back&gt; soon</note><timestamp>2026-01-02T03:04:05Z</timestamp></tuple>\n' +
      '<dm:person id="p-cli"><rpid:activities><rpid:lunch/><rpid:on-the-phone/></rpid:activities><dm:timestamp>2026-01-02T03:04:05Z</dm:timestamp></dm:person>\n' +
      '</presence>\n',
  );
  const doc = parseOk(body);
  assert.equal(doc.tuples[0]!.basic, 'open');
  assert.deepEqual(doc.tuples[0]!.contact, { uri: 'sip:alice@192.0.2.1', priority: 0.8 });
  assert.deepEqual(doc.persons[0]!.activities, ['lunch', 'on-the-phone']);
});

test('buildPidf: minimal document, random tuple id, priority rounded to three decimals', () => {
  const a = parseOk(buildPidf({ entity: 'sip:a@b', basic: 'closed' }));
  assert.equal(a.tuples.length, 1);
  assert.equal(a.persons.length, 0);
  assert.match(a.tuples[0]!.id, /^t[A-Za-z0-9]{10}$/);
  assert.notEqual(parseOk(buildPidf({ entity: 'sip:a@b', basic: 'closed' })).tuples[0]!.id, a.tuples[0]!.id);
  assert.deepEqual(parseOk(buildPidf({ entity: 'sip:a@b', basic: 'open', contact: { uri: 'sip:x@y', priority: 1 / 3 } })).tuples[0]!.contact, { uri: 'sip:x@y', priority: 0.333 });
  assert.deepEqual(parseOk(buildPidf({ entity: 'sip:a@b', basic: 'open', contact: 'tel:+15551234' })).tuples[0]!.contact, { uri: 'tel:+15551234' });
});

test('buildPresenceDocument gives the model directly', () => {
  const doc = buildPresenceDocument({ entity: 'sip:a@b', tupleId: 't', basic: 'open', activities: ['away'], personId: 'me' });
  assert.equal(doc.tuples[0]!.id, 't');
  assert.equal(doc.persons[0]!.id, 'me');
  assert.deepEqual(doc.persons[0]!.activities, ['away']);
});

test('buildPidf refuses what would not be a valid document', () => {
  assert.throws(() => buildPidf({ entity: '', basic: 'open' }), RangeError);
  assert.throws(() => buildPidf({ entity: 'sip:a@b', basic: 'open', activities: ['not a name'] }), RangeError);
  assert.throws(() => buildPidf({ entity: 'sip:a@b', basic: 'open', contact: { uri: 'sip:x@y', priority: 2 } }), RangeError);
  assert.throws(() => buildPidf({ entity: 'sip:a@b', basic: 'open', contact: { uri: 'sip:x@y', priority: Number.NaN } }), RangeError);
  assert.throws(() => buildPidf({ entity: 'sip:a@b', tupleId: 'x', personId: 'x', basic: 'open', activities: ['busy'] }), RangeError);
  assert.throws(() => buildPidf({ entity: 'sip:a@b', tupleId: '', basic: 'open' }), /tuple without id/);
});

test('summarise: overall basic, the note, activities and tuples', () => {
  assert.deepEqual(summarise(parseOk(fixture('rfc4480-4.xml'))), {
    basic: 'open',
    note: 'Scoring 120',
    activities: ['away'],
    tuples: [
      { id: 'bs35r9', basic: 'open', contact: 'im:someone@mobile.example.net', note: "Don't Disturb Please!" },
      { id: 'ty4658', basic: 'open', contact: 'mailto:secretary@example.com' },
      { id: 'eg92n8', basic: 'open', contact: 'mailto:someone@example.com' },
    ],
  });
  const closed = summarise(parseOk(pidf('<tuple id="a"><status><basic>closed</basic></status><note> gone </note></tuple><note>  </note>')));
  assert.deepEqual(closed, { basic: 'closed', note: 'gone', activities: [], tuples: [{ id: 'a', basic: 'closed', note: 'gone' }] });
  const mixed = summarise(
    parseOk(
      pidf(
        '<tuple id="a"><status><basic>closed</basic></status></tuple><tuple id="b"><status><basic>open</basic></status></tuple><note>top</note>' +
          '<dm:person id="p"><rpid:activities><rpid:busy/></rpid:activities></dm:person><dm:person id="q"><rpid:activities><rpid:busy/><rpid:meal/></rpid:activities></dm:person>',
      ),
    ),
  );
  assert.equal(mixed.basic, 'open');
  assert.equal(mixed.note, 'top');
  assert.deepEqual(mixed.activities, ['busy', 'meal']);
  assert.deepEqual(summarise(parseOk(pidf(''))), { activities: [], tuples: [] });
  assert.equal(summarise(parseOk(fixture('rfc4119-2.3-gml.xml'))).basic, undefined);
});

test('summarise the captures: what watchers see', () => {
  const byName = new Map(captureBodies());
  assert.deepEqual(summarise(parseOk(byName.get('sipp-04-PUBLISH-modify.txt')!)), {
    basic: 'open',
    note: 'SIPp bob069d (2)',
    activities: ['busy'],
    tuples: [{ id: 'sipp-t1', basic: 'open', contact: 'sip:bob069d@127.0.0.1:25191' }],
  });
  assert.deepEqual(summarise(parseOk(byName.get('twinkle-04-PUBLISH-modify.txt')!)), { basic: 'closed', activities: [], tuples: [{ id: 'axycnq', basic: 'closed' }] });
});
