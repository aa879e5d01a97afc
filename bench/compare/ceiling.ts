import { createSocket } from 'node:dgram';
import { pathToFileURL } from 'node:url';

// The ceiling of bench/compare: the least a Node UDP SIP server can do. It answers every datagram with a
// 200 OK built from a template, copying the request's Via, From, To, Call-ID and CSeq lines (found with
// Buffer.indexOf, not parsed) so SIPp can match the answer to its call. A fixed SIP-ETag lets the PUBLISH
// modify scenario run against it too. Usage: node dist/bench/compare/ceiling.js <port> (on 127.0.0.1).

/** The header lines copied from request to response, each searched as "\r\n<name>". */
const COPIED = ['Via:', 'From:', 'To:', 'Call-ID:', 'CSeq:'].map((n) => Buffer.from(`\r\n${n}`, 'latin1'));
const START = Buffer.from('SIP/2.0 200 OK', 'latin1');
const END = Buffer.from('\r\nSIP-ETag: ceiling\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

/**
 * The 200 OK for `request`: the start line, each copied header line of the request (with its leading
 * CRLF) in the order of {@link COPIED}, then the fixed tail. A header the request lacks is left out.
 */
export function templateResponse(request: Buffer): Buffer {
  const parts: Buffer[] = [START];
  for (const name of COPIED) {
    const at = request.indexOf(name);
    if (at < 0) continue;
    const end = request.indexOf(CRLF, at + 2);
    parts.push(request.subarray(at, end < 0 ? request.length : end));
  }
  parts.push(END);
  return Buffer.concat(parts);
}

function main(args: string[]): void {
  const port = Number(args[0]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('usage: ceiling.js <port>\n');
    process.exitCode = 2;
    return;
  }
  // 4 MiB: Node's default receive buffer drops datagrams from about 18,000/s on (bench/README.md).
  const sock = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  sock.on('message', (msg, rinfo) => {
    if (msg.subarray(0, 8).toString('latin1') === 'SIP/2.0 ') return; // a response: nothing to answer
    sock.send(templateResponse(msg), rinfo.port, rinfo.address);
  });
  sock.bind(port, '127.0.0.1', () => process.stdout.write(`listening on 127.0.0.1:${sock.address().port}\n`));
  const stop = () => sock.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
