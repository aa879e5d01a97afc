import type { HeaderGrammar } from '../../message/headers.js';

// word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" / ")" / "<" / ">" /
//        ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}")  (RFC 3261 §25.1)
const WORD = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`\'~()<>:\\"/[]?{}') {
  WORD[c.charCodeAt(0)] = 1;
}

/**
 * Call-ID (RFC 3261 §20.8): `word [ "@" word ]`. Exactly one line; compared case-sensitively. Characters
 * such as % " < have no special meaning in it (RFC 4475 §3.1.1.2).
 */
export const CallIdHeader: HeaderGrammar<string> = {
  name: 'Call-ID',
  parse(values) {
    if (values.length > 1) return { ok: false, defect: 'more than one Call-ID' };
    const v = values[0]!;
    if (!v.length) return { ok: false, defect: 'empty' };
    let at = -1;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c === 0x40 && at < 0 && i > 0) at = i;
      else if (c >= 128 || WORD[c] !== 1) return { ok: false, defect: 'invalid characters' };
    }
    if (at === v.length - 1) return { ok: false, defect: 'invalid characters' };
    return { ok: true, value: v };
  },
};
