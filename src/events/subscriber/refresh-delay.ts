/**
 * When a client refreshes a publication or subscription it was granted for `expires` seconds: at 90 %
 * of the interval or 5 s before its end, whichever is earlier, but never before half of it (so a short
 * interval does not turn into a burst of refreshes). Returns milliseconds.
 *
 * Examples: 3600 s -> 3240 s; 60 s -> 54 s; 30 s -> 25 s; 6 s -> 3 s.
 */
export function refreshDelay(expires: number): number {
  const seconds = Math.max(Math.min(expires * 0.9, expires - 5), expires / 2);
  return Math.round(seconds * 1000);
}
