import type { NameTest, Predicate, QName, RelativePath, Selector, Step } from './model.js';

/**
 * The expression syntax of RFC 4661 §5 (an XPath 1.0 subset): absolute references with `/` and `//`
 * steps, `*` wildcards, an optional final `@attribute`, and predicates on any step comparing a relative
 * path (`.`, `..`, `a/b`, `@x`, `a/@x`) with `=`, `<` or `>` to a quoted string or a number, joined by
 * `and` / `or`. Prefixes are expanded with the filter's ns-bindings (RFC 4661 §3.3).
 */

/** A parsed selector, or why it is not accepted. */
export type SelectorResult = { readonly ok: true; readonly selector: Selector } | { readonly ok: false; readonly defect: string };

/** Longest expression accepted, characters. */
const MAX_EXPRESSION = 1024;
const NAME = /^[A-Za-z_][\w.-]*/;

class Cursor {
  i = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.i >= this.text.length;
  }
  skipSpace(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }
  peek(s: string): boolean {
    return this.text.startsWith(s, this.i);
  }
  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.i += s.length;
    return true;
  }
  name(): string | undefined {
    const m = NAME.exec(this.text.slice(this.i));
    if (!m) return undefined;
    this.i += m[0].length;
    return m[0];
  }
}

class SyntaxProblem extends Error {}

/**
 * Parses `text` as an RFC 4661 §5 selection. `resolve` maps a prefix to its namespace URI (undefined:
 * unbound, which is a defect). Never throws.
 */
export function parseSelector(text: string, resolve: (prefix: string) => string | undefined): SelectorResult {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  if (trimmed.length > MAX_EXPRESSION) return { ok: false, defect: `expression longer than ${MAX_EXPRESSION} characters` };
  const c = new Cursor(trimmed.replace(/\s*\/\s*/g, '/'));
  try {
    const steps: Step[] = [];
    let attribute: QName | undefined;
    if (!c.peek('/')) throw new SyntaxProblem('an expression must start with /');
    while (!c.done) {
      if (!c.eat('/')) throw new SyntaxProblem(`unexpected "${c.text.slice(c.i, c.i + 10)}"`);
      const axis = c.eat('/') ? 'descendant' : 'child';
      if (c.eat('@')) {
        attribute = qname(c, resolve, true);
        if (!c.done) throw new SyntaxProblem('an attribute must be the last step');
        break;
      }
      const test = nameTest(c, resolve);
      const predicates: Predicate[] = [];
      c.skipSpace();
      while (c.eat('[')) {
        predicates.push(orExpr(c, resolve));
        c.skipSpace();
        if (!c.eat(']')) throw new SyntaxProblem('missing ]');
        c.skipSpace();
      }
      steps.push({ axis, test, predicates });
    }
    if (!steps.length) throw new SyntaxProblem('no element step');
    return { ok: true, selector: { text: trimmed, steps, ...(attribute ? { attribute } : {}) } };
  } catch (e) {
    if (e instanceof SyntaxProblem) return { ok: false, defect: `${e.message} in "${trimmed.slice(0, 80)}"` };
    throw e;
  }
}

function qname(c: Cursor, resolve: (prefix: string) => string | undefined, isAttribute: boolean): QName {
  const first = c.name();
  if (!first) throw new SyntaxProblem('name expected');
  if (!c.eat(':')) return { ns: null, local: first };
  const local = c.name();
  if (!local) throw new SyntaxProblem(`name expected after ${first}:`);
  const ns = resolve(first);
  if (ns === undefined) throw new SyntaxProblem(`prefix ${first} is not bound by ns-bindings${isAttribute ? ' (attribute)' : ''}`);
  return { ns, local };
}

function nameTest(c: Cursor, resolve: (prefix: string) => string | undefined): NameTest {
  if (c.eat('*')) return { ns: '*', local: '*', unprefixed: true };
  const before = c.i;
  const q = qname(c, resolve, false);
  return { ns: q.ns, local: q.local, unprefixed: !c.text.slice(before, c.i).includes(':') };
}

function orExpr(c: Cursor, resolve: (prefix: string) => string | undefined): Predicate {
  let left = andExpr(c, resolve);
  while (keyword(c, 'or')) left = { kind: 'or', left, right: andExpr(c, resolve) };
  return left;
}

function andExpr(c: Cursor, resolve: (prefix: string) => string | undefined): Predicate {
  let left = comparison(c, resolve);
  while (keyword(c, 'and')) left = { kind: 'and', left, right: comparison(c, resolve) };
  return left;
}

function keyword(c: Cursor, word: string): boolean {
  c.skipSpace();
  const at = c.i;
  if (c.eat(word) && (c.done || /[\s"'(]/.test(c.text[c.i]!))) return true;
  c.i = at;
  return false;
}

function comparison(c: Cursor, resolve: (prefix: string) => string | undefined): Predicate {
  c.skipSpace();
  const path = relativePath(c, resolve);
  c.skipSpace();
  const op = c.eat('=') ? '=' : c.eat('<') ? '<' : c.eat('>') ? '>' : undefined;
  if (!op) throw new SyntaxProblem('comparison (=, <, >) expected');
  c.skipSpace();
  return { kind: 'compare', path, op, value: literal(c) };
}

function relativePath(c: Cursor, resolve: (prefix: string) => string | undefined): RelativePath {
  let up = 0;
  const steps: NameTest[] = [];
  if (c.eat('..')) up = 1;
  else if (c.eat('.')) up = 0;
  else if (c.peek('@')) {
    // an attribute of the context element
  } else steps.push(nameTest(c, resolve));
  while (c.eat('/')) {
    if (c.peek('@')) break;
    if (c.eat('..')) {
      if (steps.length) throw new SyntaxProblem('.. only at the start of a path');
      up++;
      continue;
    }
    steps.push(nameTest(c, resolve));
  }
  if (c.eat('@')) return { up, steps, attribute: qname(c, resolve, true) };
  return { up, steps };
}

function literal(c: Cursor): string {
  const quote = c.peek('"') ? '"' : c.peek("'") ? "'" : undefined;
  if (quote) {
    const end = c.text.indexOf(quote, c.i + 1);
    if (end < 0) throw new SyntaxProblem('unterminated string');
    const v = c.text.slice(c.i + 1, end);
    c.i = end + 1;
    return v;
  }
  const m = /^-?\d+(\.\d+)?/.exec(c.text.slice(c.i));
  if (!m) throw new SyntaxProblem('a quoted string or a number expected');
  c.i += m[0].length;
  return m[0];
}
