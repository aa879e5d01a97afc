import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../../../../src/sip/message/response.js';
import type { SipRequest, SipResponse } from '../../../../src/sip/message/message.js';
import { ViaHeader } from '../../../../src/sip/parser/headers/via.js';
import { TransportError } from '../../../../src/sip/transport/types.js';
import type { SendTarget } from '../../../../src/sip/transport/types.js';
import type { ClientTransactionHandler } from '../../../../src/sip/transaction/client-transaction.js';
import { TransactionLayer } from '../../../../src/sip/transaction/transaction-layer.js';
import { flush, intervals, request, setup, UDP_FLOW } from './helpers.js';

const UDP_TARGET: SendTarget = { transport: 'UDP', address: '127.0.0.1', port: 5070 };
const TCP_TARGET: SendTarget = { transport: 'TCP', address: '127.0.0.1', port: 5070 };

/** A handler that records what the transaction reports. */
function recorder(): ClientTransactionHandler & { responses: number[]; timeouts: number; errors: TransportError[] } {
  const r = {
    responses: [] as number[], timeouts: 0, errors: [] as TransportError[],
    onResponse: (res: SipResponse) => void r.responses.push(res.status),
    onTimeout: () => void r.timeouts++,
    onTransportError: (err: TransportError) => void r.errors.push(err),
  };
  return r;
}

/** A NOTIFY as the notifier sends it, top Via without branch. */
function notify(transport: 'UDP' | 'TCP' = 'UDP'): SipRequest {
  return request({ method: 'NOTIFY', branch: null, sentBy: '127.0.0.1:5060', transport, toTag: 'w1', fromTag: 'n1' });
}

test('UDP: Timer E retransmits at 500, 1000, 2000, 4000, 4000… ms and Timer F times out at 64*T1 = 32 s', () => {
  const { clock, transport, layer } = setup();
  const h = recorder();
  const tx = layer.sendRequest(notify(), UDP_TARGET, h);
  assert.deepEqual(tx.runningTimers.sort(), ['timerE', 'timerF']);
  clock.advance(31_999);
  assert.deepEqual(intervals(transport.sent), [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]);
  assert.equal(h.timeouts, 0);
  assert.equal(tx.state, 'trying');
  clock.advance(1);
  assert.equal(h.timeouts, 1);
  assert.equal(tx.state, 'terminated');
  assert.equal(transport.sent.length, 11);
  assert.equal(clock.pending, 0);
  assert.equal(layer.size.client, 0);
});

test('TCP: no Timer E; Timer F still times out at 32 s', () => {
  const { clock, transport, layer } = setup();
  const h = recorder();
  const tx = layer.sendRequest(notify('TCP'), TCP_TARGET, h);
  assert.deepEqual(tx.runningTimers, ['timerF']);
  clock.advance(31_999);
  assert.equal(transport.sent.length, 1);
  assert.equal(h.timeouts, 0);
  clock.advance(1);
  assert.equal(h.timeouts, 1);
  assert.equal(clock.pending, 0);
});

test('a top Via without branch gets a z9hG4bK branch; the response is matched by branch and CSeq method', () => {
  const { clock, transport, layer } = setup();
  const h = recorder();
  const tx = layer.sendRequest(notify(), UDP_TARGET, h);
  const branch = tx.request.required(ViaHeader)[0]!.params.get('branch');
  assert.match(branch ?? '', /^z9hG4bK[A-Za-z0-9]{20}$/);
  const sent = transport.messages()[0]!;
  assert.equal(sent.required(ViaHeader)[0]!.params.get('branch'), branch);
  // The same branch with another CSeq method (a CANCEL's response) is another transaction (§17.1.3).
  const other = createResponse(tx.request, 200);
  other.headers.set('CSeq', '1 CANCEL');
  layer.receive(other, UDP_FLOW);
  assert.deepEqual(h.responses, []);
  assert.equal(layer.stats.strayResponses, 1);
  layer.receive(createResponse(tx.request, 200), UDP_FLOW);
  assert.deepEqual(h.responses, [200]);
  clock.runAll();
});

test('a branch the TU set is kept', () => {
  const { layer } = setup();
  const req = request({ method: 'NOTIFY', branch: 'z9hG4bKmine', sentBy: '127.0.0.1:5060' });
  const tx = layer.sendRequest(req, UDP_TARGET, recorder());
  assert.equal(tx.request.required(ViaHeader)[0]!.params.get('branch'), 'z9hG4bKmine');
  assert.throws(() => layer.sendRequest(req, UDP_TARGET, recorder()), /already in use/);
  layer.close();
});

test('UDP: a provisional response moves Trying to Proceeding; Timer E then runs at T2', () => {
  const { clock, transport, layer } = setup();
  const h = recorder();
  const tx = layer.sendRequest(notify(), UDP_TARGET, h);
  clock.advance(100);
  layer.receive(createResponse(tx.request, 100), UDP_FLOW);
  assert.equal(tx.state, 'proceeding');
  assert.deepEqual(h.responses, [100]);
  clock.advance(12_400); // to 12.5 s
  // The pending Timer E fires at 500 ms; from then on every T2 (§17.1.2.2).
  assert.deepEqual(transport.sent.map((s) => s.at), [0, 500, 4500, 8500, 12_500]);
  layer.receive(createResponse(tx.request, 180), UDP_FLOW);
  assert.deepEqual(h.responses, [100, 180]);
  clock.advance(19_500);
  assert.equal(h.timeouts, 1, 'Timer F fires in Proceeding too');
  assert.equal(tx.state, 'terminated');
});

test('UDP: a final response moves to Completed; retransmissions are absorbed until Timer K (T4)', () => {
  const { clock, transport, layer } = setup();
  const h = recorder();
  const req = notify();
  const tx = layer.sendRequest(req, UDP_TARGET, h);
  clock.advance(700);
  const ok = createResponse(req, 200);
  layer.receive(ok, UDP_FLOW);
  assert.equal(tx.state, 'completed');
  assert.deepEqual(tx.runningTimers, ['timerK']);
  assert.throws(() => tx.request, /no longer holds its request/, 'Completed lets the request go');
  layer.receive(ok, UDP_FLOW);
  layer.receive(createResponse(req, 100), UDP_FLOW);
  assert.deepEqual(h.responses, [200]);
  const sends = transport.sent.length;
  clock.advance(4999);
  assert.equal(tx.state, 'completed');
  assert.equal(transport.sent.length, sends, 'no retransmission after the final response');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.equal(layer.size.client, 0);
  assert.equal(clock.pending, 0);
  layer.receive(ok, UDP_FLOW);
  assert.equal(layer.stats.strayResponses, 1, 'after Timer K the response is stray');
  assert.equal(h.timeouts, 0);
});

test('TCP: Timer K is 0: a final response terminates at once', () => {
  const { clock, layer } = setup();
  const h = recorder();
  const tx = layer.sendRequest(notify('TCP'), TCP_TARGET, h);
  layer.receive(createResponse(tx.request, 481), UDP_FLOW);
  assert.deepEqual(h.responses, [481]);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('a transport error on send reaches onTransportError, not an exception, and terminates', async () => {
  const { clock, transport, layer } = setup();
  transport.fail = new TransportError('connection refused', 'ECONNREFUSED');
  const h = recorder();
  const tx = layer.sendRequest(notify('TCP'), TCP_TARGET, h);
  await flush();
  assert.deepEqual(h.errors.map((e) => e.code), ['ECONNREFUSED']);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
  assert.equal(layer.size.client, 0);
});

test('a transport error on a Timer E retransmission terminates too', async () => {
  const { clock, transport, layer } = setup();
  const h = recorder();
  const tx = layer.sendRequest(notify(), UDP_TARGET, h);
  await flush();
  transport.fail = new TransportError('port unreachable', 'ECONNREFUSED');
  clock.advance(500);
  await flush();
  assert.equal(h.errors.length, 1);
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
});

test('a transport that throws something else is reported as EINTERNAL', async () => {
  const { layer, transport } = setup();
  transport.send = () => {
    throw new TypeError('bug');
  };
  const h = recorder();
  layer.sendRequest(notify('TCP'), TCP_TARGET, h);
  await flush();
  assert.deepEqual(h.errors.map((e) => e.code), ['EINTERNAL']);
});

test('retransmissions leave on the flow the first send used', async () => {
  const { clock, transport, layer } = setup();
  layer.sendRequest(notify(), UDP_TARGET, recorder());
  await flush();
  clock.advance(500);
  assert.equal(transport.sent[0]!.target.flowId, undefined);
  assert.equal(transport.sent[1]!.target.flowId, 'udp:out');
  layer.close();
});

test('a handler that throws does not break the transaction', () => {
  const { clock, layer } = setup();
  const tx = layer.sendRequest(notify(), UDP_TARGET, {
    onResponse: () => {
      throw new Error('TU bug');
    },
    onTimeout: () => {},
    onTransportError: () => {},
  });
  layer.receive(createResponse(tx.request, 200), UDP_FLOW);
  assert.equal(tx.state, 'completed');
  clock.advance(5000);
  assert.equal(tx.state, 'terminated');
});

test('terminate() by the TU stops the timers without callbacks', () => {
  const { clock, layer } = setup();
  const h = recorder();
  const tx = layer.sendRequest(notify(), UDP_TARGET, h);
  tx.terminate();
  assert.equal(clock.pending, 0);
  clock.advance(60_000);
  assert.equal(h.timeouts, 0);
  assert.equal(layer.size.client, 0);
});

test('INVITE and ACK are refused: presenced runs no INVITE client transaction', () => {
  const { layer } = setup();
  assert.throws(() => layer.sendRequest(request({ method: 'INVITE' }), UDP_TARGET, recorder()), /INVITE/);
  assert.throws(() => layer.sendRequest(request({ method: 'ACK' }), UDP_TARGET, recorder()), /ACK/);
});

test('timer values come from the options and are checked', () => {
  const { clock, transport } = setup();
  const layer = new TransactionLayer({ transport, clock, timers: { t1: 100, t2: 300 } });
  const h = recorder();
  layer.sendRequest(notify(), UDP_TARGET, h);
  clock.advance(6400); // Timer F = 64*T1
  assert.deepEqual(intervals(transport.sent), [100, 200, ...Array<number>(20).fill(300)]);
  assert.equal(h.timeouts, 1);
  assert.throws(() => new TransactionLayer({ transport, timers: { t1: 0 } }), RangeError);
  assert.throws(() => new TransactionLayer({ transport, timers: { t1: 500, t2: 400 } }), RangeError);
});
