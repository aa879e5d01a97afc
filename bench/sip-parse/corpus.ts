import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The request methods the benchmark groups its results by. */
export const KINDS = ['PUBLISH', 'SUBSCRIBE', 'NOTIFY'] as const;

/** One of {@link KINDS}. */
export type MessageKind = (typeof KINDS)[number];

/** One captured message, exactly the bytes a client or server sent. */
export interface BenchMessage {
  /** File name in the captures folder, e.g. `sipp-02-PUBLISH-initial.txt`. */
  readonly name: string;
  /** Request method read from the request line. */
  readonly kind: MessageKind;
  readonly bytes: Buffer;
}

/** The shared captures folder, resolved from the repository root (the working directory). */
export function capturesDir(): string {
  return join(process.cwd(), '..', 'shared', 'captures');
}

/** The method of a request line, or undefined for a status line or an empty message. */
function requestMethod(bytes: Buffer): string | undefined {
  let start = 0;
  while (bytes[start] === 0x0d || bytes[start] === 0x0a) start++;
  const space = bytes.indexOf(0x20, start);
  if (space <= start) return undefined;
  const first = bytes.toString('latin1', start, space);
  return first.startsWith('SIP/') ? undefined : first;
}

function isKind(method: string | undefined): method is MessageKind {
  return (KINDS as readonly string[]).includes(method ?? '');
}

/**
 * Loads every captured PUBLISH, SUBSCRIBE and NOTIFY request (`*.txt`) from `dir`, sorted by file name.
 * Responses and other methods are left out: the benchmark is about the requests a presence server parses.
 * @throws Error naming the folder when it is missing or holds no such request.
 */
export function loadCorpus(dir: string = capturesDir()): BenchMessage[] {
  if (!existsSync(dir)) {
    throw new Error(`SIP captures not found at ${dir}: run from the repository root with shared/ beside it`);
  }
  const out: BenchMessage[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    const bytes = readFileSync(join(dir, name));
    const kind = requestMethod(bytes);
    if (isKind(kind)) out.push({ name, kind, bytes });
  }
  if (!out.length) throw new Error(`no PUBLISH, SUBSCRIBE or NOTIFY request among the captures in ${dir}`);
  return out;
}
