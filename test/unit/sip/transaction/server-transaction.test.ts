import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from '../../../../src/sip/message/response.js';
import { ToHeader } from '../../../../src/sip/parser/headers/from-to.js';
import { ViaHeader } from '../../../../src/sip/parser/headers/via.js';
import { responseTarget } from '../../../../src/sip/transport/response-routing.js';
import { TransportError } from '../../../../src/sip/transport/types.js';
import type { AnyServerTransaction } from '../../../../src/sip/transaction/transaction-layer.js';
import { flush, request, setup, TCP_FLOW, UDP_FLOW } from './helpers.js';

/** A layer whose TU collects the server transactions it is given (and does not answer). */
function withTu(opts: { maxServerTransactions?: number } = {}): ReturnType<typeof setup> & { txs: AnyServerTransaction[] } {
  const s = setup(opts);
  const txs: AnyServerTransaction[] = [];
  s.layer.onRequest = (tx) => void txs.push(tx);
  return { ...s, txs };
}

test('a new request creates a server transaction in Trying and reaches the TU once', () => {
  const { layer, transport, txs } = withTu();
  const sub = request();
  layer.receive(sub, UDP_FLOW);
  assert.equal(txs.length, 1);
  const tx = txs[0]!;
  assert.equal(tx.kind, 'non-invite');
  assert.equal(tx.state, 'trying');
  assert.equal(tx.request, sub);
  assert.equal(tx.flow, UDP_FLOW);
  assert.equal(layer.size.server, 1);
  // RFC 3261 §17.2.2: in Trying a retransmission is discarded: nothing is sent.
  layer.receive(request(), UDP_FLOW);
  assert.equal(txs.length, 1);
  assert.equal(transport.sent.length, 0);
  assert.equal(layer.stats.retransmissions, 1);
  layer.close();
});

test('Proceeding: a retransmission gets the most recent provisional response', () => {
  const { layer, transport, txs } = withTu();
  layer.receive(request(), UDP_FLOW);
  const tx = txs[0]!;
  tx.respond(createResponse(tx.request, 100));
  assert.equal(tx.state, 'proceeding');
  tx.respond(createResponse(tx.request, 183, 'Progress'));
  layer.receive(request(), UDP_FLOW);
  assert.deepEqual(transport.statuses(), [100, 183, 183]);
  assert.deepEqual(transport.sent[2]!.data, transport.sent[1]!.data);
  layer.close();
});

test('responses go to responseTarget(top Via, flow) (RFC 3261 §18.2.2, RFC 3581)', () => {
  const { layer, transport, txs } = withTu();
  const sub = request({ sentBy: '192.0.2.7:5099' });
  sub.headers.replaceFirst('Via', `${sub.headers.get('Via')!};received=127.0.0.1;rport=5070`);
  layer.receive(sub, UDP_FLOW);
  txs[0]!.respond(createResponse(sub, 200));
  assert.deepEqual(transport.sent[0]!.target, responseTarget(sub.required(ViaHeader)[0]!, UDP_FLOW));
  assert.deepEqual(transport.sent[0]!.target, { transport: 'UDP', address: '127.0.0.1', port: 5070, flowId: 'udp:1' });
  layer.close();
});

test('UDP: Completed re-sends the final response for each retransmission until Timer J (64*T1)', () => {
  const { clock, layer, transport, txs } = withTu();
  layer.receive(request(), UDP_FLOW);
  const tx = txs[0]!;
  tx.respond(createResponse(tx.request, 200));
  assert.equal(tx.state, 'completed');
  assert.deepEqual(tx.runningTimers, ['timerJ']);
  // Completed keeps the response's bytes, not the request (memory per transaction during Timer J).
  assert.throws(() => tx.request, /no longer holds its request/);
  assert.equal(tx.method, 'SUBSCRIBE');
  clock.advance(31_999);
  layer.receive(request(), UDP_FLOW);
  assert.deepEqual(transport.statuses(), [200, 200]);
  assert.deepEqual(transport.sent[1]!.data, transport.sent[0]!.data, 'the same bytes, same To tag');
  assert.equal(txs.length, 1);
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.equal(layer.size.server, 0);
  assert.equal(clock.pending, 0);
  // After Timer J the same request is new again.
  layer.receive(request(), UDP_FLOW);
  assert.equal(txs.length, 2);
  layer.close();
});

test('TCP: Timer J is 0: the final response terminates the transaction at once', () => {
  const { clock, layer, transport, txs } = withTu();
  layer.receive(request({ transport: 'TCP' }), TCP_FLOW);
  const tx = txs[0]!;
  tx.respond(createResponse(tx.request, 202));
  assert.equal(tx.state, 'terminated');
  assert.equal(clock.pending, 0);
  assert.equal(layer.size.server, 0);
  assert.equal(transport.sent[0]!.target.flowId, 'tcp:1');
});

test('a response after the final response is a programming error', () => {
  const { layer, txs } = withTu();
  layer.receive(request(), UDP_FLOW);
  const tx = txs[0]!;
  const req = tx.request;
  tx.respond(createResponse(req, 200));
  assert.throws(() => tx.respond(createResponse(req, 200)), /after a final response/);
  assert.throws(() => tx.respond(createResponse(req, 180)), /after a final response/);
  layer.close();
});

test('a status outside 100-699 is a programming error', () => {
  const { layer, txs } = withTu();
  layer.receive(request(), UDP_FLOW);
  const res = createResponse(txs[0]!.request, 200);
  res.status = 99;
  assert.throws(() => txs[0]!.respond(res), /100-699/);
  layer.close();
});

test('a transport error on a response reaches tx.onTransportError and terminates (§17.2.4)', async () => {
  const { clock, layer, transport, txs } = withTu();
  transport.fail = new TransportError('connection closed', 'EFLOWGONE');
  layer.receive(request({ transport: 'TCP' }), TCP_FLOW);
  const tx = txs[0]!;
  const errors: string[] = [];
  tx.onTransportError = (err) => void errors.push(err.code);
  tx.respond(createResponse(tx.request, 100));
  await flush();
  assert.deepEqual(errors, ['EFLOWGONE']);
  assert.equal(tx.state, 'terminated');
  assert.equal(layer.size.server, 0);
  assert.equal(clock.pending, 0);
  // The TU's final response for a transaction the transport ended is discarded, not an error.
  tx.respond(createResponse(tx.request, 200));
  assert.equal(transport.sent.length, 1);
});

test('RFC 2543 fallback: a request without the magic cookie matches on URI, tags, Call-ID, CSeq and top Via', () => {
  const { layer, transport, txs } = withTu();
  // In-dialog requests (To tag set), so merged-request detection stays out of the way.
  const inDialog = (spec: Parameters<typeof request>[0] = {}) => request({ branch: null, toTag: 't1', ...spec });
  layer.receive(inDialog(), UDP_FLOW);
  layer.receive(inDialog({ branch: 'old-style-1' }), UDP_FLOW);
  assert.equal(txs.length, 2, 'a different top Via is a different transaction');
  txs[0]!.respond(createResponse(txs[0]!.request, 200));
  layer.receive(inDialog(), UDP_FLOW);
  assert.equal(txs.length, 2);
  assert.deepEqual(transport.statuses(), [200, 200]);
  const distinct = [
    inDialog({ uri: 'sip:carol@example.com' }),
    inDialog({ cseq: 2 }),
    inDialog({ fromTag: 'a2' }),
    inDialog({ callId: 'call-2@127.0.0.1' }),
    inDialog({ toTag: 't9' }),
    inDialog({ sentBy: '127.0.0.1:5071' }),
  ];
  for (const r of distinct) layer.receive(r, UDP_FLOW);
  assert.equal(txs.length, 8);
  layer.close();
});

test('RFC 3261 matching: same branch from another sent-by, or for another method, is another transaction', () => {
  const { layer, txs } = withTu();
  layer.receive(request(), UDP_FLOW);
  layer.receive(request({ sentBy: '127.0.0.2:5070', callId: 'other@h' }), UDP_FLOW);
  layer.receive(request({ method: 'PUBLISH', cseq: 2, callId: 'pub@h' }), UDP_FLOW);
  assert.equal(txs.length, 3);
  layer.close();
});

test('a merged request (no To tag; same From tag, Call-ID, CSeq; other branch) gets 482 without the TU', () => {
  const { clock, layer, transport, txs } = withTu();
  layer.receive(request({ branch: 'z9hG4bKpath1' }), UDP_FLOW);
  layer.receive(request({ branch: 'z9hG4bKpath2' }), UDP_FLOW);
  assert.equal(txs.length, 1);
  assert.deepEqual(transport.statuses(), [482]);
  assert.equal(layer.stats.merged, 1);
  // The 482 transaction absorbs its own retransmissions.
  layer.receive(request({ branch: 'z9hG4bKpath2' }), UDP_FLOW);
  assert.deepEqual(transport.statuses(), [482, 482]);
  // With a To tag there is no merge check (in-dialog requests), nor once the first transaction is gone.
  layer.receive(request({ branch: 'z9hG4bKpath3', toTag: 'x' }), UDP_FLOW);
  assert.equal(txs.length, 2);
  txs[0]!.respond(createResponse(txs[0]!.request, 200));
  clock.advance(32_000);
  layer.receive(request({ branch: 'z9hG4bKpath4' }), UDP_FLOW);
  assert.equal(txs.length, 3);
  layer.close();
});

test('beyond maxServerTransactions a new request gets 503 statelessly and never reaches the TU', () => {
  const { layer, transport, txs } = withTu({ maxServerTransactions: 1 });
  layer.receive(request(), UDP_FLOW);
  layer.receive(request({ branch: 'z9hG4bKsecond', callId: 'c2@h' }), UDP_FLOW);
  assert.equal(txs.length, 1);
  assert.deepEqual(transport.statuses(), [503]);
  assert.equal(layer.stats.overLimit, 1);
  assert.equal(layer.size.server, 1);
  layer.receive(request(), UDP_FLOW);
  assert.equal(layer.stats.retransmissions, 1, 'retransmissions still match');
  layer.close();
});

test('onRequest that throws before answering gets the request a 500', () => {
  const { layer, transport } = setup();
  layer.onRequest = () => {
    throw new Error('TU bug');
  };
  layer.receive(request({ transport: 'TCP' }), TCP_FLOW);
  assert.deepEqual(transport.statuses(), [500]);
  assert.equal(layer.size.server, 0);
});

test('without a TU, requests are answered 503', () => {
  const { layer, transport } = setup();
  layer.receive(request({ transport: 'TCP' }), TCP_FLOW);
  assert.deepEqual(transport.statuses(), [503]);
});

test('sendStateless sends toward the top Via and reports transport errors by logging only', async () => {
  const { layer, transport } = setup();
  const req = request();
  layer.sendStateless(createResponse(req, 400, 'Bad Event header'), UDP_FLOW);
  assert.deepEqual(transport.sent[0]!.target, { transport: 'UDP', address: '127.0.0.1', port: 5070, flowId: 'udp:1' });
  transport.fail = new TransportError('gone', 'ECLOSED');
  layer.sendStateless(createResponse(req, 400), UDP_FLOW);
  await flush();
  assert.equal(transport.sent.length, 2);
  const noVia = createResponse(req, 400);
  noVia.headers.removeAll('Via');
  assert.throws(() => layer.sendStateless(noVia, UDP_FLOW), /Via/);
});

test('a response matching no client transaction is stray: dropped by default, counted, offered to onStrayResponse', () => {
  const { layer } = setup();
  const res = createResponse(request({ method: 'NOTIFY', branch: 'z9hG4bKnotours' }), 200);
  layer.receive(res, UDP_FLOW);
  const seen: number[] = [];
  layer.onStrayResponse = (r) => void seen.push(r.status);
  layer.receive(res, UDP_FLOW);
  assert.equal(layer.stats.strayResponses, 2);
  assert.deepEqual(seen, [200]);
});

test('a request without readable mandatory headers is dropped and counted', () => {
  const { layer, txs } = withTu();
  const req = request();
  req.headers.removeAll('Call-ID');
  layer.receive(req, UDP_FLOW);
  assert.equal(txs.length, 0);
  assert.equal(layer.stats.malformed, 1);
});

test('the response keeps the To tag across retransmissions', () => {
  const { layer, transport, txs } = withTu();
  layer.receive(request(), UDP_FLOW);
  txs[0]!.respond(createResponse(txs[0]!.request, 200, undefined, 'srv1'));
  layer.receive(request(), UDP_FLOW);
  const tags = transport.messages().map((m) => m.required(ToHeader).params.get('tag'));
  assert.deepEqual(tags, ['srv1', 'srv1']);
  layer.close();
});

test('close() terminates every transaction and leaves no timer; later messages are ignored', () => {
  const { clock, layer, txs } = withTu();
  layer.receive(request(), UDP_FLOW);
  layer.receive(request({ method: 'INVITE', branch: 'z9hG4bKinv', callId: 'inv@h' }), UDP_FLOW);
  txs[0]!.respond(createResponse(txs[0]!.request, 200));
  layer.sendRequest(request({ method: 'NOTIFY', branch: null, sentBy: '127.0.0.1:5060' }), {
    transport: 'UDP', address: '127.0.0.1', port: 5070,
  }, { onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {} });
  assert.ok(clock.pending > 0);
  layer.close();
  assert.equal(clock.pending, 0);
  assert.deepEqual(layer.size, { client: 0, server: 0 });
  assert.ok(txs.every((tx) => tx.state === 'terminated'));
  layer.receive(request({ callId: 'late@h' }), UDP_FLOW);
  assert.equal(txs.length, 2);
  assert.throws(() => layer.sendRequest(request({ method: 'NOTIFY' }), { transport: 'UDP', address: '127.0.0.1', port: 5070 }, {
    onResponse: () => {}, onTimeout: () => {}, onTransportError: () => {},
  }), /closed/);
});
