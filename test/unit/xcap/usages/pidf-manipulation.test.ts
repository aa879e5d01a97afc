import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConstraintFailure, SchemaValidationError } from '../../../../src/xcap/errors.js';
import { PidfManipulationUsage } from '../../../../src/xcap/usages/pidf-manipulation.js';
import { candidate, fixture } from './helpers.js';

const usage = new PidfManipulationUsage();
after(() => usage.dispose());

const PIDF = 'urn:ietf:params:xml:ns:pidf';
const SOMEONE = 'sip:someone@example.com';

const presence = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="${PIDF}" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rp="urn:ietf:params:xml:ns:pidf:rpid" entity="${SOMEONE}">
${body}
</presence>
`;

function check(text: string, where: { tree?: 'users' | 'global'; name?: string } = {}) {
  const { doc, ctx } = candidate(text, { auid: 'pidf-manipulation', xui: SOMEONE, ...where });
  return usage.validate(doc, ctx);
}

test('RFC 4827: AUID, MIME type, default namespace, data model and RPID schemas listed, document index', () => {
  assert.equal(usage.auid, 'pidf-manipulation');
  assert.equal(usage.mimeType, 'application/pidf+xml');
  assert.equal(usage.defaultNamespace, PIDF);
  assert.deepEqual(usage.namespaces, ['urn:ietf:params:xml:ns:pidf:data-model', 'urn:ietf:params:xml:ns:pidf:rpid']);
  assert.equal(usage.defaultDocument, 'index');
});

test('the RFC 4827 §11 example is valid (its CIPID elements are skipped: lax, not a schema presenced has)', () => {
  assert.equal(check(fixture('rfc4827-11.xml')), undefined);
});

test('RFC 4827 §9: the only document is users/<xui>/index', () => {
  for (const where of [{ name: 'presence' }, { tree: 'global' as const }]) {
    const result = check(fixture('rfc4827-11.xml'), where);
    assert.ok(result instanceof ConstraintFailure);
    assert.match(result.phrase ?? '', /users\/<xui>\/index.*RFC 4827 §9/);
  }
});

test('PIDF, data model and RPID violations are schema-validation-error', () => {
  const cases: [string, RegExp][] = [
    [presence('<tuple id="t1"><status><basic>maybe</basic></status></tuple>'), /basic.*'maybe'/],
    // RFC 3863 §4.1.2: tuple ids are unique in the document (xs:ID).
    [presence('<tuple id="t1"><status/></tuple><tuple id="t1"><status/></tuple>'), /'t1' is not a valid value of the atomic type 'xs:ID'/],
    [presence('<tuple id="t1"><status/><contact priority="2">sip:a@example.com</contact></tuple>'), /priority/],
    [presence('<dm:person><rp:activities><rp:away/></rp:activities></dm:person>'), /attribute 'id' is required/],
    [presence('<dm:person id="p1"><rp:activities><rp:dancing/></rp:activities></dm:person>'), /dancing/],
    [`<tuple xmlns="${PIDF}" id="t1"><status/></tuple>`, /root element must be <presence>/],
  ];
  for (const [text, phrase] of cases) {
    const result = check(text);
    assert.ok(result instanceof SchemaValidationError, text);
    assert.match(result.phrase ?? '', phrase);
  }
  assert.equal(check(presence('<dm:person id="p1"><rp:activities><rp:away/></rp:activities><x:mood xmlns:x="urn:example:ext"/></dm:person>')), undefined);
});
