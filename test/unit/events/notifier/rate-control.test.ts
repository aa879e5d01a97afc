import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MIN_RATE_CEILING, NO_RATE_POLICY, agreeRates, formatRate, rateStateParams, ratesAfterResponse, ratesOf, requestedRates,
  withAgreedRates,
} from '../../../../src/events/notifier/rate-control.js';
import { SipError } from '../../../../src/sip/message/sip-error.js';
import { EventHeader } from '../../../../src/sip/parser/headers/event.js';
import type { EventType } from '../../../../src/sip/message/types.js';
import type { SubscriptionRecord } from '../../../../src/store/ports.js';

function event(value: string): EventType {
  const r = EventHeader.parse([value]);
  assert.ok(r.ok, value);
  return r.value;
}

function rejects400(value: string, param: string): void {
  assert.throws(() => requestedRates(event(value)), (err: unknown) => {
    assert.ok(err instanceof SipError);
    assert.equal(err.status, 400);
    assert.match(err.reason, new RegExp(param));
    return true;
  }, value);
}

const record = (extra: Record<string, unknown> | undefined): SubscriptionRecord =>
  ({ extra } as unknown as SubscriptionRecord);

describe('RFC 6446 Event parameters', () => {
  test('the three parameters are read as notifications per second; others are ignored', () => {
    assert.deepEqual(requestedRates(event('presence;max-rate=1;min-rate=0.05;adaptive-min-rate=0.1;id=x')), {
      maxRate: 1, minRate: 0.05, adaptiveMinRate: 0.1,
    });
    assert.deepEqual(requestedRates(event('presence')), {});
    assert.deepEqual(requestedRates(undefined), {});
    // §9.2 limits: 1*2DIGIT ["." 1*10DIGIT].
    assert.deepEqual(requestedRates(event('presence;max-rate=99.9999999999;min-rate=0.0000000001')), {
      maxRate: 99.9999999999, minRate: 0.0000000001,
    });
  });

  test('a value outside the §9.2 grammar, zero or missing is answered 400 naming the parameter', () => {
    rejects400('presence;max-rate=abc', 'max-rate');
    rejects400('presence;max-rate=100', 'max-rate');
    rejects400('presence;max-rate=1.', 'max-rate');
    rejects400('presence;max-rate=.5', 'max-rate');
    rejects400('presence;max-rate=-1', 'max-rate');
    rejects400('presence;min-rate=0.00000000001', 'min-rate');
    rejects400('presence;min-rate=0', 'min-rate');
    rejects400('presence;adaptive-min-rate=0.0', 'adaptive-min-rate');
    rejects400('presence;adaptive-min-rate', 'adaptive-min-rate');
    rejects400('presence;max-rate=1e1', 'max-rate');
  });

  test('formatRate writes the §9.2 form, rounded up, never zero', () => {
    assert.equal(formatRate(1), '1');
    assert.equal(formatRate(0.2), '0.2');
    assert.equal(formatRate(1 / 3600), '0.0002777778');
    assert.equal(formatRate(1e-12), '0.0000000001');
    assert.equal(formatRate(99.9999999999), '99.9999999999');
  });
});

describe('agreeRates', () => {
  test('requested values within every limit are adopted as they are', () => {
    assert.deepEqual(agreeRates({ maxRate: 0.5, minRate: 0.01 }, 3600, NO_RATE_POLICY), { maxRate: 0.5, minRate: 0.01 });
  });

  test('§5.3: a max-rate allowing no NOTIFY before expiry is raised to 1 / expiry', () => {
    assert.deepEqual(agreeRates({ maxRate: 0.0001 }, 600, NO_RATE_POLICY), { maxRate: Number(formatRate(1 / 600)) });
  });

  test('the local interval per watcher lowers max-rate and caps the minimum rates', () => {
    const policy = { minIntervalPerWatcherMs: 2000, minIntervalPerPresentityMs: 0 };
    assert.deepEqual(agreeRates({ maxRate: 10, minRate: 5 }, 3600, policy), { maxRate: 0.5, minRate: 0.5 });
  });

  test('§8: min-rate and adaptive-min-rate are lowered to max-rate; min-rate not below adaptive is dropped', () => {
    assert.deepEqual(agreeRates({ maxRate: 0.1, minRate: 0.5 }, 3600, NO_RATE_POLICY), { maxRate: 0.1, minRate: 0.1 });
    assert.deepEqual(agreeRates({ maxRate: 0.1, adaptiveMinRate: 0.5 }, 3600, NO_RATE_POLICY), { maxRate: 0.1, adaptiveMinRate: 0.1 });
    assert.deepEqual(agreeRates({ minRate: 0.2, adaptiveMinRate: 0.1 }, 3600, NO_RATE_POLICY), { adaptiveMinRate: 0.1 });
    assert.deepEqual(agreeRates({ minRate: 0.05, adaptiveMinRate: 0.1 }, 3600, NO_RATE_POLICY), { minRate: 0.05, adaptiveMinRate: 0.1 });
  });

  test('periodic rates above the ceiling are lowered to it', () => {
    assert.deepEqual(agreeRates({ minRate: 50, adaptiveMinRate: 60 }, 3600, NO_RATE_POLICY), {
      adaptiveMinRate: MIN_RATE_CEILING,
    });
  });
});

describe('agreed rates in the record and the NOTIFY', () => {
  test('kept in extra next to other keys, removed by a refresh without them, absent for a fetch', () => {
    const extra = withAgreedRates({ localTarget: 'sip:ps' }, event('presence;max-rate=0.2'), 3600, NO_RATE_POLICY);
    assert.deepEqual(extra, { localTarget: 'sip:ps', rates: { maxRate: 0.2 } });
    assert.deepEqual(ratesOf(record(extra)), { maxRate: 0.2 });
    assert.deepEqual([...rateStateParams(record(extra))], [['max-rate', '0.2']]);
    assert.deepEqual(withAgreedRates(extra, event('presence'), 3600, NO_RATE_POLICY), { localTarget: 'sip:ps' });
    assert.equal(withAgreedRates(undefined, event('presence;max-rate=1'), 0, NO_RATE_POLICY), undefined);
    assert.throws(() => withAgreedRates(undefined, event('presence;max-rate=x'), 0, NO_RATE_POLICY), SipError);
  });

  test('a record without rates reflects nothing; stored junk is ignored', () => {
    assert.equal(rateStateParams(record(undefined)).size, 0);
    assert.deepEqual(ratesOf(record({ rates: { maxRate: 'x', minRate: -1, adaptiveMinRate: 0.5 } })), { adaptiveMinRate: 0.5 });
  });
});

describe('ratesAfterResponse: rates in the 2xx to a NOTIFY (RFC 6446 §4.1, §5.2)', () => {
  const NOW = 1_000_000;
  const sub = (rates: Record<string, number> | undefined, eventId?: string): SubscriptionRecord =>
    ({ event: 'presence', expiresAt: NOW + 600_000, extra: rates ? { rates } : {}, ...(eventId ? { eventId } : {}) } as unknown as SubscriptionRecord);

  test('a 2xx without an Event header changes nothing', () => {
    assert.equal(ratesAfterResponse(sub({ maxRate: 1 }), undefined, NO_RATE_POLICY, NOW), undefined);
  });

  test('the parameters of its Event header replace the agreed ones; one left out is removed (§5.1, §6.1)', () => {
    assert.deepEqual(ratesAfterResponse(sub(undefined), event('presence;max-rate=1'), NO_RATE_POLICY, NOW), { maxRate: 1 });
    assert.deepEqual(ratesAfterResponse(sub({ maxRate: 1 }), event('presence;min-rate=0.1'), NO_RATE_POLICY, NOW), { minRate: 0.1 });
    assert.deepEqual(ratesAfterResponse(sub({ maxRate: 1 }), event('presence'), NO_RATE_POLICY, NOW), {});
  });

  test('the same rates again are no change', () => {
    assert.equal(ratesAfterResponse(sub({ maxRate: 1 }), event('presence;max-rate=1'), NO_RATE_POLICY, NOW), undefined);
    assert.equal(ratesAfterResponse(sub(undefined), event('presence'), NO_RATE_POLICY, NOW), undefined);
  });

  test('agreed with the remaining duration (§5.3) and the local policy', () => {
    assert.deepEqual(ratesAfterResponse(sub(undefined), event('presence;max-rate=0.0001'), NO_RATE_POLICY, NOW + 500_000), {
      maxRate: Number(formatRate(1 / 100)),
    });
    const policy = { minIntervalPerWatcherMs: 2000, minIntervalPerPresentityMs: 0 };
    assert.deepEqual(ratesAfterResponse(sub(undefined), event('presence;max-rate=10'), policy, NOW), { maxRate: 0.5 });
  });

  test('a malformed value keeps the current rates (a response cannot be answered 400)', () => {
    assert.equal(ratesAfterResponse(sub({ maxRate: 1 }), event('presence;max-rate=fast'), NO_RATE_POLICY, NOW), undefined);
    assert.equal(ratesAfterResponse(sub({ maxRate: 1 }), event('presence;max-rate=0;min-rate=0.1'), NO_RATE_POLICY, NOW), undefined);
  });

  test('an Event header of another package or id, or an expired subscription, is ignored', () => {
    assert.equal(ratesAfterResponse(sub(undefined), event('presence.winfo;max-rate=1'), NO_RATE_POLICY, NOW), undefined);
    assert.equal(ratesAfterResponse(sub(undefined, 'a'), event('presence;id=b;max-rate=1'), NO_RATE_POLICY, NOW), undefined);
    assert.deepEqual(ratesAfterResponse(sub(undefined, 'a'), event('presence;id=a;max-rate=1'), NO_RATE_POLICY, NOW), { maxRate: 1 });
    assert.equal(ratesAfterResponse(sub(undefined), event('presence;max-rate=1'), NO_RATE_POLICY, NOW + 600_000), undefined);
  });
});
