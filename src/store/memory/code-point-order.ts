/**
 * Compares strings by Unicode code point, which is the byte order of their UTF-8 and so the order of
 * SQLite's BINARY collation. JavaScript's `<` compares UTF-16 code units instead, which puts characters
 * above U+FFFF (surrogate pairs) before U+E000..U+FFFF; the memory stores sort with this so that both
 * adapters list in the same order.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only a difference between a surrogate and a unit at or above U+E000 is ordered differently.
    if (x >= 0xd800 && y >= 0xd800) return surrogateRank(x) - surrogateRank(y);
    return x - y;
  }
  return a.length - b.length;
}

/** Moves surrogates (U+D800..U+DFFF, i.e. code points above U+FFFF) above every unit from U+E000. */
function surrogateRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}
