import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordParts, detached, detachedBytes } from '../../../../src/events/notifier/record-parts.js';
import type { Flow } from '../../../../src/sip/transport/types.js';

const flow = (id: string, remoteAddress = '192.0.2.10', remotePort = 5060): Flow => ({
  id, transport: 'UDP', localAddress: '192.0.2.1', localPort: 5060, remoteAddress, remotePort,
});

describe('record parts', () => {
  test('detached text equals the original', () => {
    const message = 'SUBSCRIBE sip:bob@ps.test SIP/2.0\r\nCall-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n';
    const callId = message.slice(message.indexOf('a84b'), message.lastIndexOf('\r\n'));
    assert.equal(detached(callId), 'a84b4c76e66710@pc33.atlanta.example.com');
    assert.equal(detached('déjà vu ☃'), 'déjà vu ☃');
  });

  test('detached bytes: a view of a larger buffer is copied, a buffer of its own is kept', () => {
    const datagram = Buffer.from('SUBSCRIBE …\r\n\r\n<filter-set/>');
    const body = datagram.subarray(datagram.indexOf('<'));
    const copy = detachedBytes(body);
    assert.notEqual(copy, body);
    assert.deepEqual(copy, Buffer.from('<filter-set/>'));
    assert.equal(copy.byteLength, copy.buffer.byteLength);
    assert.equal(detachedBytes(copy), copy);
  });

  test('one extra, one accept list, one flow for every record that has it', () => {
    const parts = new RecordParts();
    const target = `sip:${['192.0.2.1', '5060'].join(':')}`;
    const extra = parts.extra({ localTarget: target, rates: { maxRate: 1 } });
    assert.deepEqual(extra, { localTarget: 'sip:192.0.2.1:5060', rates: { maxRate: 1 } });
    assert.equal(parts.extra({ localTarget: 'sip:192.0.2.1:5060', rates: { maxRate: 1 } }), extra);
    assert.ok(Object.isFrozen(extra) && Object.isFrozen(extra!.rates));
    assert.notEqual(parts.extra({ localTarget: 'sip:192.0.2.1:5060' }), extra);
    assert.equal(parts.extra(undefined), undefined);
    const pidf = parts.accept(['application/pidf+xml', 'application/pidf-diff+xml']);
    assert.equal(parts.accept(['application/pidf+xml', 'application/pidf-diff+xml']), pidf);
    assert.notEqual(parts.accept(['application/pidf-diff+xml', 'application/pidf+xml']), pidf);
    assert.ok(Object.isFrozen(pidf));
    const f = parts.flow(flow('udp|192.0.2.10|5060'));
    assert.deepEqual(f, { transport: 'UDP', address: '192.0.2.10', port: 5060, flowId: 'udp|192.0.2.10|5060' });
    assert.equal(parts.flow(flow('udp|192.0.2.10|5060')), f);
    assert.ok(Object.isFrozen(f));
    // A flow id seen again with another source is another flow.
    assert.deepEqual(parts.flow(flow('udp|192.0.2.10|5060', '192.0.2.11')).address, '192.0.2.11');
  });

  test('the tables are bounded: past the limit they start again and still give equal parts', () => {
    const parts = new RecordParts();
    const first = parts.flow(flow('f0'));
    for (let i = 1; i <= 1100; i++) parts.flow(flow(`f${i}`));
    const again = parts.flow(flow('f0'));
    assert.notEqual(again, first);
    assert.deepEqual(again, first);
  });
});
