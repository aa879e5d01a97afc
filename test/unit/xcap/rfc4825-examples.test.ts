import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BILL, BILL_LISTS, world } from './support.js';
import type { World } from './support.js';

const EL = 'application/xcap-el+xml';

/** Puts a document into the 'test' usage (default document namespace urn:test:default-namespace). */
async function putTestDoc(w: World, body: string, name = 'index'): Promise<string> {
  const url = `/xcap/test/users/${BILL}/${name}`;
  const r = await w.request('PUT', url, { type: 'application/test+xml', body });
  assert.equal(r.statusCode, 201, r.body);
  return url;
}

// RFC 4825 §6.3, Figure 3 (placed in a usage whose default document namespace is the watcherinfo one).
const FIGURE_3 = `<?xml version="1.0"?>
<watcherinfo xmlns="urn:test:default-namespace"
             version="0" state="full">
  <watcher-list resource="sip:professor@example.net"
                package="presence">
    <watcher status="active"
             id="8ajksjda7s"
             duration-subscribed="509"
             event="approved">sip:userA@example.net</watcher>
    <watcher status="pending"
             id="hh8juja87s997-ass7"
             display-name="Mr. Subscriber"
             event="subscribe">sip:userB@example.org</watcher>
  </watcher-list>
</watcherinfo>`;

test('RFC 4825 §6.3: watcherinfo/watcher-list/watcher[@id="8ajksjda7s"] selects the first watcher', async () => {
  const w = await world();
  const url = await putTestDoc(w, FIGURE_3);
  const r = await w.request('GET', `${url}/~~/watcherinfo/watcher-list/watcher%5B@id=%228ajksjda7s%22%5D`);
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['content-type'], EL);
  // Attribute values are normalized by XML parsing; the element is otherwise returned as it is.
  assert.equal(r.body, '<watcher status="active" id="8ajksjda7s" duration-subscribed="509" event="approved">sip:userA@example.net</watcher>');
  // Several matches make the selector invalid: 404 (RFC 4825 §8.3).
  assert.equal((await w.request('GET', `${url}/~~/watcherinfo/watcher-list/watcher`)).statusCode, 404);
  assert.equal((await w.request('GET', `${url}/~~/watcherinfo/watcher-list/*%5B2%5D/@display-name`)).body, '"Mr. Subscriber"');
  await w.close();
});

const SECTION_6_4 = `<?xml version="1.0"?>
<foo xmlns="urn:test:default-namespace">
  <ns1:bar xmlns:ns1="urn:test:namespace1-uri"
           xmlns="urn:test:namespace1-uri">
    <baz/>
    <ns2:baz xmlns:ns2="urn:test:namespace2-uri"/>
  </ns1:bar>
  <ns3:hi xmlns:ns3="urn:test:namespace3-uri">
    <there/>
  </ns3:hi>
</foo>`;

test('RFC 4825 §6.4: prefixes bound by the query select by expanded name; element GETs add no bindings (§8.3)', async () => {
  const w = await world();
  const url = await putTestDoc(w, SECTION_6_4);
  const first = await w.request('GET', `${url}/~~/foo/a:bar/b:baz?xmlns(a=urn:test:namespace1-uri)xmlns(b=urn:test:namespace1-uri)`);
  assert.equal(first.statusCode, 200);
  assert.equal(first.body, '<baz/>');
  const second = await w.request('GET', `${url}/~~/foo/a:bar/b:baz?xmlns(a=urn:test:namespace1-uri)xmlns(b=urn:test:namespace2-uri)`);
  assert.equal(second.body, '<ns2:baz xmlns:ns2="urn:test:namespace2-uri"/>');
  const third = await w.request('GET', `${url}/~~/d:foo/a:bar/b:baz?xmlns(a=urn:test:namespace1-uri)xmlns(b=urn:test:namespace2-uri)xmlns(d=urn:test:default-namespace)`);
  assert.equal(third.body, second.body);
  // The element's own declarations are kept, none from its ancestors is added.
  const bar = await w.request('GET', `${url}/~~/foo/a:bar?xmlns(a=urn:test:namespace1-uri)`);
  assert.ok(bar.body.startsWith('<ns1:bar xmlns:ns1="urn:test:namespace1-uri" xmlns="urn:test:namespace1-uri">'), bar.body);
  const there = await w.request('GET', `${url}/~~/foo/c:hi/there?xmlns(c=urn:test:namespace3-uri)`);
  assert.equal(there.body, '<there/>', 'unprefixed steps take the default document namespace of the usage');
  const wrong = await w.request('GET', `${url}/~~/foo/c:hi/c:there?xmlns(c=urn:test:namespace3-uri)`);
  assert.equal(wrong.statusCode, 404, '<there> is in the default namespace, not in the namespace of <ns3:hi>');
  // An unbound prefix is a 400 (RFC 4825 §8).
  assert.equal((await w.request('GET', `${url}/~~/foo/a:bar`)).statusCode, 400);
  await w.close();
});

test('RFC 4825 §10: namespace bindings in scope for an element, as application/xcap-ns+xml', async () => {
  const w = await world();
  const url = await putTestDoc(w, SECTION_6_4);
  const r = await w.request('GET', `${url}/~~/df:foo/df2:bar/df2:baz/namespace::*?xmlns(df=urn:test:default-namespace)xmlns(df2=urn:test:namespace1-uri)`);
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['content-type'], 'application/xcap-ns+xml');
  assert.ok(r.headers.etag);
  // The RFC's example with its typo ("urn:tes:") corrected.
  assert.equal(r.body, '<baz xmlns="urn:test:namespace1-uri" xmlns:ns1="urn:test:namespace1-uri"/>');
  const hi = await w.request('GET', `${url}/~~/foo/p:hi/namespace::*?xmlns(p=urn:test:namespace3-uri)`);
  assert.equal(hi.body, '<ns3:hi xmlns="urn:test:default-namespace" xmlns:ns3="urn:test:namespace3-uri"/>');
  // RFC 4825 §8.2, §8.4: PUT and DELETE of namespace bindings are 405 with Allow including GET.
  for (const method of ['PUT', 'DELETE']) {
    const n = await w.request(method, `${url}/~~/foo/namespace::*`, { type: EL, body: '<x/>' });
    assert.equal(n.statusCode, 405);
    assert.equal(n.headers.allow, 'GET, HEAD');
  }
  await w.close();
});

const INSERT_BASE = `<?xml version="1.0"?>
<root xmlns="urn:test:default-namespace">
 <el1 att="first"/>
 <el1 att="second"/>
 <!-- comment -->
 <el2 att="first"/>
</root>`;

test('RFC 4825 §8.2.3: every insertion example of the section lands exactly where the RFC shows', async () => {
  const cases: [string, string, string][] = [
    ['root/el1%5B@att=%22third%22%5D', '<el1 att="third"/>', ' <el1 att="second"/><el1 att="third"/>\n <!-- comment -->'],
    ['root/el1%5B3%5D%5B@att=%22third%22%5D', '<el1 att="third"/>', ' <el1 att="second"/><el1 att="third"/>\n <!-- comment -->'],
    ['root/*%5B3%5D%5B@att=%22third%22%5D', '<el1 att="third"/>', ' <el1 att="second"/><el1 att="third"/>\n <!-- comment -->'],
    ['root/el3', '<el3 att="first"/>', ' <el2 att="first"/>\n<el3 att="first"/></root>'],
    ['root/el2%5B@att=%222%22%5D', '<el2 att="2"/>', ' <el2 att="first"/><el2 att="2"/>\n</root>'],
    ['root/el2%5B2%5D%5B@att=%222%22%5D', '<el2 att="2"/>', ' <el2 att="first"/><el2 att="2"/>\n</root>'],
    ['root/*%5B2%5D%5B@att=%222%22%5D', '<el2 att="2"/>', ' <el1 att="first"/><el2 att="2"/>\n <el1 att="second"/>'],
    ['root/el2%5B1%5D%5B@att=%222%22%5D', '<el2 att="2"/>', ' <el2 att="2"/><el2 att="first"/>\n</root>'],
  ];
  for (const [selector, element, expected] of cases) {
    const w = await world();
    const url = await putTestDoc(w, INSERT_BASE);
    const r = await w.request('PUT', `${url}/~~/${selector}`, { type: EL, body: element });
    assert.equal(r.statusCode, 201, `${selector}: ${r.body}`);
    const doc = await w.request('GET', url);
    assert.ok(doc.body.includes(expected), `${selector}:\n${doc.body}`);
    assert.equal(doc.body.length, INSERT_BASE.length + element.length, selector);
    // GET(PUT(x)) == x.
    assert.equal((await w.request('GET', `${url}/~~/${selector}`)).body, element);
    await w.close();
  }
});

test('RFC 4825 §8.2.3: positions that cannot be reached, and bodies the selector does not describe, are <cannot-insert>', async () => {
  const w = await world();
  const url = await putTestDoc(w, INSERT_BASE);
  for (const [selector, element] of [
    ['root/el2%5B3%5D%5B@att=%22x%22%5D', '<el2 att="x"/>'],
    ['root/*%5B5%5D%5B@att=%22x%22%5D', '<el9 att="x"/>'],
    ['root/el1%5B@att=%22x%22%5D', '<el1 att="y"/>'],
    ['root/el1%5B@att=%22x%22%5D', '<el4 att="x"/>'],
    ['root/el1', '<el1/>'],
    ['other', '<other/>'],
  ]) {
    const r = await w.request('PUT', `${url}/~~/${selector}`, { type: EL, body: element });
    assert.equal(r.statusCode, 409, selector);
    assert.match(r.body, /<cannot-insert /, selector);
  }
  assert.equal((await w.request('GET', url)).body, INSERT_BASE, 'the document is unchanged');
  await w.close();
});

test('RFC 4825 §13: Bill creates his lists and RLS service, adds entries, deletes one and fetches an attribute', async () => {
  const w = await world();
  // Figure 24: a new document.
  let r = await w.request('PUT', '/xcap/resource-lists/users/sip:bill@example.com/index', {
    type: 'application/resource-lists+xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">
  <list name="friends">
  </list>
</resource-lists>`,
  });
  assert.equal(r.statusCode, 201);
  assert.match(String(r.headers.etag), /^"[^"]+"$/);
  // Figure 25: the RLS services document.
  r = await w.request('PUT', '/xcap/rls-services/users/sip:bill@example.com/index', {
    type: 'application/rls-services+xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>
<rls-services xmlns="urn:ietf:params:xml:ns:rls-services">
<service uri="sip:myfriends@example.com">
  <resource-list>http://xcap.example.com/resource-lists/users/sip:bill@example.com/index/~~/resource-lists/list%5b@name=%22friends%22%5d
</resource-list>
  <packages>
   <package>presence</package>
  </packages>
 </service>
</rls-services>`,
  });
  assert.equal(r.statusCode, 201);
  // Figure 26: an entry added to the list.
  r = await w.request('PUT', '/xcap/resource-lists/users/sip:bill@example.com/index/~~/resource-lists/list%5b@name=%22friends%22%5d/entry', {
    type: EL,
    body: `<entry uri="sip:bob@example.com">
    <display-name>Bob Jones</display-name>
  </entry>`,
  });
  assert.equal(r.statusCode, 201);
  // Figures 27, 28: the fetch, with the white space text nodes where the RFC shows them.
  r = await w.request('GET', '/xcap/resource-lists/users/sip:bill@example.com/index');
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['content-type'], 'application/resource-lists+xml');
  assert.equal(
    r.body,
    `<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">
  <list name="friends">
  <entry uri="sip:bob@example.com">
    <display-name>Bob Jones</display-name>
  </entry></list>
</resource-lists>`,
  );
  const fetchedTag = r.headers.etag;
  // Figure 29: another list inside the list.
  r = await w.request('PUT', '/xcap/resource-lists/users/sip:bill@example.com/index/~~/resource-lists/list%5b@name=%22friends%22%5d/list%5b@name=%22close-friends%22%5d', {
    type: EL,
    body: `<list name="close-friends">
   <entry uri="sip:joe@example.com">
     <display-name>Joe Smith</display-name>
   </entry>
   <entry uri="sip:nancy@example.com">
     <display-name>Nancy Gross</display-name>
   </entry>
   <entry uri="sip:petri@example.com">
     <display-name>Petri Aukia</display-name>
   </entry>
</list>`,
  });
  assert.equal(r.statusCode, 201);
  assert.notEqual(r.headers.etag, fetchedTag);
  // Figure 30: Petri deleted.
  r = await w.request('DELETE', '/xcap/resource-lists/users/sip:bill@example.com/index/~~/resource-lists/list/list/entry%5b@uri=%22sip:petri@example.com%22%5d');
  assert.equal(r.statusCode, 200);
  const afterDelete = r.headers.etag;
  assert.ok(afterDelete, 'RFC 4825 §8.4: a DELETE of a node carries the document entity tag');
  // Figures 31, 32: the URI of Nancy.
  r = await w.request('GET', '/xcap/resource-lists/users/sip:bill@example.com/index/~~/resource-lists/list/list/entry%5b2%5d/@uri');
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['content-type'], 'application/xcap-att+xml');
  assert.equal(r.headers.etag, afterDelete);
  assert.equal(r.body, '"sip:nancy@example.com"');
  const doc = (await w.request('GET', BILL_LISTS)).body;
  assert.ok(!doc.includes('petri'));
  assert.ok(doc.includes('</entry>\n   \n</list>'), 'the white space around the deleted entry stays (RFC 4825 §8.4)');
  assert.deepEqual(
    w.changes.map((c) => [c.auid, c.tree, c.xui, c.name, c.removed]),
    [
      ['resource-lists', 'users', BILL, 'index', false],
      ['rls-services', 'users', BILL, 'index', false],
      ['resource-lists', 'users', BILL, 'index', false],
      ['resource-lists', 'users', BILL, 'index', false],
      ['resource-lists', 'users', BILL, 'index', false],
    ],
  );
  assert.equal(`"${w.changes.at(-1)!.etag}"`, afterDelete);
  await w.close();
});

test('RFC 4825 §7.4 and §7.7: a PUT whose selector would not select its own body is refused with <cannot-insert>', async () => {
  const w = await world();
  const services = '/xcap/rls-services/users/sip:bill@example.com/index';
  await w.request('PUT', services, {
    type: 'application/rls-services+xml',
    body: '<rls-services xmlns="urn:ietf:params:xml:ns:rls-services"><service uri="sip:good-friends@example.com"><packages/></service></rls-services>',
  });
  let r = await w.request('PUT', `${services}/~~/rls-services/service%5b@uri=%22sip:good-friends@example.com%22%5d`, {
    type: EL,
    body: `<service uri="sip:mybuddies@example.com">
  <resource-list>http://xcap.example.com/resource-lists/users/sip:joe@example.com/index/~~/resource-lists/list%5b@name=%22l1%22%5d</resource-list>
  <packages>
   <package>presence</package>
  </packages>
</service>`,
  });
  assert.equal(r.statusCode, 409);
  assert.match(r.body, /<cannot-insert /);
  r = await w.request('PUT', `${services}/~~/rls-services/service%5b@uri=%22sip:good-friends@example.com%22%5d/@uri`, {
    type: 'application/xcap-att+xml',
    body: '"sip:bad-friends@example.com"',
  });
  assert.equal(r.statusCode, 409);
  assert.match(r.body, /<cannot-insert /);
  // Selected by position instead, the same replacement is fine (RFC 4825 §7.7).
  r = await w.request('PUT', `${services}/~~/rls-services/service%5b1%5d/@uri`, { type: 'application/xcap-att+xml', body: '"sip:bad-friends@example.com"' });
  assert.equal(r.statusCode, 200);
  assert.equal((await w.request('GET', `${services}/~~/rls-services/service/@uri`)).body, '"sip:bad-friends@example.com"');
  await w.close();
});

test('RFC 4825 §7.5: a positional DELETE is allowed only for the last such sibling (<cannot-delete> otherwise)', async () => {
  const w = await world();
  await w.request('PUT', BILL_LISTS, {
    type: 'application/resource-lists+xml',
    body: '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="a"><entry uri="sip:1@x"/><entry uri="sip:2@x"/></list><list name="b"/></resource-lists>',
  });
  for (const selector of ['resource-lists/list%5B1%5D/entry%5B1%5D', 'resource-lists/*%5B1%5D', 'resource-lists/list%5B1%5D/*%5B1%5D']) {
    const r = await w.request('DELETE', `${BILL_LISTS}/~~/${selector}`);
    assert.equal(r.statusCode, 409, selector);
    assert.match(r.body, /<cannot-delete /);
  }
  let r = await w.request('DELETE', `${BILL_LISTS}/~~/resource-lists/list%5B1%5D/entry%5B2%5D`);
  assert.equal(r.statusCode, 200);
  r = await w.request('DELETE', `${BILL_LISTS}/~~/resource-lists/*%5B2%5D`);
  assert.equal(r.statusCode, 200);
  // A second DELETE of the same node is a 404 (idempotency, RFC 4825 §7).
  r = await w.request('DELETE', `${BILL_LISTS}/~~/resource-lists/list%5B@name=%22b%22%5D`);
  assert.equal(r.statusCode, 404);
  assert.equal((await w.request('GET', BILL_LISTS)).body, '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="a"><entry uri="sip:1@x"/></list></resource-lists>');
  await w.close();
});
