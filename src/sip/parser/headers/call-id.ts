import type { HeaderGrammar } from '../../message/headers.js';

/** Call-ID (RFC 3261 §20.8): `word [ "@" word ]`. Exactly one line; compared case-sensitively. */
export const CallIdHeader: HeaderGrammar<string> = {
  name: 'Call-ID',
  parse(values) {
    if (values.length > 1) return { ok: false, defect: 'more than one Call-ID' };
    const v = values[0]!;
    // word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" / ")" / "<" /
    //        ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}")
    if (!/^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+(?:@[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+)?$/.test(v)) {
      return { ok: false, defect: 'invalid characters' };
    }
    return { ok: true, value: v };
  },
};
