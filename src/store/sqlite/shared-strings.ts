/**
 * One string object per distinct value of the low-cardinality fields of cached records (event package,
 * content type, state, transport), so that 10,000 cached records hold one `presence` rather than 10,000
 * copies of it (a string costs its length plus about 20 bytes). At most {@link SharedStrings.limit}
 * values are kept, whatever callers store.
 */
export class SharedStrings {
  private readonly pool = new Map<string, string>();

  constructor(readonly limit = 256) {}

  /** The kept string equal to `s`, or `s` (kept, while there is room). */
  of(s: string): string {
    const kept = this.pool.get(s);
    if (kept !== undefined) return kept;
    if (this.pool.size < this.limit) this.pool.set(s, s);
    return s;
  }
}

/** `a`, or `b` when equal to it: records share one string for two fields that usually hold the same text. */
export function sameAs(a: string, b: string): string {
  return a === b ? b : a;
}
