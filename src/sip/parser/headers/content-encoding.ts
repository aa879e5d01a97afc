import type { HeaderGrammar } from '../../message/headers.js';
import { parseList } from '../scanner.js';

/**
 * Content-Encoding, compact form `e` (RFC 3261 §20.12, §25.1): `content-coding *(COMMA content-coding)`,
 * tokens merged across lines in order. Lower-cased: all content-coding values are case-insensitive
 * (§20.12).
 */
export const ContentEncodingHeader: HeaderGrammar<string[]> = {
  name: 'Content-Encoding',
  parse: (values) => parseList(values, (s) => s.token('content-coding').toLowerCase(), 'Content-Encoding'),
};
