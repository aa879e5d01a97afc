import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ComposeInput, CompositionPolicy } from '../../../../src/presence/composition/compose.js';
import { compose, DEFAULT_COMPOSITION_POLICY } from '../../../../src/presence/composition/compose.js';
import type { PresenceDocument } from '../../../../src/presence/pidf/model.js';
import { NS } from '../../../../src/presence/pidf/namespaces.js';
import { parsePidf } from '../../../../src/presence/pidf/parse.js';
import { serializePidf } from '../../../../src/presence/pidf/serialize.js';
import { summarise } from '../../../../src/presence/pidf/summary.js';
import type { PublicationSource } from '../../../../src/store/ports.js';
import { captureBodies, parseOk, pidf } from '../pidf/helpers.js';

const ALICE = 'sip:alice@example.com';

function pub(inner: string, source: PublicationSource, modifiedAt: number, etag: string, createdAt = modifiedAt): ComposeInput {
  return { doc: parseOk(pidf(inner)), source, modifiedAt, createdAt, etag };
}

function tuple(id: string, basic: 'open' | 'closed' | '', extra = ''): string {
  return `<tuple id="${id}"><status>${basic ? `<basic>${basic}</basic>` : '<x:s xmlns:x="urn:x"/>'}</status>${extra}</tuple>`;
}

/** The composed document serialised and parsed again: it must be valid PIDF. */
function reparsed(doc: PresenceDocument): PresenceDocument {
  const r = parsePidf(serializePidf(doc));
  assert.ok(r.ok, r.ok ? '' : `${r.defect}\n${serializePidf(doc).toString()}`);
  return r.value;
}

test('two PUAs with distinct tuple ids: both tuples, entity is the presentity', () => {
  const phone = pub(tuple('phone', 'open', '<contact>sip:alice@192.0.2.1</contact>'), 'user', 1000, 'e1');
  const pc = pub(tuple('pc', 'open', '<contact>sip:alice@192.0.2.2</contact>'), 'user', 2000, 'e2');
  const doc = compose(ALICE, [phone, pc]);
  assert.equal(doc.entity, ALICE);
  assert.deepEqual(
    doc.tuples.map((t) => t.id),
    ['pc', 'phone'],
  );
  assert.deepEqual(
    reparsed(doc).tuples.map((t) => t.contact?.uri),
    ['sip:alice@192.0.2.2', 'sip:alice@192.0.2.1'],
  );
  // Nothing is copied: the composed document holds the publications' own components.
  assert.equal(doc.tuples[1], phone.doc.tuples[0]);
});

test('same tuple id: the stronger source wins, then the newer publication, then the newer timestamp, then the entity tag', () => {
  const ts = (t: string) => `<timestamp>${t}</timestamp>`;
  const user = pub(tuple('t', 'closed'), 'user', 1000, 'u');
  const network = pub(tuple('t', 'open'), 'network', 9000, 'n');
  assert.equal(compose(ALICE, [network, user]).tuples[0]!.basic, 'closed');
  const older = pub(tuple('t', 'closed'), 'user', 1000, 'a');
  const newer = pub(tuple('t', 'open'), 'user', 2000, 'b');
  assert.equal(compose(ALICE, [older, newer]).tuples[0]!.basic, 'open');
  assert.equal(compose(ALICE, [newer, older]).tuples[0]!.basic, 'open');
  const early = pub(tuple('t', 'closed', ts('2026-01-01T10:00:00Z')), 'user', 1000, 'a');
  const late = pub(tuple('t', 'open', ts('2026-01-01T10:00:00.5Z')), 'user', 1000, 'b');
  assert.equal(compose(ALICE, [early, late]).tuples[0]!.basic, 'open');
  assert.equal(compose(ALICE, [late, early]).tuples[0]!.basic, 'open');
  const x = pub(tuple('t', 'closed'), 'user', 1000, 'x');
  const y = pub(tuple('t', 'open'), 'user', 1000, 'y');
  assert.equal(compose(ALICE, [y, x]).tuples[0]!.basic, 'closed');
  assert.equal(compose(ALICE, [y, x]).tuples.length, 1);
});

test('precedence between sources is configurable; unlisted sources come last', () => {
  const user = pub(tuple('t', 'closed'), 'user', 1000, 'u');
  const network = pub(tuple('t', 'open'), 'network', 500, 'n');
  const external = pub(tuple('t', 'open', '<note>external</note>'), 'external', 9000, 'x');
  assert.equal(compose(ALICE, [user, network, external], DEFAULT_COMPOSITION_POLICY).tuples[0], user.doc.tuples[0]);
  const networkFirst: CompositionPolicy = { precedence: ['network', 'user', 'external'] };
  assert.equal(compose(ALICE, [user, network, external], networkFirst).tuples[0], network.doc.tuples[0]);
  const onlyExternal: CompositionPolicy = { precedence: ['external'] };
  assert.equal(compose(ALICE, [user, network, external], onlyExternal).tuples[0], external.doc.tuples[0]);
  // user and network both unlisted: equal rank, so the newer publication wins.
  assert.equal(compose(ALICE, [user, network], onlyExternal).tuples[0], user.doc.tuples[0]);
});

test('persons and devices are merged by id like tuples; distinct ids are all kept', () => {
  const a = pub('<dm:person id="p"><rpid:activities><rpid:busy/></rpid:activities></dm:person><dm:person id="pa"/>', 'user', 1000, 'a');
  const b = pub('<dm:person id="p"><rpid:activities><rpid:away/></rpid:activities></dm:person><dm:device id="d"><dm:deviceID>urn:b</dm:deviceID></dm:device>', 'user', 2000, 'b');
  const c = pub('<dm:device id="d"><dm:deviceID>urn:c</dm:deviceID></dm:device>', 'network', 3000, 'c');
  const doc = compose(ALICE, [a, b, c]);
  assert.deepEqual(
    doc.persons.map((p) => [p.id, p.activities]),
    [
      ['p', ['away']],
      ['pa', undefined],
    ],
  );
  assert.deepEqual(
    doc.devices.map((d) => d.deviceId),
    ['urn:b'],
  );
  assert.deepEqual(
    reparsed(doc).persons.map((p) => p.id),
    ['p', 'pa'],
  );
});

test('occurrence ids are one space across tuples, persons and devices (RFC 4479 §3.5)', () => {
  const a = pub(tuple('x', 'open'), 'network', 1000, 'a');
  const b = pub('<dm:person id="x"/>', 'user', 500, 'b');
  const doc = compose(ALICE, [a, b]);
  assert.deepEqual(doc.tuples, []);
  assert.deepEqual(
    doc.persons.map((p) => p.id),
    ['x'],
  );
  reparsed(doc);
});

test('tuple order: open first, then contact priority, then newer publication; no basic last', () => {
  const c = (p?: string) => `<contact${p ? ` priority="${p}"` : ''}>sip:a@b</contact>`;
  const inputs = [
    pub(tuple('closed-new', 'closed', c('1.0')), 'user', 9000, 'a'),
    pub(tuple('open-old-low', 'open', c('0.1')), 'user', 1000, 'b'),
    pub(tuple('open-none', 'open', c()) + tuple('nobasic', ''), 'user', 8000, 'c'),
    pub(tuple('open-high', 'open', c('0.9')), 'user', 2000, 'd'),
    pub(tuple('open-old-low-2', 'open', c('0.1')), 'network', 5000, 'e'),
  ];
  assert.deepEqual(
    compose(ALICE, inputs).tuples.map((t) => t.id),
    ['open-high', 'open-old-low-2', 'open-old-low', 'open-none', 'closed-new', 'nobasic'],
  );
});

test('among equals tuples keep their place: a modify or a newer <timestamp> does not move a tuple (RFC 5263 diffs stay small)', () => {
  const t = (id: string, ts: string) => tuple(id, 'open', `<contact>sip:${id}@x</contact><timestamp>${ts}</timestamp>`);
  const phone = (ts1: string, ts2: string, modifiedAt: number) => pub(t('p1', ts1) + t('p2', ts2), 'user', modifiedAt, `phone-${modifiedAt}`, 1000);
  const pc = pub(t('pc', '2026-01-01T00:00:05Z'), 'user', 2000, 'pc', 2000);
  const order = (inputs: ComposeInput[]) => compose(ALICE, inputs).tuples.map((x) => x.id);
  // The PC's publication is newer by creation, so its tuple leads; the phone's tuples follow in its own order.
  assert.deepEqual(order([phone('2026-01-01T00:00:01Z', '2026-01-01T00:00:02Z', 1000), pc]), ['pc', 'p1', 'p2']);
  // The phone modifies its publication later and stamps p2 newest of all: nothing moves.
  assert.deepEqual(order([phone('2026-01-01T00:00:01Z', '2026-01-01T00:00:09Z', 3000), pc]), ['pc', 'p1', 'p2']);
  // A change of relevance does move it: p1 closes and goes last.
  const closed = pub(tuple('p1', 'closed') + t('p2', '2026-01-01T00:00:02Z'), 'user', 4000, 'phone-4000', 1000);
  assert.deepEqual(order([closed, pc]), ['pc', 'p2', 'p1']);
});

test('zero publications: a document with no components, serialised as <presence entity=…/>', () => {
  const doc = compose(ALICE, []);
  assert.deepEqual({ ...doc, namespaces: [...doc.namespaces] }, { entity: ALICE, tuples: [], persons: [], devices: [], notes: [], extensions: [], attributes: [], namespaces: [] });
  assert.equal(serializePidf(doc).toString(), `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="${NS.pidf}" entity="${ALICE}"/>\n`);
  reparsed(doc);
});

test('top-level notes, extensions and root attributes come from the best publication that has them', () => {
  const strong = pub(`${tuple('s', 'open')}<note>from user</note>`, 'user', 1000, 'a');
  const weak = pub(`${tuple('w', 'open')}<note>from network</note><x:e xmlns:x="urn:x"/>`, 'network', 9000, 'b');
  const doc = compose(ALICE, [weak, strong]);
  assert.deepEqual(
    doc.notes.map((n) => n.text),
    ['from user'],
  );
  assert.deepEqual(doc.extensions, weak.doc.extensions);
  assert.deepEqual(
    reparsed(doc).notes.map((n) => n.text),
    ['from user'],
  );
});

test('a component keeps the language it inherited from its own publication', () => {
  const fr = { doc: parseOk(Buffer.from(`<presence xmlns="${NS.pidf}" xml:lang="fr" entity="${ALICE}">${tuple('f', 'open', '<note>Bonjour</note>')}</presence>`)), source: 'user', modifiedAt: 1, createdAt: 1, etag: 'f' } as const;
  const de = { doc: parseOk(Buffer.from(`<presence xmlns="${NS.pidf}" xml:lang="de" entity="${ALICE}">${tuple('d', 'open', '<note>Hallo</note>')}</presence>`)), source: 'user', modifiedAt: 2, createdAt: 2, etag: 'd' } as const;
  const doc = reparsed(compose(ALICE, [fr, de]));
  assert.deepEqual(doc.attributes, [{ namespaceURI: NS.xml, localName: 'lang', value: 'de' }]);
  assert.deepEqual(
    doc.tuples.map((t) => [t.id, t.notes[0]!.lang]),
    [
      ['d', 'de'],
      ['f', 'fr'],
    ],
  );
});

test('the linphone and SIPp publications compose to the components of Kamailio’s composed NOTIFY', () => {
  const bodies = new Map(captureBodies());
  const linphone = { doc: parseOk(bodies.get('linphone-02-PUBLISH-initial.txt')!), source: 'user', modifiedAt: 1000, createdAt: 1000, etag: 'a' } as const;
  const sipp = { doc: parseOk(bodies.get('sipp-04-PUBLISH-modify.txt')!), source: 'user', modifiedAt: 2000, createdAt: 2000, etag: 'b' } as const;
  const kamailio = parseOk(bodies.get('kamailio-01-NOTIFY-composed-two-publications.txt')!);
  const ours = reparsed(compose('sip:bob462b@127.0.0.1:5080', [linphone, sipp]));
  const ids = (d: PresenceDocument) => [d.tuples.map((t) => t.id).sort(), d.persons.map((p) => p.id)];
  assert.deepEqual(ids(ours), ids(kamailio));
  assert.deepEqual(summarise(ours).activities, summarise(kamailio).activities);
  assert.deepEqual(ours.tuples.find((t) => t.id === 'pfvgr3')!.statusExtensions.map((e) => e.namespaceURI), ['http://www.linphone.org/xsds/pidfonline.xsd']);
});

/** Mulberry32: a small seeded PRNG, so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('property: random publications compose to valid PIDF with every input id exactly once, each won by the rules', () => {
  const SOURCES = ['user', 'network', 'external'] as const;
  for (let seed = 1; seed <= 300; seed++) {
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const precedence = [...SOURCES].sort(() => rnd() - 0.5).slice(0, 1 + Math.floor(rnd() * 3));
    const inputs: ComposeInput[] = [];
    for (let p = Math.floor(rnd() * 6); p > 0; p--) {
      const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].filter(() => rnd() < 0.4);
      let inner = '';
      for (const id of ids) {
        const ts = rnd() < 0.5 ? `2026-01-01T00:00:0${Math.floor(rnd() * 3)}Z` : undefined;
        const kind = pick(['tuple', 'person', 'device'] as const);
        if (kind === 'tuple') {
          const prio = rnd() < 0.5 ? ` priority="${pick(['0', '0.5', '1'])}"` : '';
          inner += tuple(id, pick(['open', 'closed', ''] as const), `<contact${prio}>sip:${id}@x</contact>${ts ? `<timestamp>${ts}</timestamp>` : ''}`);
        } else {
          inner += `<dm:${kind} id="${id}">${kind === 'device' ? `<dm:deviceID>urn:${id}</dm:deviceID>` : ''}${ts ? `<dm:timestamp>${ts}</dm:timestamp>` : ''}</dm:${kind}>`;
        }
      }
      inputs.push(pub(inner, pick(SOURCES), 1000 * Math.floor(rnd() * 3), `etag-${seed}-${p}-${Math.floor(rnd() * 1e6)}`));
    }
    const composed = compose(ALICE, inputs, { precedence });
    const doc = reparsed(composed);
    const out = [...doc.tuples, ...doc.persons, ...doc.devices].map((c) => c.id);
    assert.equal(new Set(out).size, out.length, `seed ${seed}: ids unique`);
    const expected = new Set(inputs.flatMap((i) => [...i.doc.tuples, ...i.doc.persons, ...i.doc.devices].map((c) => c.id)));
    assert.deepEqual(new Set(out), expected, `seed ${seed}: every id once`);
    // Oracle: the winner of each id by brute force.
    const rank = (s: PublicationSource) => (precedence.includes(s) ? precedence.indexOf(s) : precedence.length);
    const time = (t?: string) => (t ? Date.parse(t) : Number.NEGATIVE_INFINITY);
    for (const id of expected) {
      const candidates = inputs.flatMap((i) => [...i.doc.tuples, ...i.doc.persons, ...i.doc.devices].filter((c) => c.id === id).map((c) => ({ c, i })));
      candidates.sort(
        (x, y) =>
          rank(x.i.source) - rank(y.i.source) ||
          y.i.modifiedAt - x.i.modifiedAt ||
          time(y.c.timestamp) - time(x.c.timestamp) ||
          (x.i.etag < y.i.etag ? -1 : 1),
      );
      const won = [...composed.tuples, ...composed.persons, ...composed.devices].find((c) => c.id === id);
      assert.ok(won === candidates[0]!.c, `seed ${seed}: winner of ${id}`);
    }
    // Open tuples always come before closed ones, and those before tuples without basic.
    const order = doc.tuples.map((t) => (t.basic === 'open' ? 0 : t.basic === 'closed' ? 1 : 2));
    assert.deepEqual(order, [...order].sort(), `seed ${seed}: tuple order`);
  }
});
