/**
 * XCAP node selectors (RFC 4825 §6.3) and the namespace bindings of the query component (RFC 4825 §6.4,
 * the XPointer xmlns() scheme), parsed from their decoded form into expanded names. Evaluation against
 * a document is in `evaluate.ts`.
 */

/** An element name test: `*`, or an expanded name (namespace null: no namespace). */
export type NameTest =
  | { readonly kind: 'any' }
  | { readonly kind: 'name'; readonly namespace: string | null; readonly localName: string };

/** An expanded attribute name (unprefixed attribute names are in no namespace, RFC 4825 §6.3). */
export interface AttributeName {
  readonly namespace: string | null;
  readonly localName: string;
  /** The QName as written in the selector (its prefix is the client's, not the document's). */
  readonly qname: string;
}

/** One location step: `name`, `name[n]`, `name[@a="v"]` or `name[n][@a="v"]` (RFC 4825 §6.3). */
export interface Step {
  readonly name: NameTest;
  /** 1-based position among the children that pass the name test. */
  readonly position?: number;
  readonly attribute?: { readonly name: AttributeName; readonly value: string };
  /** The step as written (decoded), to rebuild URIs of ancestors. */
  readonly text: string;
}

/** The terminal selector: an attribute (`@name`) or the namespace bindings (`namespace::*`). */
export type Terminal = { readonly kind: 'attribute'; readonly name: AttributeName } | { readonly kind: 'namespaces' };

/** A parsed node selector: one or more element steps and an optional terminal selector. */
export interface NodeSelector {
  readonly steps: readonly Step[];
  readonly terminal?: Terminal;
}

/**
 * Why a selector was refused: 400 for a selector that is not one (an empty step, an undefined namespace
 * prefix: RFC 4825 §8), 404 for a step that is not in the §6.3 grammar (an extension selector the server
 * does not understand: RFC 4825 §8).
 */
export interface SelectorError {
  readonly status: 400 | 404;
  readonly reason: string;
}

// XML Namespaces NCName: XML 1.0 (fifth edition) NameStartChar / NameChar without ':'.
const NAME_START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
const NCNAME = `[${NAME_START}][${NAME_CHAR}]*`;
// eslint-disable-next-line no-misleading-character-class -- XML NameChar includes combining marks and ZWNJ/ZWJ
const NCNAME_RE = new RegExp(`^${NCNAME}$`, 'u');
// eslint-disable-next-line no-misleading-character-class -- as above
const QNAME_AT = new RegExp(`(${NCNAME})(?::(${NCNAME}))?`, 'uy');
const POSITION_AT = /\[([0-9]+)\]/y;

/** Is `s` an XML NCName? */
function isNcName(s: string): boolean {
  return NCNAME_RE.test(s);
}

/** The five predefined entities and character references in an AttValue, decoded; other text kept. */
function decodeReferences(s: string): string {
  return s.replace(/&(?:(lt|gt|amp|apos|quot)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/g, (all, named: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (named) return { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' }[named as 'lt'];
    const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : all;
  });
}

/** Splits a decoded node selector at the '/' outside quoted attribute values. */
function splitSteps(selector: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '/') {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts;
}

/** Resolves QName parts against the bindings; `defaultNs` applies to an unprefixed name. */
type Resolved = { namespace: string | null; localName: string } | SelectorError;

function resolve(prefixOrLocal: string, local: string | undefined, bindings: ReadonlyMap<string, string>, defaultNs: string | null): Resolved {
  if (local === undefined) return { namespace: defaultNs, localName: prefixOrLocal };
  const ns = bindings.get(prefixOrLocal);
  // RFC 4825 §8: a prefix not defined by an xmlns() expression in the query MUST get a 400.
  if (ns === undefined) return { status: 400, reason: `namespace prefix "${prefixOrLocal}" is not bound in the query component` };
  return { namespace: ns, localName: local };
}

/** Reads a QName at `at`; its parts and where it ends, or undefined. */
function qnameAt(text: string, at: number): { prefixOrLocal: string; local?: string; end: number } | undefined {
  QNAME_AT.lastIndex = at;
  const m = QNAME_AT.exec(text);
  return m ? { prefixOrLocal: m[1]!, local: m[2], end: QNAME_AT.lastIndex } : undefined;
}

const unknown = (text: string): SelectorError => ({ status: 404, reason: `node selector step not understood: ${text}` });

/** `[@qname="value"]` or `[@qname='value']` at `at`: the parts and where it ends, or undefined. */
function attrTestAt(text: string, at: number): { q: { prefixOrLocal: string; local?: string }; value: string; end: number } | undefined {
  if (!text.startsWith('[@', at)) return undefined;
  const q = qnameAt(text, at + 2);
  if (!q || text[q.end] !== '=') return undefined;
  const quote = text[q.end + 1];
  if (quote !== '"' && quote !== "'") return undefined;
  const close = text.indexOf(quote, q.end + 2);
  if (close < 0 || text[close + 1] !== ']') return undefined;
  return { q, value: decodeReferences(text.slice(q.end + 2, close)), end: close + 2 };
}

/** One element step (RFC 4825 §6.3 `step`, without extension selectors): the syntax first, then the prefixes. */
function parseStep(text: string, bindings: ReadonlyMap<string, string>, defaultNs: string): Step | SelectorError {
  const q = text.startsWith('*') ? undefined : qnameAt(text, 0);
  if (!q && !text.startsWith('*')) return unknown(text);
  let at = q ? q.end : 1;
  POSITION_AT.lastIndex = at;
  const pos = POSITION_AT.exec(text);
  if (pos) at = POSITION_AT.lastIndex;
  const attr = attrTestAt(text, at);
  if (attr) at = attr.end;
  if (at !== text.length) return unknown(text);
  let name: NameTest = { kind: 'any' };
  if (q) {
    const r = resolve(q.prefixOrLocal, q.local, bindings, defaultNs);
    if ('status' in r) return r;
    name = { kind: 'name', ...r };
  }
  let attribute: Step['attribute'];
  if (attr) {
    const r = resolve(attr.q.prefixOrLocal, attr.q.local, bindings, null);
    if ('status' in r) return r;
    attribute = { name: { ...r, qname: attr.q.local === undefined ? attr.q.prefixOrLocal : `${attr.q.prefixOrLocal}:${attr.q.local}` }, value: attr.value };
  }
  return { name, text, ...(pos && { position: Number(pos[1]) }), ...(attribute && { attribute }) };
}

/** The terminal selector in `text`, undefined when `text` is not one. */
function parseTerminal(text: string, bindings: ReadonlyMap<string, string>): Terminal | SelectorError | undefined {
  if (text === 'namespace::*') return { kind: 'namespaces' };
  if (!text.startsWith('@')) return undefined;
  const q = qnameAt(text, 1);
  if (!q || q.end !== text.length) return unknown(text);
  const r = resolve(q.prefixOrLocal, q.local, bindings, null);
  if ('status' in r) return r;
  return { kind: 'attribute', name: { ...r, qname: text.slice(1) } };
}

/**
 * Parses a decoded node selector (the text after the `~~` separator, percent-decoded once) against the
 * namespace bindings of the query component and the usage's default document namespace (RFC 4825 §5.2,
 * applied to unprefixed element names only). Never throws.
 */
export function parseNodeSelector(selector: string, bindings: ReadonlyMap<string, string>, defaultNamespace: string): NodeSelector | SelectorError {
  const texts = splitSteps(selector);
  if (texts.some((t) => t === '')) return { status: 400, reason: 'node selector has an empty step' };
  const steps: Step[] = [];
  let terminal: Terminal | undefined;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    if (i === texts.length - 1 && i > 0) {
      const t = parseTerminal(text, bindings);
      if (t && 'status' in t) return t;
      if (t) {
        terminal = t;
        break;
      }
    }
    const step = parseStep(text, bindings, defaultNamespace);
    if ('status' in step) return step;
    steps.push(step);
  }
  return terminal ? { steps, terminal } : { steps };
}

/**
 * Reads the namespace bindings of an XCAP query component (RFC 4825 §6.4): an XPointer (framework §3)
 * made of `scheme(data)` parts; only `xmlns(prefix=namespace-uri)` parts count (XPointer xmlns() scheme),
 * parts of other schemes are ignored as RFC 4825 §6.4 requires. `query` is percent-decoded already.
 * A query that is not an XPointer is a SelectorError 400.
 */
export function parseXmlnsQuery(query: string): Map<string, string> | SelectorError {
  const bindings = new Map<string, string>();
  const bad: SelectorError = { status: 400, reason: 'query component is not an XPointer of xmlns() parts' };
  let i = 0;
  while (i < query.length) {
    while (/[ \t\r\n]/.test(query[i] ?? '')) i++;
    if (i >= query.length) break;
    const q = qnameAt(query, i);
    if (!q || query[q.end] !== '(') return bad;
    // XPointer framework §3.3: scheme data with balanced parentheses and ^-escapes (^( ^) ^^).
    let depth = 1;
    let data = '';
    let j = q.end + 1;
    for (; j < query.length && depth > 0; j++) {
      const c = query[j]!;
      if (c === '^') {
        const next = query[j + 1];
        if (next !== '(' && next !== ')' && next !== '^') return bad;
        data += next;
        j++;
      } else {
        if (c === '(') depth++;
        else if (c === ')' && --depth === 0) break;
        data += c;
      }
    }
    if (depth !== 0) return bad;
    i = j + 1;
    if (q.local !== undefined || q.prefixOrLocal !== 'xmlns') continue;
    // XPointer xmlns() scheme: XmlnsSchemeData ::= NCName S? '=' S? EscapedNamespaceName
    const m = /^[ \t\r\n]*([^ \t\r\n=]+)[ \t\r\n]*=[ \t\r\n]*(.*?)[ \t\r\n]*$/su.exec(data);
    if (!m || !isNcName(m[1]!)) return bad;
    bindings.set(m[1]!, m[2]!);
  }
  return bindings;
}
