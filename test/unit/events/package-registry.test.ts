import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventPackage } from '../../../src/events/event-package.js';
import { PackageRegistry } from '../../../src/events/package-registry.js';
import { SipError } from '../../../src/sip/message/sip-error.js';
import { EventHeader } from '../../../src/sip/parser/headers/event.js';
import type { EventType } from '../../../src/sip/message/types.js';

function pkg(name: string, over: Partial<EventPackage> = {}): EventPackage {
  return {
    name,
    notifyTypes: ['text/plain'],
    subscribeBodyTypes: [],
    expires: { default: 600, min: 60, max: 3600 },
    authorize: () => 'active',
    render: () => undefined,
    ...over,
  };
}

function event(text: string): EventType {
  const r = EventHeader.parse([text]);
  if (!r.ok) throw new Error(r.defect);
  return r.value;
}

describe('PackageRegistry', () => {
  test('get matches byte by byte (RFC 6665 §8.2.1)', () => {
    const reg = new PackageRegistry();
    const presence = pkg('presence');
    reg.register(presence);
    assert.equal(reg.get('presence'), presence);
    assert.equal(reg.get('Presence'), undefined);
    assert.equal(reg.get('presence.winfo'), undefined);
  });

  test('forEvent joins package and templates and ignores parameters', () => {
    const reg = new PackageRegistry();
    const presence = pkg('presence');
    const winfo = pkg('presence.winfo');
    reg.register(presence);
    reg.register(winfo);
    assert.equal(reg.forEvent(event('presence;id=7')), presence);
    assert.equal(reg.forEvent(event('presence.winfo')), winfo);
  });

  test('forEvent rejects an unknown or missing Event with 489 and Allow-Events (RFC 6665 §4.2.1.1, §4.2.3)', () => {
    const reg = new PackageRegistry();
    reg.register(pkg('presence'));
    reg.register(pkg('presence.winfo'));
    for (const e of [event('Presence'), event('dialog'), undefined]) {
      assert.throws(
        () => reg.forEvent(e),
        (err: unknown) => err instanceof SipError && err.status === 489 && err.reason === 'Bad Event' &&
          err.headers.some(([n, v]) => n === 'Allow-Events' && v === 'presence, presence.winfo'),
      );
    }
  });

  test('names() and all() list packages in registration order', () => {
    const reg = new PackageRegistry();
    const a = pkg('presence');
    const b = pkg('message-summary');
    reg.register(a);
    reg.register(b);
    assert.deepEqual(reg.names(), ['presence', 'message-summary']);
    assert.deepEqual(reg.all(), [a, b]);
  });

  test('register refuses duplicates, bad names, no NOTIFY type and inconsistent expiry', () => {
    const reg = new PackageRegistry();
    reg.register(pkg('presence'));
    assert.throws(() => reg.register(pkg('presence')), /already registered/);
    assert.throws(() => reg.register(pkg('pres ence')), /not an event-type/);
    assert.throws(() => reg.register(pkg('a,b')), /not an event-type/);
    assert.throws(() => reg.register(pkg('x', { notifyTypes: [] })), /no NOTIFY/);
    assert.throws(() => reg.register(pkg('y', { expires: { default: 30, min: 60, max: 3600 } })), /expiry/);
    assert.throws(() => reg.register(pkg('z', { expires: { default: 600, min: 60, max: 300 } })), /expiry/);
    assert.deepEqual(reg.names(), ['presence']);
  });
});
