import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownNamespace, NS } from '../../../../src/presence/pidf/namespaces.js';
import { parsePidf } from '../../../../src/presence/pidf/parse.js';
import { captureBodies, fixture, parseOk, pidf, plain, qname } from './helpers.js';

const T = (id: string, basic = 'open', extra = '') => `<tuple id="${id}"><status><basic>${basic}</basic></status>${extra}</tuple>`;

test('RFC 3863 §4.3.1: tuples with status extensions, contact priority, notes by language, timestamp, top-level note', () => {
  const doc = parseOk(fixture('rfc3863-4.3.1.xml'));
  assert.equal(doc.entity, 'pres:someone@example.com');
  assert.deepEqual(
    doc.tuples.map((t) => t.id),
    ['bs35r9', 'eg92n8'],
  );
  const t = doc.tuples[0]!;
  assert.equal(t.basic, 'open');
  assert.deepEqual(t.statusExtensions.map(qname), ['{urn:ietf:params:xml:ns:pidf:im}im', '{http://id.example.com/presence/}location']);
  assert.deepEqual(t.contact, { uri: 'im:someone@mobilecarrier.net', priority: 0.8 });
  assert.deepEqual(
    t.notes.map((n) => [n.lang, n.text]),
    [
      ['en', "Don't Disturb Please!"],
      ['fr', "Ne derangez pas, s'il vous plait"],
    ],
  );
  assert.equal(t.timestamp, '2001-10-27T16:49:29Z');
  assert.deepEqual(doc.tuples[1]!.contact, { uri: 'mailto:someone@example.com', priority: 1 });
  assert.deepEqual(
    doc.notes.map((n) => n.text),
    ["I'll be in Tokyo next week"],
  );
  assert.equal(doc.notes[0]!.lang, undefined);
});

test('RFC 3863 §4.2.2 and §4.3.2: the PIDF namespace under a prefix is the same document', () => {
  assert.deepEqual(plain(parseOk(fixture('rfc3863-4.2.2-prefixed.xml'))), plain(parseOk(fixture('rfc3863-4.2.2-default.xml'))));
  const doc = parseOk(fixture('rfc3863-4.3.2.xml'));
  assert.deepEqual(doc.tuples[0]!.extensions.map(qname), ['{http://id.example.com/presence/}mytupletag']);
  // Leading white space of the contact text is not part of the URI.
  assert.deepEqual(doc.tuples[1]!.contact, { uri: 'im:someone@mobilecarrier.net', priority: 1 });
  assert.deepEqual(doc.extensions.map(qname), ['{http://id.example.com/presence/}mytag']);
  assert.equal(doc.namespaces.get(NS.pidf), 'impp');
});

test('RFC 4480 §4: persons, devices and RPID elements', () => {
  const doc = parseOk(fixture('rfc4480-4.xml'));
  assert.deepEqual(
    doc.tuples.map((t) => [t.id, t.deviceIds, t.class]),
    [
      ['bs35r9', ['urn:device:0003ba4811e3'], undefined],
      ['ty4658', [], undefined],
      ['eg92n8', ['urn:x-mac:0003ba4811e3'], 'email'],
    ],
  );
  const [device] = doc.devices;
  assert.equal(device!.id, 'pc147');
  assert.equal(device!.deviceId, 'urn:device:0003ba4811e3');
  assert.deepEqual(
    device!.notes.map((n) => n.text),
    ['PC'],
  );
  const [person] = doc.persons;
  assert.equal(person!.id, 'p1');
  assert.deepEqual(person!.activities, ['away']);
  assert.deepEqual(person!.mood, ['angry', 'other']);
  assert.equal(person!.class, 'calendar');
  assert.equal(person!.timestamp, '2005-05-30T16:09:44+05:00');
  assert.deepEqual(
    person!.notes.map((n) => n.text),
    ['Scoring 120'],
  );
  assert.equal(person!.extensions.length, 9);
  assert.deepEqual(
    doc.notes.map((n) => n.text),
    ["I'll be in Tokyo next week"],
  );
});

test('RFC 4479 §7.1 as printed has no entity and is rejected; with one it parses', () => {
  const printed = fixture('rfc4479-7.1.xml');
  assert.deepEqual(parsePidf(printed), { ok: false, status: 400, defect: 'PIDF: presence without entity' });
  const doc = parseOk(Buffer.from(printed.toString().replace('<presence ', '<presence entity="pres:someone@example.com" ')));
  assert.deepEqual(doc.tuples[0]!.deviceIds, ['mac:8asd7d7d70']);
  assert.ok(doc.tuples[0]!.extensions.some((e) => qname(e) === `{${NS.caps}}servcaps`));
  assert.deepEqual(doc.persons[0]!.activities, ['on-the-phone']);
  assert.equal(doc.devices[0]!.deviceId, 'mac:8asd7d7d70');
});

test('RFC 4481 §4 (no XML declaration), RFC 4482 §4, RFC 5196 §5, RFC 4119 §2.3 parse', () => {
  const timed = parseOk(fixture('rfc4481-4.xml'));
  assert.deepEqual(timed.tuples[0]!.extensions.map(qname), [`{${NS.timedStatus}}timed-status`]);
  const cipid = parseOk(fixture('rfc4482-4-rpid-cipid.xml'));
  assert.equal(cipid.tuples[1]!.basic, 'closed');
  assert.deepEqual(cipid.attributes, [
    {
      namespaceURI: 'http://www.w3.org/2001/XMLSchema-instance',
      localName: 'schemaLocation',
      value:
        'urn:ietf:params:xml:ns:pidf pidf.xsd urn:ietf:params:xml:ns:pidf:data-model data-model.xsd urn:ietf:params:xml:ns:pidf:cipid cipid.xsd urn:ietf:params:xml:ns:pidf:rpid rpid.xsd',
    },
  ]);
  const caps = parseOk(fixture('rfc5196-5.xml'));
  assert.equal(caps.devices[0]!.deviceId, 'urn:uuid:d27459b7-8213-4395-aa77-ed859a3e5b3a');
  assert.equal(caps.namespaces.get(NS.dm), 'mod');
  for (const f of ['rfc4119-2.3-gml.xml', 'rfc4119-2.3-civic.xml']) {
    const geo = parseOk(fixture(f));
    assert.equal(geo.tuples[0]!.basic, undefined, f);
    assert.deepEqual(geo.tuples[0]!.statusExtensions.map(qname), [`{${NS.geopriv}}geopriv`], f);
  }
});

test('RFC 4482 §4 first example as printed is not well-formed', () => {
  const r = parsePidf(fixture('rfc4482-4-cipid.xml'));
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.status === 400 && r.defect.startsWith('PIDF: not well-formed XML: '), JSON.stringify(r));
});

test('OMA presence data extensions are read from tuple, person and device', () => {
  const doc = parseOk(fixture('oma-presence-data.xml'));
  const t = doc.tuples[0]!;
  assert.equal(t.willingness, 'open');
  assert.equal(t.sessionParticipation, 'closed');
  assert.equal(t.registrationState, 'active');
  assert.equal(t.barringState, 'terminated');
  assert.deepEqual(t.serviceDescription, { serviceId: 'org.openmobilealliance:PoC-session', version: '1.0', description: 'PoC Service' });
  assert.equal(doc.persons[0]!.overridingWillingness, 'closed');
  assert.deepEqual(doc.devices[0]!.networkAvailability, [{ id: 'IMS', state: 'active' }, { id: 'GPRS' }]);
  assert.equal(doc.devices[0]!.deviceId, 'urn:gsma:imei:35-209900-176148-1');
});

test('every PIDF body of the captures parses, vendor elements kept', () => {
  const bodies = captureBodies();
  assert.ok(bodies.length >= 9, `found ${bodies.length}`);
  for (const [name, body] of bodies) assert.ok(parsePidf(body).ok, name);
  const linphone = bodies.find(([n]) => n === 'linphone-02-PUBLISH-initial.txt')![1];
  const t = parseOk(linphone).tuples[0]!;
  assert.deepEqual(t.statusExtensions.map(qname), ['{http://www.linphone.org/xsds/pidfonline.xsd}online']);
  assert.deepEqual(t.contact, { uri: 'sip:bob462b@127.0.0.1:5080', priority: 0.8 });
  const sipp = parseOk(bodies.find(([n]) => n === 'sipp-04-PUBLISH-modify.txt')![1]);
  assert.deepEqual(sipp.persons[0]!.activities, ['busy']);
  assert.equal(sipp.persons[0]!.notes[0]!.text, 'SIPp bob069d (2)');
  const baresip = parseOk(bodies.find(([n]) => n === 'baresip-02-PUBLISH-initial.txt')![1]);
  assert.deepEqual(baresip.persons[0]!.activities, []);
  const kamailio = parseOk(bodies.find(([n]) => n.startsWith('kamailio-01'))![1]);
  assert.deepEqual(
    kamailio.tuples.map((x) => x.id),
    ['pfvgr3', 'sipp-t1'],
  );
});

test('contact priority out of range or with more than three decimals is ignored (RFC 3863 §4.1.5)', () => {
  for (const p of ['1.5', '-0.1', '0.8000', 'high', '']) {
    const doc = parseOk(pidf(T('a', 'open', `<contact priority="${p}">sip:a@b</contact>`)));
    assert.deepEqual(doc.tuples[0]!.contact, { uri: 'sip:a@b' }, p);
  }
  for (const [p, v] of [['0', 0], ['0.021', 0.021], ['1.00', 1], ['0.', 0]] as const) {
    assert.deepEqual(parseOk(pidf(T('a', 'open', `<contact priority="${p}">sip:a@b</contact>`))).tuples[0]!.contact, { uri: 'sip:a@b', priority: v });
  }
});

test('xml:lang of a note is inherited from enclosing elements; basic text is trimmed', () => {
  const body = Buffer.from(
    `<?xml version="1.0"?><presence xmlns="${NS.pidf}" xml:lang="fr" entity="sip:a@b"><tuple id="x"><status><basic> closed </basic></status><note>Bonjour</note></tuple><note xml:lang="de">Hallo</note></presence>`,
  );
  const doc = parseOk(body);
  assert.equal(doc.tuples[0]!.basic, 'closed');
  assert.equal(doc.tuples[0]!.notes[0]!.lang, 'fr');
  assert.equal(doc.notes[0]!.lang, 'de');
  assert.deepEqual(doc.attributes, [{ namespaceURI: NS.xml, localName: 'lang', value: 'fr' }]);
});

test('a person note in the PIDF namespace counts as a note; unknown top-level PIDF elements are extensions', () => {
  const doc = parseOk(pidf(`<dm:person id="p"><note>lunch</note></dm:person><foo/>`));
  assert.deepEqual(
    doc.persons[0]!.notes.map((n) => n.text),
    ['lunch'],
  );
  assert.deepEqual(doc.persons[0]!.extensions, []);
  assert.deepEqual(doc.extensions.map(qname), [`{${NS.pidf}}foo`]);
});

test('rejections name the defect (400)', () => {
  const cases: Array<[string, Buffer, string]> = [
    ['wrong root namespace', Buffer.from('<presence xmlns="urn:other" entity="sip:a@b"/>'), 'PIDF: root element is not <presence> in urn:ietf:params:xml:ns:pidf'],
    ['wrong root name', Buffer.from(`<tuple xmlns="${NS.pidf}" id="a"/>`), 'PIDF: root element is not <presence> in urn:ietf:params:xml:ns:pidf'],
    ['no namespace', Buffer.from('<presence entity="sip:a@b"/>'), 'PIDF: root element is not <presence> in urn:ietf:params:xml:ns:pidf'],
    ['no entity', Buffer.from(`<presence xmlns="${NS.pidf}"/>`), 'PIDF: presence without entity'],
    ['empty entity', Buffer.from(`<presence xmlns="${NS.pidf}" entity=""/>`), 'PIDF: presence without entity'],
    ['tuple without id', pidf('<tuple><status><basic>open</basic></status></tuple>'), 'PIDF: tuple without id'],
    ['tuple with empty id', pidf('<tuple id=""><status><basic>open</basic></status></tuple>'), 'PIDF: tuple without id'],
    ['tuple without status', pidf('<tuple id="a"><contact>sip:a@b</contact></tuple>'), 'PIDF: tuple without status'],
    ['empty status', pidf('<tuple id="a"><status/></tuple>'), 'PIDF: empty status'],
    ['status with text only', pidf('<tuple id="a"><status>open</status></tuple>'), 'PIDF: empty status'],
    ['two statuses', pidf('<tuple id="a"><status><basic>open</basic></status><status><basic>open</basic></status></tuple>'), 'PIDF: tuple with more than one status'],
    ['invalid basic', pidf(T('a', 'busy')), 'PIDF: invalid basic (not open or closed)'],
    ['empty basic', pidf('<tuple id="a"><status><basic/></status></tuple>'), 'PIDF: invalid basic (not open or closed)'],
    ['upper-case basic', pidf(T('a', 'OPEN')), 'PIDF: invalid basic (not open or closed)'],
    ['two basics', pidf('<tuple id="a"><status><basic>open</basic><basic>closed</basic></status></tuple>'), 'PIDF: status with more than one basic'],
    ['two contacts', pidf(T('a', 'open', '<contact>sip:a@b</contact><contact>sip:c@d</contact>')), 'PIDF: tuple with more than one contact'],
    ['two timestamps', pidf(T('a', 'open', '<timestamp>2020-01-01T00:00:00Z</timestamp><timestamp>2020-01-01T00:00:01Z</timestamp>')), 'PIDF: tuple with more than one timestamp'],
    ['duplicate tuple ids', pidf(T('a') + T('a', 'closed')), 'PIDF: duplicate id "a"'],
    ['tuple and person share an id', pidf(`${T('x')}<dm:person id="x"/>`), 'PIDF: duplicate id "x"'],
    ['person and device share an id', pidf('<dm:person id="x"/><dm:device id="x"><dm:deviceID>urn:a</dm:deviceID></dm:device>'), 'PIDF: duplicate id "x"'],
    ['person without id', pidf('<dm:person><rpid:activities><rpid:busy/></rpid:activities></dm:person>'), 'PIDF: person without id'],
    ['device without id', pidf('<dm:device><dm:deviceID>urn:a</dm:deviceID></dm:device>'), 'PIDF: device without id'],
    ['device with two deviceIDs', pidf('<dm:device id="d"><dm:deviceID>urn:a</dm:deviceID><dm:deviceID>urn:b</dm:deviceID></dm:device>'), 'PIDF: device with more than one deviceID'],
    ['person with two timestamps', pidf('<dm:person id="p"><dm:timestamp>2020-01-01T00:00:00Z</dm:timestamp><dm:timestamp>2020-01-01T00:00:00Z</dm:timestamp></dm:person>'), 'PIDF: person with more than one timestamp'],
    ['duplicate id with a line break is one safe line', pidf(`<tuple id="a&#10;b"><status><basic>open</basic></status></tuple><dm:person id="a&#10;b"/>`), 'PIDF: duplicate id "a b"'],
  ];
  for (const [name, body, defect] of cases) assert.deepEqual(parsePidf(body), { ok: false, status: 400, defect }, name);
});

test('XML that is not well-formed is rejected with the parser message, never thrown', () => {
  const cases = [
    '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a"><tuple></presence>',
    '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a"><x:y/></presence>',
    '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity=a/>',
    '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a" entity="b"/>',
    '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a"/><presence/>',
    '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a"/>trailing',
    '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="a"><note>1 < 2</note></presence>',
    '',
    'not xml at all',
  ];
  for (const text of cases) {
    const r = parsePidf(Buffer.from(text));
    assert.equal(r.ok, false, text);
    assert.ok(!r.ok && r.status === 400 && r.defect.startsWith('PIDF: not well-formed XML'), `${text}: ${JSON.stringify(r)}`);
    assert.ok(!r.ok && !/[\r\n]/.test(r.defect) && r.defect.length <= 130);
  }
});

test('known namespaces: PIDF, data model, RPID, CIPID, caps, PIDF-LO, timed status, location types, OMA', () => {
  for (const uri of [NS.pidf, NS.dm, NS.rpid, NS.cipid, NS.caps, NS.geopriv, NS.timedStatus, NS.locationType, NS.oma]) assert.ok(isKnownNamespace(uri), uri);
  for (const uri of [null, 'http://www.linphone.org/xsds/pidfonline.xsd', NS.xml, `${NS.pidf}:im`]) assert.ok(!isKnownNamespace(uri), String(uri));
});
