import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipRequest } from '../../../../src/sip/message/message.js';
import { createResponse } from '../../../../src/sip/message/response.js';
import type { AnyServerTransaction } from '../../../../src/sip/transaction/transaction-layer.js';
import { BOB_AOR, cseqOf, settle, setup, subscribe } from './fixture.js';
import type { Dialog, Fixture } from './fixture.js';

const WINDOW = 4;
const WATCHERS = 20;

/**
 * Alice's NOTIFYs, answered only when the test says so: those received and not answered yet are the
 * notifier's NOTIFY transactions in progress.
 */
class HeldNotifies {
  readonly received: SipRequest[] = [];
  private readonly open: AnyServerTransaction[] = [];
  /** Most NOTIFYs unanswered at once so far. */
  peak = 0;

  constructor(f: Fixture) {
    f.alice.transactions.onRequest = (tx) => {
      this.received.push(tx.request);
      this.open.push(tx);
      this.peak = Math.max(this.peak, this.open.length);
    };
  }

  get outstanding(): number {
    return this.open.length;
  }

  /** Answers the oldest NOTIFY with 200 and lets the notifier go on. */
  async answerOne(): Promise<void> {
    const tx = this.open.shift();
    if (tx) tx.respond(createResponse(tx.request, 200));
    await settle();
  }

  /** Answers NOTIFYs one at a time until none is left (bounded). */
  async answerAll(): Promise<void> {
    await settle();
    for (let i = 0; i < 1000 && this.open.length; i++) await this.answerOne();
    assert.equal(this.open.length, 0, 'NOTIFYs still coming after 1000 answers');
  }

  of(d: Dialog): SipRequest[] {
    return this.received.filter((r) => r.headers.get('Call-ID') === d.callId);
  }
}

// The notifier's window of NOTIFY transactions in flight (limits.maxNotifiesInFlight): a fan-out flows
// as the watchers answer, never more than the window at once, and each watcher ends with the newest state.
describe('Notifier: window of NOTIFYs in flight', () => {
  let f: Fixture;
  let held: HeldNotifies;
  let dialogs: Dialog[];
  beforeEach(async () => {
    f = await setup({ limits: { maxNotifiesInFlight: WINDOW } });
    held = new HeldNotifies(f);
    f.pkg.state.set(BOB_AOR, 'zero');
    dialogs = [];
    for (let i = 0; i < WATCHERS; i++) dialogs.push((await subscribe(f.alice)).dialog);
    await settle();
  });
  afterEach(async () => {
    await f.close();
  });

  test('first NOTIFYs of many new subscriptions: at most the window at once, all delivered', async () => {
    assert.equal(held.outstanding, WINDOW);
    await held.answerAll();
    assert.equal(held.peak, WINDOW);
    for (const d of dialogs) {
      const notifies = held.of(d);
      assert.equal(notifies.length, 1);
      assert.equal(notifies[0]!.body.toString(), 'zero');
    }
  });

  test('a fan-out of changes: never more than the window in flight, every watcher ends with the newest state', async () => {
    await held.answerAll();
    const before = held.received.length;
    for (const state of ['one', 'two', 'three']) {
      f.pkg.state.set(BOB_AOR, state);
      await f.notifier.notifyResource(BOB_AOR, 'x-test');
    }
    await settle();
    assert.equal(held.outstanding, WINDOW);
    await held.answerAll();
    assert.equal(held.peak, WINDOW);
    const sent = held.received.length - before;
    // Watchers waiting for the window got the newest state only: fewer NOTIFYs than watchers × changes.
    assert.ok(sent >= WATCHERS && sent < WATCHERS * 3, `${sent} NOTIFYs`);
    for (const d of dialogs) {
      const notifies = held.of(d);
      assert.equal(notifies.at(-1)!.body.toString(), 'three');
      const cseqs = notifies.map(cseqOf);
      assert.deepEqual(cseqs, cseqs.map((_, i) => i + 1), 'CSeqs go up by one per NOTIFY');
    }
    assert.equal(f.notifier.size, WATCHERS);
  });

  test('final NOTIFYs go through the window too, and none is lost', async () => {
    await held.answerAll();
    f.pkg.state.set(BOB_AOR, 'one');
    await f.notifier.notifyResource(BOB_AOR, 'x-test');
    await f.notifier.terminateResource(BOB_AOR, 'x-test', 'noresource');
    await settle();
    assert.equal(held.outstanding, WINDOW);
    await held.answerAll();
    assert.equal(held.peak, WINDOW);
    for (const d of dialogs) {
      const last = held.of(d).at(-1)!;
      assert.match(last.headers.get('Subscription-State')!, /^terminated;reason=noresource/);
    }
    assert.equal(f.notifier.size, 0);
  });
});
