import { canonicalName, headerKey } from './header-names.js';

/** Result of parsing wire text: the value, or the defect that makes it invalid. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; defect: string };

/**
 * The grammar of one header field (one file each under `sip/parser/headers`). `parse` receives the
 * values of every line carrying that header, in order, already unfolded and trimmed, and never throws.
 */
export interface HeaderGrammar<T> {
  /** Canonical header name, e.g. `Via`. */
  readonly name: string;
  parse(values: readonly string[]): ParseResult<T>;
}

/** One header line: its canonical name, the name as written on the wire, and its raw value. */
export interface HeaderField {
  /** Canonical name (compact forms expanded); unknown headers keep their wire spelling. */
  readonly name: string;
  /** Lookup key: lower-cased canonical name. */
  readonly key: string;
  /** Value text, unfolded (RFC 3261 §7.3.1 line folding replaced by one space) and trimmed. */
  readonly value: string;
}

// The lookup key of each grammar, computed once: parse() runs for every mandatory header of every
// message, and deriving the key from the name each time cost three lower-casings per call.
const GRAMMAR_KEYS = new WeakMap<HeaderGrammar<unknown>, string>();

function grammarKey(grammar: HeaderGrammar<unknown>): string {
  let key = GRAMMAR_KEYS.get(grammar);
  if (key === undefined) {
    key = headerKey(grammar.name);
    GRAMMAR_KEYS.set(grammar, key);
  }
  return key;
}

/**
 * The ordered header fields of a SIP message. Values stay raw text; structured views are parsed on
 * first use through a {@link HeaderGrammar} and cached next to the text until that header changes
 * (STYLE habit 8). Lookups are case-insensitive and accept compact names.
 */
export class HeaderList {
  private readonly fields: HeaderField[];
  // Parsed values by header key, as two parallel arrays: a message caches a handful (the mandatory
  // headers and a few more), for which a linear search of shared key strings is cheaper than a Map.
  private cacheKeys: string[] | undefined;
  private cacheResults: Array<ParseResult<unknown>> | undefined;

  constructor(fields: HeaderField[] = []) {
    this.fields = fields;
  }

  /** Makes a field from a name and value as given by code (not wire input). */
  static field(name: string, value: string): HeaderField {
    return { name: canonicalName(name), key: headerKey(name), value };
  }

  /** All fields in message order. Do not mutate the array. */
  all(): readonly HeaderField[] {
    return this.fields;
  }

  /** True when at least one line carries this header. */
  has(name: string): boolean {
    const key = headerKey(name);
    return this.fields.some((f) => f.key === key);
  }

  /** The value of the first line carrying this header, or undefined. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const f of this.fields) if (f.key === key) return f.value;
    return undefined;
  }

  /** The values of every line carrying this header, in order (comma lists are not split). */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const f of this.fields) if (f.key === key) out.push(f.value);
    return out;
  }

  /** Appends a line. */
  append(name: string, value: string): void {
    this.fields.push(HeaderList.field(name, value));
    this.invalidate(headerKey(name));
  }

  /** Inserts a line before every other line (e.g. a new top Via or Record-Route). */
  prepend(name: string, value: string): void {
    this.fields.unshift(HeaderList.field(name, value));
    this.invalidate(headerKey(name));
  }

  /** Replaces every line of this header with one line holding `value`, at the first line's place. */
  set(name: string, value: string): void {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => f.key === key);
    this.removeAll(name);
    const field = HeaderList.field(name, value);
    if (at < 0) this.fields.push(field);
    else this.fields.splice(at, 0, field);
    this.invalidate(key);
  }

  /** Removes every line of this header; returns how many were removed. */
  removeAll(name: string): number {
    const key = headerKey(name);
    let removed = 0;
    for (let i = this.fields.length - 1; i >= 0; i--) {
      if (this.fields[i]!.key === key) {
        this.fields.splice(i, 1);
        removed++;
      }
    }
    if (removed) this.invalidate(key);
    return removed;
  }

  /**
   * Replaces the value of the first line carrying this header, keeping its place among the other lines
   * (e.g. the top Via after adding `received`, RFC 3261 §18.2.1). Returns false when the header is absent.
   */
  replaceFirst(name: string, value: string): boolean {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => f.key === key);
    if (at < 0) return false;
    this.fields[at] = { ...this.fields[at]!, value };
    this.invalidate(key);
    return true;
  }

  /** Removes the first line of this header (e.g. the top Via or a consumed Route). */
  removeFirst(name: string): string | undefined {
    const key = headerKey(name);
    const at = this.fields.findIndex((f) => f.key === key);
    if (at < 0) return undefined;
    const [f] = this.fields.splice(at, 1);
    this.invalidate(key);
    return f!.value;
  }

  /**
   * Parses this header with its grammar, caching the result. Returns `{ ok: true, value: undefined }`
   * when the header is absent.
   */
  parse<T>(grammar: HeaderGrammar<T>): ParseResult<T | undefined> {
    const key = grammarKey(grammar);
    const keys = this.cacheKeys;
    if (keys) {
      const at = keys.indexOf(key);
      if (at >= 0) return this.cacheResults![at] as ParseResult<T>;
    }
    let values: string[] | undefined;
    for (const f of this.fields) if (f.key === key) (values ??= []).push(f.value);
    const result: ParseResult<T | undefined> = values ? grammar.parse(values) : { ok: true, value: undefined };
    if (keys) {
      keys.push(key);
      this.cacheResults!.push(result);
    } else {
      this.cacheKeys = [key];
      this.cacheResults = [result];
    }
    return result;
  }

  /** A deep copy (fields are immutable records, so the array is copied and the cache dropped). */
  clone(): HeaderList {
    return new HeaderList(this.fields.slice());
  }

  private invalidate(key: string): void {
    const at = this.cacheKeys?.indexOf(key) ?? -1;
    if (at >= 0) {
      this.cacheKeys!.splice(at, 1);
      this.cacheResults!.splice(at, 1);
    }
  }
}
