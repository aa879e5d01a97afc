import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PathHeader,
  RecordRouteHeader,
  RouteHeader,
  ServiceRouteHeader,
} from '../../../../../src/sip/parser/headers/route.js';
import type { SipUri } from '../../../../../src/sip/message/types.js';
import { defect, ok } from './grammar-helpers.js';

test('Route: name-addr list with lr, in order, merged across lines', () => {
  const routes = ok(RouteHeader, '<sip:p1.example.com;lr>, <sip:p2.example.com;lr>', '<sip:p3.example.com;lr>;foo=bar');
  assert.deepEqual(routes.map((r) => (r.uri as SipUri).host), ['p1.example.com', 'p2.example.com', 'p3.example.com']);
  assert.equal((routes[0]!.uri as SipUri).params.get('lr'), null);
  assert.equal(routes[2]!.params.get('foo'), 'bar');
});

test('Record-Route, Path and Service-Route share the grammar; display names are allowed', () => {
  const [rr] = ok(RecordRouteHeader, '"Edge" <sip:edge.example.com:5060;lr;transport=tcp>');
  assert.equal(rr!.displayName, 'Edge');
  assert.equal((rr!.uri as SipUri).port, 5060);
  assert.equal(ok(PathHeader, '<sip:P3.EXAMPLECOM;lr>, <sip:P1.EXAMPLE.COM;lr>').length, 2);
  assert.equal((ok(ServiceRouteHeader, '<sip:P2.HOME.EXAMPLE.COM;lr>, <sip:HSP.HOME.EXAMPLE.COM;lr>')[1]!.uri as SipUri).host,
    'hsp.home.example.com');
});

test('route-param = name-addr: a bare addr-spec is a defect (RFC 3261 §25.1, RFC 3327 §4, RFC 3608 §5)', () => {
  for (const g of [RouteHeader, RecordRouteHeader, PathHeader, ServiceRouteHeader]) {
    assert.match(defect(g, 'sip:p1.example.com;lr'), /name-addr/, g.name);
    assert.match(defect(g, '<sip:p1.example.com;lr>, sip:p2.example.com'), /name-addr/, g.name);
  }
});

test('malformed Route values are defects', () => {
  for (const v of ['', '<sip:p1.example.com;lr', '<sip:p1.example.com>,', '<>']) assert.ok(defect(RouteHeader, v), v);
});
