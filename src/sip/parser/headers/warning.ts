import type { HeaderGrammar } from '../../message/headers.js';
import type { WarningValue } from '../../message/types.js';
import { isToken, parseList, runGrammar, unquote } from '../scanner.js';
import type { Scanner } from '../scanner.js';
import { parseHost, parsePort } from '../uri.js';

/** warn-agent = hostport / pseudonym (RFC 3261 §25.1); pseudonym = token. */
function isWarnAgent(text: string): boolean {
  if (isToken(text)) return true;
  return runGrammar(text, (s) => {
    parseHost(s, 'warn-agent');
    parsePort(s, 'warn-agent');
    s.end('warn-agent');
  }).ok;
}

function warning(s: Scanner): WarningValue {
  s.ws();
  // warn-code = 3DIGIT
  const code = s.until(' \t,');
  if (!/^\d{3}$/.test(code)) s.fail('warn-code is not three digits');
  s.ws();
  const agent = s.until(' \t,');
  if (!isWarnAgent(agent)) s.fail('invalid warn-agent');
  s.ws();
  const text = unquote(s.quoted('warn-text'));
  return { code: Number(code), agent, text };
}

/**
 * Warning (RFC 3261 §20.43, §25.1): `warn-code SP warn-agent SP warn-text` values, comma-separated and
 * merged across lines. warn-text is unquoted; commas inside it do not separate values.
 */
export const WarningHeader: HeaderGrammar<WarningValue[]> = {
  name: 'Warning',
  parse: (values) => parseList(values, warning, 'Warning'),
};
