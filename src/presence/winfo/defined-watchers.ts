import type { RulesSource } from '../authorization/authorizer.js';
import { parsePresRules } from '../authorization/parse-rules.js';
import { namedWatchers } from '../authorization/rule-edits.js';
import { identityKey } from '../authorization/uri-match.js';

/**
 * The `defined` watchers of a presentity (TS 23.141 §5.1): the identities its pres-rules name in a
 * `<one>` condition (RFC 4745 §7.1.2), whatever their sub-handling, as identity keys (canonical AORs).
 * No document, or one that does not parse, names nobody.
 */
export function definedWatchersFrom(source: RulesSource): (presentity: string) => Promise<ReadonlySet<string>> {
  return async (presentity) => {
    const body = await source.presRules(presentity);
    const parsed = body && parsePresRules(body);
    if (!parsed || !parsed.ok) return new Set();
    return new Set(namedWatchers(parsed.value).map((w) => identityKey(w.watcher)));
  };
}
