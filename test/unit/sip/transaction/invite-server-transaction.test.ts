import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../../../../src/sip/message/response.js';
import type { SipRequest } from '../../../../src/sip/message/message.js';
import { ToHeader } from '../../../../src/sip/parser/headers/from-to.js';
import type { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server-transaction.js';
import { intervals, request, setup, TCP_FLOW, UDP_FLOW } from './helpers.js';
import type { RequestSpec } from './helpers.js';

/** A layer whose TU keeps the INVITE transactions it is given, without answering. */
function withTu(): ReturnType<typeof setup> & { txs: InviteServerTransaction[] } {
  const s = setup();
  const txs: InviteServerTransaction[] = [];
  s.layer.onRequest = (tx) => {
    assert.equal(tx.kind, 'invite');
    if (tx.kind === 'invite') txs.push(tx);
  };
  return { ...s, txs };
}

const invite = (spec: RequestSpec = {}): SipRequest => request({ method: 'INVITE', branch: 'z9hG4bKinv1', ...spec });
/** The ACK for a non-2xx final response: same branch, CSeq number, To tag of the response (§17.1.1.3). */
const ack = (toTag: string, spec: RequestSpec = {}): SipRequest =>
  request({ method: 'ACK', branch: 'z9hG4bKinv1', toTag, ...spec });

test('100 Trying is sent after 200 ms when the TU has not answered (§17.2.1)', () => {
  const { clock, layer, transport, txs } = withTu();
  layer.receive(invite(), UDP_FLOW);
  assert.equal(txs[0]!.state, 'proceeding');
  clock.advance(199);
  assert.equal(transport.sent.length, 0);
  clock.advance(1);
  assert.deepEqual(transport.statuses(), [100]);
  const trying = transport.messages()[0]!;
  assert.equal(trying.required(ToHeader).params.has('tag'), false, '100 Trying carries no To tag');
  // A retransmitted INVITE in Proceeding gets the most recent provisional response.
  layer.receive(invite(), UDP_FLOW);
  assert.deepEqual(transport.statuses(), [100, 100]);
  layer.close();
});

test('no 100 Trying when the TU answers within 200 ms', () => {
  const { clock, layer, transport } = setup();
  layer.onRequest = (tx) => tx.respond(createResponse(tx.request, 405));
  layer.receive(invite({ transport: 'TCP' }), TCP_FLOW);
  clock.advance(1000);
  assert.deepEqual(transport.statuses(), [405]);
  layer.close();
});

test('UDP: a 405 enters Completed; Timer G re-sends it at 500, 1000, 2000, 4000, 4000 ms; Timer H ends it at 32 s', () => {
  const { clock, layer, transport, txs } = withTu();
  layer.receive(invite(), UDP_FLOW);
  const tx = txs[0]!;
  let timeouts = 0;
  tx.onTimeout = () => void timeouts++;
  tx.respond(createResponse(tx.request, 405));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(tx.runningTimers.sort(), ['timerG', 'timerH']);
  clock.advance(31_999);
  assert.deepEqual(intervals(transport.sent), [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]);
  assert.ok(transport.statuses().every((s) => s === 405));
  assert.equal(timeouts, 0);
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.equal(timeouts, 1, 'Timer H tells the TU');
  assert.equal(clock.pending, 0);
  assert.equal(layer.size.server, 0);
});

test('UDP: the ACK moves Completed to Confirmed, stops Timer G, is absorbed, and Timer I (T4) terminates', () => {
  const { clock, layer, transport, txs } = withTu();
  let strays = 0;
  layer.onStrayAck = () => void strays++;
  layer.receive(invite(), UDP_FLOW);
  const tx = txs[0]!;
  tx.respond(createResponse(tx.request, 501, undefined, 'srv'));
  clock.advance(600); // one Timer G retransmission at 500 ms
  layer.receive(ack('srv'), UDP_FLOW);
  assert.equal(tx.state, 'confirmed');
  assert.deepEqual(tx.runningTimers, ['timerI']);
  // Confirmed absorbs ACK retransmissions and ignores INVITE retransmissions.
  layer.receive(ack('srv'), UDP_FLOW);
  layer.receive(invite(), UDP_FLOW);
  assert.equal(strays, 0);
  assert.equal(txs.length, 1);
  clock.advance(4999);
  assert.equal(transport.sent.length, 2, 'no retransmission after the ACK');
  assert.equal(tx.state, 'confirmed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('UDP: a retransmitted INVITE in Completed gets the final response again', () => {
  const { layer, transport, txs } = withTu();
  layer.receive(invite(), UDP_FLOW);
  txs[0]!.respond(createResponse(txs[0]!.request, 488));
  layer.receive(invite(), UDP_FLOW);
  assert.deepEqual(transport.statuses(), [488, 488]);
  layer.close();
});

test('TCP: no Timer G; Timer I is 0 so the ACK terminates at once; Timer H still runs without an ACK', () => {
  const { clock, layer, transport, txs } = withTu();
  layer.receive(invite({ transport: 'TCP' }), TCP_FLOW);
  layer.receive(invite({ transport: 'TCP', branch: 'z9hG4bKinv2', callId: 'c2@h' }), TCP_FLOW);
  const [a, b] = txs as [InviteServerTransaction, InviteServerTransaction];
  a.respond(createResponse(a.request, 405, undefined, 'x'));
  b.respond(createResponse(b.request, 405));
  assert.deepEqual(a.runningTimers, ['timerH']);
  layer.receive(ack('x', { transport: 'TCP' }), TCP_FLOW);
  assert.equal(a.state, 'terminated');
  let timeouts = 0;
  b.onTimeout = () => void timeouts++;
  clock.advance(32_000);
  assert.equal(timeouts, 1);
  assert.equal(b.state, 'terminated');
  assert.equal(transport.sent.length, 2);
  assert.equal(clock.pending, 0);
});

test('a 2xx terminates the INVITE transaction; its ACK (new branch) is stray and goes to onStrayAck', () => {
  const { clock, layer, txs } = withTu();
  const strays: string[] = [];
  layer.onStrayAck = (a) => void strays.push(a.method);
  layer.receive(invite(), UDP_FLOW);
  txs[0]!.respond(createResponse(txs[0]!.request, 200, undefined, 'd1'));
  assert.equal(txs[0]!.state, 'terminated');
  assert.equal(clock.pending, 0);
  layer.receive(ack('d1', { branch: 'z9hG4bKack2xx' }), UDP_FLOW);
  assert.deepEqual(strays, ['ACK']);
  assert.equal(layer.stats.strayAcks, 1);
});

test('an ACK matching no transaction is dropped by default', () => {
  const { layer, transport } = setup();
  layer.receive(ack('t'), UDP_FLOW);
  assert.equal(layer.stats.strayAcks, 1);
  assert.equal(transport.sent.length, 0);
});

test('CANCEL before the final response: 200 to the CANCEL, 487 to the INVITE with the same To tag', () => {
  const { clock, layer, transport, txs } = withTu();
  layer.receive(invite(), UDP_FLOW);
  const tx = txs[0]!;
  layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bKinv1' }), UDP_FLOW);
  assert.equal(txs.length, 1, 'CANCEL does not reach the TU');
  const msgs = transport.messages();
  assert.deepEqual(transport.statuses(), [200, 487]);
  const [okCancel, terminated] = msgs as [typeof msgs[0], typeof msgs[0]];
  assert.equal(okCancel.headers.get('CSeq'), '1 CANCEL');
  assert.equal(terminated.headers.get('CSeq'), '1 INVITE');
  const tag = okCancel.required(ToHeader).params.get('tag');
  assert.ok(tag);
  assert.equal(terminated.required(ToHeader).params.get('tag'), tag);
  assert.equal(tx.state, 'completed');
  // The TU's late answer is discarded, not thrown.
  tx.respond(createResponse(tx.request, 405));
  assert.equal(transport.sent.length, 2);
  // A retransmitted CANCEL gets its 200 again; the ACK for the 487 is absorbed.
  layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bKinv1' }), UDP_FLOW);
  assert.deepEqual(transport.statuses(), [200, 487, 200]);
  layer.receive(ack(tag!), UDP_FLOW);
  assert.equal(tx.state, 'confirmed');
  assert.equal(layer.stats.strayAcks, 0);
  clock.runAll();
  assert.equal(layer.size.server, 0);
});

test('CANCEL after a provisional response uses its To tag; after the final response it only gets 200', () => {
  const { layer, transport, txs } = withTu();
  layer.receive(invite(), UDP_FLOW);
  txs[0]!.respond(createResponse(txs[0]!.request, 180, undefined, 'ring'));
  layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bKinv1' }), UDP_FLOW);
  assert.deepEqual(transport.statuses(), [180, 200, 487]);
  assert.ok(transport.messages().every((m) => m.required(ToHeader).params.get('tag') === 'ring'));

  layer.receive(invite({ branch: 'z9hG4bKinv2', callId: 'c2@h' }), UDP_FLOW);
  txs[1]!.respond(createResponse(txs[1]!.request, 405, undefined, 'late'));
  layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bKinv2', callId: 'c2@h' }), UDP_FLOW);
  assert.deepEqual(transport.statuses().slice(3), [405, 200]);
  layer.close();
});

test('CANCEL matching no INVITE transaction gets 481 (§9.2)', () => {
  const { layer, transport, txs } = withTu();
  layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bKnone' }), UDP_FLOW);
  assert.deepEqual(transport.statuses(), [481]);
  assert.equal(txs.length, 0);
  layer.close();
});

test('RFC 2543 INVITE: retransmission and ACK match without the magic cookie; the ACK needs the response To tag', () => {
  const { clock, layer, transport, txs } = withTu();
  const old = (spec: RequestSpec = {}): SipRequest => invite({ branch: null, ...spec });
  layer.receive(old(), UDP_FLOW);
  layer.receive(old(), UDP_FLOW);
  assert.equal(txs.length, 1);
  const tx = txs[0]!;
  tx.respond(createResponse(tx.request, 486, undefined, 'busy'));
  layer.receive(request({ method: 'ACK', branch: null, toTag: 'other' }), UDP_FLOW);
  assert.equal(tx.state, 'completed', 'an ACK with another To tag does not match');
  assert.equal(layer.stats.strayAcks, 1);
  layer.receive(request({ method: 'ACK', branch: null, toTag: 'busy' }), UDP_FLOW);
  assert.equal(tx.state, 'confirmed');
  // CANCEL matching is by the same fields (§9.2).
  layer.receive(old({ callId: 'c3@h' }), UDP_FLOW);
  layer.receive(request({ method: 'CANCEL', branch: null, callId: 'c3@h' }), UDP_FLOW);
  assert.deepEqual(transport.statuses().slice(-2), [200, 487]);
  clock.runAll();
  assert.equal(layer.size.server, 0);
});
