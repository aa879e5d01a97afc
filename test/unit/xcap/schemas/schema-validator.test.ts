import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diag } from 'libxml2-wasm';
import {
  CannotDelete,
  CannotInsert,
  ConstraintFailure,
  NoParent,
  NotUtf8,
  NotWellFormed,
  NotXmlAttValue,
  NotXmlFrag,
  SchemaValidationError,
  UniquenessFailure,
} from '../../../../src/xcap/errors.js';
import { SCHEMAS } from '../../../../src/xcap/schemas/schema-catalogue.js';
import { SchemaValidator } from '../../../../src/xcap/schemas/schema-validator.js';

const RL = SCHEMAS.resourceLists.namespace;
const lists = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n<resource-lists xmlns="${RL}">\n${body}\n</resource-lists>\n`;

test('every schema set of the usages compiles, the two amended RFC schemas included', () => {
  const sets = [
    { files: [SCHEMAS.commonPolicy, SCHEMAS.presRules], root: 'commonPolicy' },
    { files: [SCHEMAS.commonPolicy, SCHEMAS.presRules, SCHEMAS.omaCommonPolicy, SCHEMAS.omaPresRules], root: 'commonPolicy' },
    { files: [SCHEMAS.resourceLists, SCHEMAS.rlsServices], root: 'rlsServices' },
    { files: [SCHEMAS.pidf, SCHEMAS.dataModel, SCHEMAS.rpid], root: 'pidf' },
    { files: [SCHEMAS.xcapCaps], root: 'xcapCaps' },
    { files: [SCHEMAS.xcapError], root: 'xcapError' },
  ] as const;
  for (const set of sets) {
    const v = SchemaValidator.compile(set.files, { namespace: SCHEMAS[set.root].namespace, localName: 'x' });
    assert.deepEqual(v.namespaces, set.files.map((f) => f.namespace));
    v.dispose();
  }
});

test('a schema set missing an import does not compile, and says which files and why', () => {
  // rls-services imports resource-lists without a schemaLocation (its amendment): it must be listed first.
  assert.throws(
    () => SchemaValidator.compile([SCHEMAS.rlsServices], { namespace: SCHEMAS.rlsServices.namespace, localName: 'rls-services' }),
    /XML schemas rls-services\.xsd do not compile: .*listType/,
  );
});

test('a valid document passes; the first violation is a schema-validation-error naming its line', () => {
  const v = SchemaValidator.compile([SCHEMAS.resourceLists], { namespace: RL, localName: 'resource-lists' });
  try {
    assert.equal(v.validate(lists('<list name="a"><entry uri="sip:bob@example.com"/></list>')), undefined);
    const unknown = v.validate(lists('<list name="a">\n<entry uri="sip:bob@example.com"/>\n<buddy/></list>'));
    assert.ok(unknown instanceof SchemaValidationError);
    assert.match(unknown.phrase ?? '', /^line 5: Element '\{urn:ietf:params:xml:ns:resource-lists\}buddy': This element is not expected/);
    const missing = v.validate(lists('<list><entry/></list>'));
    assert.ok(missing instanceof SchemaValidationError);
    assert.match(missing.phrase ?? '', /attribute 'uri' is required/);
    // An element of another namespace at an extension point is allowed (lax, RFC 4825 §5.8).
    assert.equal(v.validate(lists('<list><entry uri="sip:b@example.com"/><x:y xmlns:x="urn:example:ext"/></list>')), undefined);
    assert.match(v.validate(Buffer.from(lists('<list><list><entry uri="a:b"/></list><display-name/></list>')))?.phrase ?? '', /display-name/);
  } finally {
    v.dispose();
  }
});

test('the root element must be the usage\'s, even when the schema declares others globally', () => {
  const v = SchemaValidator.compile([SCHEMAS.commonPolicy, SCHEMAS.presRules], { namespace: SCHEMAS.commonPolicy.namespace, localName: 'ruleset' });
  try {
    const other = v.validate(`<provide-devices xmlns="${SCHEMAS.presRules.namespace}"><all-devices/></provide-devices>`);
    assert.ok(other instanceof SchemaValidationError);
    assert.match(other.phrase ?? '', /root element must be <ruleset> in namespace urn:ietf:params:xml:ns:common-policy, not <provide-devices> in namespace urn:ietf:params:xml:ns:pres-rules/);
    assert.match(v.validate('<ruleset/>')?.phrase ?? '', /not <ruleset> in no namespace/);
  } finally {
    v.dispose();
  }
});

test('a document libxml2 cannot parse is not-well-formed with the parser\'s message; no external entity is loaded', () => {
  const v = SchemaValidator.compile([SCHEMAS.resourceLists], { namespace: RL, localName: 'resource-lists' });
  try {
    const broken = v.validate(`<resource-lists xmlns="${RL}"><list></resource-lists>`);
    assert.ok(broken instanceof NotWellFormed);
    assert.match(broken.phrase ?? '', /^line 1: Opening and ending tag mismatch/);
    // The schema files are readable by libxml2's loader; a document must not be able to pull one in
    // (the server screens DOCTYPEs out before; this is the second line). It is refused, not thrown.
    const xxe = `<!DOCTYPE resource-lists [<!ENTITY x SYSTEM "presenced-schemas:/xml.xsd">]><resource-lists xmlns="${RL}"><list name="a"><display-name>&x;</display-name></list></resource-lists>`;
    const result = v.validate(xxe);
    assert.ok(result instanceof SchemaValidationError);
    assert.doesNotMatch(result.phrase ?? '', /XMLSchema|xml:lang/);
  } finally {
    v.dispose();
  }
});

test('the conflict reports of errors.ts are valid against the RFC 4825 §11.2 xcap-error schema', () => {
  const v = SchemaValidator.compile([SCHEMAS.xcapError], { namespace: SCHEMAS.xcapError.namespace, localName: 'xcap-error' });
  try {
    const conflicts = [
      new NotWellFormed('bad'),
      new NotXmlFrag(),
      new NoParent('http://xcap.example.com/resource-lists/users/sip:a@example.com/index', 'no parent'),
      new SchemaValidationError('line 1: x'),
      new NotXmlAttValue(),
      new CannotInsert(),
      new CannotDelete(),
      new UniquenessFailure([{ field: 'rls-services/service/@uri', altValues: ['sip:mybuddies@example.com'] }, { field: 'a' }]),
      new ConstraintFailure('c & "d" <e>'),
      new NotUtf8(),
    ];
    for (const c of conflicts) assert.equal(v.validate(c.toXml()), undefined, c.element);
  } finally {
    v.dispose();
  }
});

test('10,000 validations leave wasm memory where it was and no libxml2 object undisposed', () => {
  const v = SchemaValidator.compile([SCHEMAS.resourceLists], { namespace: RL, localName: 'resource-lists' });
  const entries = Array.from({ length: 50 }, (_, i) => `<entry uri="sip:user${i}@example.com"><display-name>User ${i}</display-name></entry>`).join('');
  const good = lists(`<list name="a">${entries}</list>`);
  const bad = lists(`<list name="a">${entries}<oops/></list>`);
  const broken = lists(`<list name="a">${entries}`);
  const round = (i: number): void => {
    const r = v.validate(i % 3 === 0 ? good : i % 3 === 1 ? bad : broken);
    assert.equal(r?.element, [undefined, 'schema-validation-error', 'not-well-formed'][i % 3]);
  };
  try {
    for (let i = 0; i < 300; i++) round(i);
    diag.configure({ enabled: true });
    const before = process.memoryUsage().external;
    for (let i = 0; i < 10_000; i++) round(i);
    const grown = process.memoryUsage().external - before;
    assert.deepEqual(diag.report(), {});
    // Leaking each parsed document would grow the wasm heap by tens of megabytes here.
    assert.ok(grown < 4 * 1024 * 1024, `external memory grew by ${grown} bytes`);
  } finally {
    diag.configure({ enabled: false });
    v.dispose();
  }
});
