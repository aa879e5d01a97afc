import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConstraintFailure, SchemaValidationError, UniquenessFailure } from '../../../../src/xcap/errors.js';
import { ResourceListsUsage } from '../../../../src/xcap/usages/resource-lists.js';
import { candidate, fixture } from './helpers.js';

const usage = new ResourceListsUsage();
after(() => usage.dispose());

const RL = 'urn:ietf:params:xml:ns:resource-lists';
const ENTRY_REF = 'resource-lists/users/sip:bill@example.com/index/~~/resource-lists/list%5b@name=%22list1%22%5d/entry%5b@uri=%22sip:petri@example.com%22%5d';
const ANCHOR = 'http://xcap.example.org/resource-lists/users/sip:a@example.org/index/~~/resource-lists/list%5b@name=%22mkting%22%5d';

const lists = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n<resource-lists xmlns="${RL}">\n${body}\n</resource-lists>\n`;

function check(text: string) {
  const { doc, ctx } = candidate(text, { auid: 'resource-lists', xui: 'sip:joe@example.com' });
  return usage.validate(doc, ctx);
}

test('RFC 4826 §3.4: AUID, MIME type and default namespace', () => {
  assert.equal(usage.auid, 'resource-lists');
  assert.equal(usage.mimeType, 'application/resource-lists+xml');
  assert.equal(usage.defaultNamespace, RL);
});

test('the examples of RFC 4826 §3.3 and RFC 4825 §13 are valid', () => {
  for (const name of ['rfc4826-3.3.xml', 'rfc4825-13-resource-lists.xml', 'rfc4825-13-resource-lists-bob.xml']) {
    assert.equal(check(fixture(name)), undefined, name);
  }
});

test('schema violations are schema-validation-error', () => {
  const cases: [string, RegExp][] = [
    [lists('<list><entry/></list>'), /attribute 'uri' is required/],
    [lists('<list><buddy uri="sip:a@example.com"/></list>'), /buddy': This element is not expected/],
    [lists('<entry uri="sip:a@example.com"/>'), /entry': This element is not expected/],
    [lists('<list><entry-ref/></list>'), /attribute 'ref' is required/],
    [`<rl:list xmlns:rl="${RL}"/>`, /root element must be <resource-lists>/],
  ];
  for (const [text, phrase] of cases) {
    const result = check(text);
    assert.ok(result instanceof SchemaValidationError, text);
    assert.match(result.phrase ?? '', phrase);
  }
});

test('RFC 4826 §3.4.5: list names, entry URIs, entry-ref refs and external anchors are unique within their parent', () => {
  const result = check(
    lists(`<list name="friends"/>
<list name="family">
 <entry uri="sip:bob@example.com"/>
 <entry uri="sip:carol@example.com"/>
 <entry uri="sip:bob@example.com"/>
 <entry-ref ref="${ENTRY_REF}"/>
 <entry-ref ref="${ENTRY_REF}"/>
 <external anchor="${ANCHOR}"/>
 <external anchor="${ANCHOR}"/>
 <list name="cousins"/>
 <list name="cousins"/>
</list>
<list name="friends"/>`),
  );
  assert.ok(result instanceof UniquenessFailure);
  assert.deepEqual(
    result.exists.map((e) => e.field),
    [
      'resource-lists/list%5B2%5D/entry%5B3%5D/@uri',
      'resource-lists/list%5B2%5D/entry-ref%5B2%5D/@ref',
      'resource-lists/list%5B2%5D/external%5B2%5D/@anchor',
      'resource-lists/list%5B2%5D/list%5B2%5D/@name',
      'resource-lists/list%5B3%5D/@name',
    ],
  );
  assert.match(result.toXml(), /<uniqueness-failure phrase="[^"]*RFC 4826 §3\.4\.5[^"]*"><exists field="resource-lists\/list%5B2%5D\/entry%5B3%5D\/@uri"\/>/);
});

test('uniqueness is by case-sensitive comparison, within the same parent only; unnamed lists may repeat', () => {
  const ok = lists(`<list name="a">
 <entry uri="sip:bob@example.com"/>
 <entry uri="sip:Bob@example.com"/>
 <list name="b"><entry uri="sip:bob@example.com"/></list>
 <list name="A"/>
</list>
<list><entry uri="sip:bob@example.com"/></list>
<list/>
<list name="b"/>`);
  assert.equal(check(ok), undefined);
});

test('RFC 4826 §3.4.5: an entry-ref ref is a relative path reference into resource-lists', () => {
  for (const ref of [
    `http://xcap.example.com/${ENTRY_REF}`,
    `/${ENTRY_REF}`,
    'pres-rules/users/sip:bill@example.com/index',
    'resource-lists/users',
    'resource-lists',
  ]) {
    const result = check(lists(`<list name="a"><entry-ref ref='${ref}'/></list>`));
    assert.ok(result instanceof ConstraintFailure, ref);
    assert.match(result.phrase ?? '', /ref must be a relative path reference to a resource-lists document \(RFC 4826 §3\.4\.5\)/);
  }
  assert.equal(check(lists('<list name="a"><entry-ref ref="resource-lists/global/index"/></list>')), undefined);
});

test('RFC 4826 §3.4.5: an external anchor is an absolute HTTP URI of a resource-lists document', () => {
  for (const anchor of [
    'resource-lists/users/sip:a@example.org/index',
    'ftp://xcap.example.org/resource-lists/users/sip:a@example.org/index',
    'http://xcap.example.org/rls-services/users/sip:a@example.org/index',
    'http://xcap.example.org/resource-lists/users/sip:a@example.org/index/~~/list%5b@name="x"%5d',
  ]) {
    const result = check(lists(`<list name="a"><external anchor='${anchor}'/></list>`));
    assert.ok(result instanceof ConstraintFailure, anchor);
    assert.match(result.phrase ?? '', /anchor must be an absolute HTTP URI of a resource-lists document/);
  }
  const https = 'https://xcap.example.org/root/resource-lists/users/sip:a@example.org/index/~~/resource-lists/list%5b@name=%22x%22%5d';
  assert.equal(check(lists(`<list name="a"><external anchor="${https}"/><external/></list>`)), undefined);
});

test('a reference that breaks §3.4.5 is reported before duplicates', () => {
  const result = check(lists('<list name="a"/><list name="a"><external anchor="x:y"/></list>'));
  assert.ok(result instanceof ConstraintFailure);
});
