/**
 * Hand-made malformed messages with the answer issue "hostile input" requires: a malformed request gets
 * 400 with the defect in the reason phrase (RFC 3261 §21.4.1), another SIP version 505 (§21.5.6), an
 * oversized message 513 (§21.5.7); a malformed response is dropped and counted (§18.1.2), never answered.
 */

/** One malformed request and its answer. */
export interface RequestCase {
  readonly name: string;
  /** Status the server must answer with. */
  readonly status: number;
  /** What the reason phrase must name. */
  readonly reason: RegExp;
  /** Transports it applies to (a body shorter than Content-Length is a wait, not an error, on a stream). */
  readonly transports: ReadonlyArray<'UDP' | 'TCP'>;
  /** Changes the lines of a valid OPTIONS (start line first, no line ends). */
  readonly edit: (lines: string[]) => string[];
  /** Body text; Content-Length is written for it unless the edit sets its own. */
  readonly body?: string;
}

const both = ['UDP', 'TCP'] as const;

function replace(name: string, value: string | undefined): (lines: string[]) => string[] {
  return (lines) => {
    const out = lines.filter((l) => !l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    if (value !== undefined) out.splice(1, 0, `${name}: ${value}`);
    return out;
  };
}

const add = (line: string) => (lines: string[]): string[] => [...lines, line];

export const REQUEST_CASES: readonly RequestCase[] = [
  { name: 'CSeq not a number', status: 400, reason: /CSeq/, transports: both, edit: replace('CSeq', 'abc OPTIONS') },
  { name: 'CSeq method mismatch', status: 400, reason: /CSeq/, transports: both, edit: replace('CSeq', '1 SUBSCRIBE') },
  { name: 'negative Max-Forwards', status: 400, reason: /Max-Forwards/, transports: both, edit: replace('Max-Forwards', '-1') },
  { name: 'unterminated quote in From', status: 400, reason: /From/, transports: both, edit: replace('From', '"Alice <sip:a@localhost>;tag=1') },
  { name: 'Content-Length not a number', status: 400, reason: /Content-Length/, transports: both, edit: replace('Content-Length', 'abc') },
  { name: 'Content-Length larger than the body', status: 400, reason: /Content-Length/, transports: ['UDP'], edit: replace('Content-Length', '50') },
  { name: 'missing Content-Length on a stream', status: 400, reason: /Content-Length/, transports: ['TCP'], edit: replace('Content-Length', undefined) },
  { name: 'control character in a header value', status: 400, reason: /[Cc]ontrol/, transports: both, edit: add('Subject: a\x01b') },
  {
    name: 'unclosed IPv6 reference in the Request-URI', status: 400, reason: /Request-URI/, transports: both,
    edit: (l) => ['OPTIONS sip:ps@[::1 SIP/2.0', ...l.slice(1)],
  },
  { name: 'SIP/3.0 request', status: 505, reason: /Version/, transports: both, edit: (l) => ['OPTIONS sip:ps@localhost SIP/3.0', ...l.slice(1)] },
  { name: 'header line without a colon', status: 400, reason: /header/i, transports: both, edit: add('NoColonHere') },
  { name: 'invalid UTF-8 in a header value', status: 400, reason: /UTF-8/, transports: both, edit: add('Subject: \xff\xfe') },
  { name: 'message over maxMessageSize', status: 513, reason: /Too Large/i, transports: both, edit: add(`X-Pad: ${'a'.repeat(5_000)}`) },
];

/** A request case as bytes, with this Call-ID and a Via that brings the answer back (rport, RFC 3581). */
export function requestBytes(c: RequestCase, transport: 'UDP' | 'TCP', port: number, callId: string, branch: string): Buffer {
  const lines = [
    'OPTIONS sip:ps@localhost SIP/2.0',
    `Via: SIP/2.0/${transport} 127.0.0.1:${port};branch=z9hG4bK-${branch};rport`,
    'Max-Forwards: 70',
    'From: <sip:fuzz@localhost>;tag=h1',
    'To: <sip:ps@localhost>',
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    `Content-Length: ${Buffer.byteLength(c.body ?? '', 'latin1')}`,
  ];
  return Buffer.from(`${c.edit(lines).join('\r\n')}\r\n\r\n${c.body ?? ''}`, 'latin1');
}

const RESPONSE_HEAD = 'Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-stray\r\nFrom: <sip:ps@localhost>;tag=r1\r\n' +
  'To: <sip:fuzz@localhost>;tag=r2\r\nCall-ID: stray@fuzz\r\nCSeq: 1 NOTIFY\r\n';

/** Malformed responses, each of which must be counted and not answered. */
export const MALFORMED_RESPONSES: ReadonlyArray<readonly [string, Buffer]> = [
  ['Status-Code not a number', `SIP/2.0 abc OK\r\n${RESPONSE_HEAD}Content-Length: 0\r\n\r\n`],
  ['SIP/3.0 Status-Line', `SIP/3.0 200 OK\r\n${RESPONSE_HEAD}Content-Length: 0\r\n\r\n`],
  ['no Call-ID', `SIP/2.0 200 OK\r\n${RESPONSE_HEAD.replace('Call-ID: stray@fuzz\r\n', '')}Content-Length: 0\r\n\r\n`],
  ['CSeq not a number', `SIP/2.0 200 OK\r\n${RESPONSE_HEAD.replace('CSeq: 1', 'CSeq: x')}Content-Length: 0\r\n\r\n`],
  ['header line without a colon', `SIP/2.0 200 OK\r\n${RESPONSE_HEAD}NoColonHere\r\nContent-Length: 0\r\n\r\n`],
  ['invalid UTF-8', `SIP/2.0 200 OK\r\n${RESPONSE_HEAD}Subject: \xff\r\nContent-Length: 0\r\n\r\n`],
  ['over maxMessageSize', `SIP/2.0 200 OK\r\n${RESPONSE_HEAD}X-Pad: ${'a'.repeat(5_000)}\r\nContent-Length: 0\r\n\r\n`],
  ['Content-Length larger than the body', `SIP/2.0 200 OK\r\n${RESPONSE_HEAD}Content-Length: 10\r\n\r\n`],
].map(([name, text]) => [name!, Buffer.from(text!, 'latin1')] as const);
