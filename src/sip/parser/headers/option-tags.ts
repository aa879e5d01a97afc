import type { HeaderGrammar } from '../../message/headers.js';
import { parseList } from '../scanner.js';

/**
 * A comma-separated token list merged across lines. `emptyOk`: the grammar's list is optional
 * (`[ x *(COMMA x) ]`), so empty lines are legal and add nothing. `lower`: the tokens are compared
 * case-insensitively (RFC 3261 §7.3.1) and returned lower-cased.
 */
function tokens(name: string, what: string, emptyOk: boolean, lower: boolean): HeaderGrammar<string[]> {
  return {
    name,
    parse(values) {
      const lines = emptyOk ? values.filter((v) => v !== '') : values;
      return parseList(lines, (s) => {
        const t = s.token(what);
        return lower ? t.toLowerCase() : t;
      }, name);
    },
  };
}

/** Supported, compact form `k` (RFC 3261 §20.37): option tags, lower-cased; an empty value is legal. */
export const SupportedHeader = tokens('Supported', 'option-tag', true, true);

/** Require (RFC 3261 §20.32): one or more option tags, lower-cased. */
export const RequireHeader = tokens('Require', 'option-tag', false, true);

/** Proxy-Require (RFC 3261 §20.29): one or more option tags, lower-cased. */
export const ProxyRequireHeader = tokens('Proxy-Require', 'option-tag', false, true);

/** Unsupported (RFC 3261 §20.40): one or more option tags, lower-cased. */
export const UnsupportedHeader = tokens('Unsupported', 'option-tag', false, true);

/**
 * Allow (RFC 3261 §20.5): methods, case kept (methods are case-sensitive, RFC 3261 §7.1); an empty value
 * is legal.
 */
export const AllowHeader = tokens('Allow', 'method', true, false);
