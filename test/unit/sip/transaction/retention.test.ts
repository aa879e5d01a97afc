import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createResponse } from '../../../../src/sip/message/response.js';
import type { SendTarget } from '../../../../src/sip/transport/types.js';
import type { AnyServerTransaction } from '../../../../src/sip/transaction/transaction-layer.js';
import { request, setup, UDP_FLOW } from './helpers.js';

// What a completed transaction keeps while it waits for Timer J or K: a transaction per request for
// 32 s adds up under load, so the request, the response object and the TU's handler must be
// collectable once the final response is through (issue 7, memory per publication and subscription).

setFlagsFromString('--expose-gc');
/** A full garbage collection (gc exposed in a fresh context). */
const gc = runInNewContext('gc') as () => void;

/** Which of `refs` were collected, after the current job ends (WeakRef targets live until then). */
async function collected(refs: ReadonlyArray<WeakRef<object>>): Promise<boolean[]> {
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  return refs.map((r) => r.deref() === undefined);
}

test('a completed server transaction holds neither the request nor the response object; it re-sends the same bytes', async () => {
  const { clock, layer, transport } = setup();
  const txs: AnyServerTransaction[] = [];
  layer.onRequest = (tx) => void txs.push(tx);
  const refs = ((): Array<WeakRef<object>> => {
    const req = request();
    layer.receive(req, UDP_FLOW);
    const res = createResponse(req, 200, undefined, 'srv');
    txs[0]!.respond(res);
    return [new WeakRef(req), new WeakRef(res)];
  })();
  assert.equal(txs[0]!.state, 'completed');
  assert.deepEqual(await collected(refs), [true, true]);
  layer.receive(request(), UDP_FLOW);
  assert.equal(transport.sent.length, 2);
  assert.deepEqual(transport.sent[1]!.data, transport.sent[0]!.data);
  clock.advance(32_000);
  assert.equal(txs[0]!.state, 'terminated');
});

test('a completed client transaction holds neither the request, the response nor the TU handler until Timer K', async () => {
  const { clock, layer } = setup();
  const target: SendTarget = { transport: 'UDP', address: '127.0.0.1', port: 5070 };
  const statuses: number[] = [];
  const { tx, refs } = (() => {
    const req = request({ method: 'NOTIFY', branch: null, sentBy: '127.0.0.1:5060', toTag: 'w1', fromTag: 'n1' });
    const handler = { onResponse: (r: { status: number }) => void statuses.push(r.status), onTimeout: () => {}, onTransportError: () => {} };
    const t = layer.sendRequest(req, target, handler);
    const res = createResponse(req, 200);
    layer.receive(res, UDP_FLOW);
    return { tx: t, refs: [new WeakRef(req), new WeakRef(res), new WeakRef(handler)] };
  })();
  assert.deepEqual(statuses, [200]);
  assert.equal(tx.state, 'completed');
  assert.deepEqual(await collected(refs), [true, true, true]);
  clock.advance(5000);
  assert.equal(tx.state, 'terminated');
});
