import type { SipRequest } from '../message/message.js';
import { ViaHeader } from '../parser/headers/via.js';
import { addressFamily, sameAddress, stripBrackets } from './address.js';

/**
 * Marks the top Via of a received request with where it really came from (RFC 3261 §18.2.1, RFC 3581
 * §4), so the response can find its way back through NAT:
 * - `received=<source address>` when the sent-by host is a domain name or another address, and always
 *   when the Via has `rport`;
 * - `rport=<source port>` whenever `rport` is present (a client sends it without a value).
 *
 * Only the first Via value's text changes; its other parameters, their order and spelling, and any
 * further Via values on the same line stay as received. A top Via that does not parse is left alone
 * (the request is then malformed and answered with 400 anyway). IPv6 sources are written without
 * brackets, as via-received requires (RFC 5118 §4.5). A source that is not an IP address (a named LOOP
 * endpoint) gets no `received`: the parameter can only hold an IP address (RFC 3261 §25.1).
 */
export function applyReceived(req: SipRequest, sourceAddress: string, sourcePort: number): void {
  const vias = req.headers.parse(ViaHeader);
  if (!vias.ok || !vias.value?.length) return;
  const top = vias.value[0]!;
  const rport = top.params.get('rport');
  // RFC 3261 §18.2.1 MUST add received when sent-by differs; RFC 3581 §4 MUST add it whenever rport is
  // present. A received the client wrote itself is replaced too: responses follow received (§18.2.2), so
  // trusting it would let anyone bounce responses at a third party.
  const addReceived =
    addressFamily(sourceAddress) !== 0 &&
    (rport !== undefined || top.params.has('received') || !sameAddress(top.host, sourceAddress));
  // RFC 3581 §4: rport MUST be set to the source port (a client sends it without value; a value it wrote
  // itself is overwritten for the same reason as received).
  const fillRport = rport !== undefined && rport !== String(sourcePort);
  if (!addReceived && !fillRport) return;
  const text = req.headers.get('Via')!;
  const end = firstValueEnd(text);
  const received = addReceived ? receivedValue(sourceAddress) : undefined;
  const value = rewrite(text.slice(0, end), received, fillRport ? sourcePort : undefined) + text.slice(end);
  req.headers.replaceFirst('Via', value);
}

/** The source address as a via-received value: no brackets, no IPv6 zone. */
function receivedValue(address: string): string {
  const a = stripBrackets(address);
  const zone = a.indexOf('%');
  return zone >= 0 ? a.slice(0, zone) : a;
}

/** Index of the comma that ends the first Via value on a line (outside quoted strings), or the length. */
function firstValueEnd(text: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c) i++;
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) {
      quoted = true;
    } else if (c === 0x2c) {
      return i;
    }
  }
  return text.length;
}

/**
 * Rewrites one Via value: drops an existing `received` when a new one is added, gives a value-less
 * `rport` its port, and appends `;received=`. Parameters are split at semicolons outside quotes.
 */
function rewrite(value: string, received: string | undefined, rport: number | undefined): string {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : 0x3b;
    if (quoted) {
      if (c === 0x5c) i++;
      else if (c === 0x22) quoted = false;
    } else if (c === 0x22) {
      quoted = true;
    } else if (c === 0x3b) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  let out = parts[0]!;
  for (let p = 1; p < parts.length; p++) {
    const param = parts[p]!;
    const eq = param.indexOf('=');
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    if (name === 'received' && received !== undefined) continue;
    if (name === 'rport' && rport !== undefined) {
      if (eq >= 0) {
        out += `;rport=${rport}`;
        continue;
      }
      out += `;${param.slice(0, param.length - param.trimStart().length)}rport=${rport}`;
      continue;
    }
    out += `;${param}`;
  }
  if (received !== undefined) out = `${out.trimEnd()};received=${received}`;
  return out;
}
