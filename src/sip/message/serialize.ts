import type { SipMessage } from './message.js';

/**
 * Writes a message in canonical form (RFC 3261 §7): the start line, every header line in order with its
 * canonical name (compact forms expanded; unknown headers exactly as received), Content-Length set to
 * the body's real length, a blank line and the body.
 */
export function serialize(msg: SipMessage): Buffer {
  let head = msg.kind === 'request'
    ? `${msg.method} ${msg.uri} ${msg.version}\r\n`
    : `${msg.version} ${msg.status} ${msg.reason}\r\n`;
  let wroteLength = false;
  for (const f of msg.headers.all()) {
    if (f.key === 'content-length') {
      if (wroteLength) continue;
      head += `Content-Length: ${msg.body.length}\r\n`;
      wroteLength = true;
      continue;
    }
    head += `${f.name}: ${f.value}\r\n`;
  }
  if (!wroteLength) head += `Content-Length: ${msg.body.length}\r\n`;
  head += '\r\n';
  if (!msg.body.length) return Buffer.from(head, 'utf8');
  // One allocation, and the head is encoded straight into it (no intermediate head Buffer to copy).
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + msg.body.length);
  out.write(head); // utf8, from offset 0: writes exactly headLength bytes
  msg.body.copy(out, headLength);
  return out;
}
