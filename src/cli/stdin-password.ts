/** What the commands that take `--password-stdin` share: the usage error and reading the password. */

/** Most bytes read from stdin for `--password-stdin` (a password has at most 128 characters). */
const MAX_STDIN_BYTES = 4096;

/** A usage error: reported like commander's own, exit status 2. */
export class UsageError extends Error {}

/**
 * Reads the password from stdin (one line; the line break is dropped) for `--password-stdin`.
 * @throws UsageError when stdin holds more than 4096 bytes.
 */
export async function readStdinPassword(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError(`--password-stdin: more than ${MAX_STDIN_BYTES} bytes on stdin`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
