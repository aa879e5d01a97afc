/**
 * Flow and socket identifiers (`tcp:17`, `udp:3`): a prefix and a counter shared by every transport
 * layer in the process, so an id names one flow for the life of the process (see `Flow.id`).
 */
let counter = 0;

/** The next identifier with this prefix, e.g. `nextId('tcp')` → `tcp:17`. */
export function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}:${counter}`;
}
