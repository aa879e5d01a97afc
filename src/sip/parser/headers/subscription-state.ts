import type { HeaderGrammar } from '../../message/headers.js';
import type { SubscriptionState } from '../../message/types.js';
import { isToken, runGrammar } from '../scanner.js';
import type { Scanner } from '../scanner.js';
import { MAX_DELTA_SECONDS, deltaSeconds } from './expires.js';

function seconds(s: Scanner, value: string | null | undefined, name: string): number {
  const n = deltaSeconds(value);
  if (n === undefined) s.fail(`${name} parameter of Subscription-State is not delta-seconds`);
  return Math.min(n, MAX_DELTA_SECONDS);
}

/**
 * Subscription-State (RFC 6665 §8.2.3, §8.4): `substate-value *( SEMI subexp-params )`. The state and the
 * reason are lower-cased (ABNF literals and tokens are case-insensitive, RFC 3261 §7.3.1); `expires`
 * and `retry-after` are delta-seconds (above 2^32-1 read as 2^32-1); other parameters stay in `params`.
 * Exactly one line.
 */
export const SubscriptionStateHeader: HeaderGrammar<SubscriptionState> = {
  name: 'Subscription-State',
  parse(values) {
    if (values.length > 1) return { ok: false, defect: 'more than one Subscription-State' };
    return runGrammar(values[0]!, (s: Scanner) => {
      s.ws();
      const state = s.token('substate-value in Subscription-State').toLowerCase();
      const params = new Map<string, string | null>();
      s.params(params, 'Subscription-State');
      s.end('Subscription-State');
      const out: SubscriptionState = { state, params };
      if (params.has('expires')) out.expires = seconds(s, params.get('expires'), 'expires');
      if (params.has('retry-after')) out.retryAfter = seconds(s, params.get('retry-after'), 'retry-after');
      if (params.has('reason')) {
        const reason = params.get('reason');
        // event-reason-value = "deactivated" / … / event-reason-extension; extension = token
        if (!reason || !isToken(reason)) s.fail('reason parameter of Subscription-State is not a token');
        out.reason = reason.toLowerCase();
      }
      params.delete('expires');
      params.delete('retry-after');
      params.delete('reason');
      return out;
    });
  },
};
