import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SubscriptionLifecycle } from '../../../../src/events/notifier/lifecycle.js';
import { BOB_AOR, nthNotify, resubscribe, setup, subscribe, until } from './fixture.js';
import type { Fixture } from './fixture.js';

const ALICE = 'sip:alice@alice.test';
const CAROL = 'sip:carol@carol.test';

/** The steps seen, as `kind[:state][:reason]` strings. */
function steps(seen: SubscriptionLifecycle[]): string[] {
  return seen.map((s) => [s.kind, s.record.state, ...(s.kind === 'terminated' ? [s.reason] : [])].join(':'));
}

describe('Notifier: the lifecycle observer (feed of watcher information)', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  test('created pending, approved by a re-evaluation, refreshed, unsubscribed: each step once, with the record', async () => {
    const seen: SubscriptionLifecycle[] = [];
    f = await setup({ onLifecycle: (s) => seen.push(s) });
    f.pkg.decisions.set(ALICE, 'pending');
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    f.pkg.decisions.set(ALICE, 'active');
    await f.notifier.reauthorize(BOB_AOR, 'x-test');
    await nthNotify(dialog, 2);
    assert.equal((await resubscribe(dialog, { expires: 600 })).status, 200);
    assert.equal((await resubscribe(dialog, { expires: 0 })).status, 200);
    await until(() => seen.length === 4);
    assert.deepEqual(steps(seen), ['created:pending', 'state:active', 'refreshed:active', 'terminated:active:timeout']);
    assert.ok(seen.every((s) => s.record.id === dialog.remoteTag && s.record.watcher === ALICE && s.record.resource === BOB_AOR));
  });

  test('a fetch, a refused subscription and a rejection by re-evaluation; a throwing observer changes nothing', async () => {
    const seen: SubscriptionLifecycle[] = [];
    f = await setup({
      onLifecycle: (s) => {
        seen.push(s);
        throw new Error('observer bug');
      },
    });
    assert.equal((await subscribe(f.alice, { expires: 0 })).res.status, 200);
    f.pkg.decisions.set(CAROL, 'rejected');
    assert.equal((await subscribe(f.carol)).res.status, 403);
    const { dialog } = await subscribe(f.alice);
    await nthNotify(dialog, 1);
    f.pkg.decisions.set(ALICE, 'rejected');
    await f.notifier.reauthorize(BOB_AOR, 'x-test');
    assert.equal((await nthNotify(dialog, 2)).headers.get('Subscription-State'), 'terminated;reason=rejected');
    assert.deepEqual(steps(seen), ['fetched:active', 'refused:pending', 'created:active', 'terminated:active:rejected']);
  });
});
