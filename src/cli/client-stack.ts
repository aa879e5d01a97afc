import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { SentBy } from '../events/subscriber/request-sender.js';
import { LocalIdentity } from '../sip/core/local-identity.js';
import { UserAgentCore } from '../sip/core/user-agent-core.js';
import type { MethodHandler } from '../sip/core/user-agent-core.js';
import { parseUri } from '../sip/parser/uri.js';
import { TransactionLayer } from '../sip/transaction/transaction-layer.js';
import { TransportLayer } from '../sip/transport/transport-layer.js';
import type { SendTarget } from '../sip/transport/types.js';

/**
 * The small SIP user agent the client tools (`presenced publish`, `presenced watch`) run on, and the
 * command-line options they share.
 */

/** The transports the client tools speak. */
export type ClientTransport = 'UDP' | 'TCP';

/** A `--server` value: host name or IP address (IPv6 without brackets) and port. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** The options every client tool has (see {@link addClientOptions}). */
export interface ClientOptions {
  server: ServerAddress;
  transport: ClientTransport;
  user?: string;
  password?: string;
  json?: boolean;
}

/** Default SIP port (RFC 3261 §19.1.2). */
const SIP_PORT = 5060;
/** Largest Expires value (RFC 3261 §20.19: 2**32-1). */
const MAX_EXPIRES = 4_294_967_295;

/**
 * Parses `--server host[:port]`: a host name, an IPv4 address or a bracketed IPv6 reference
 * (`[::1]:5070`); the port defaults to 5060.
 * @throws InvalidArgumentError naming the expected form.
 */
export function parseServer(value: string): ServerAddress {
  const bad = (): InvalidArgumentError =>
    new InvalidArgumentError('give host[:port], e.g. 127.0.0.1:5060, sip.example.com or [::1]:5070 (port 1 to 65535).');
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) throw bad();
  const host = m[1] ?? m[2]!;
  if (m[1] !== undefined && isIP(host) !== 6) throw bad();
  const port = m[3] === undefined ? SIP_PORT : Number(m[3]);
  if (port < 1 || port > 65535) throw bad();
  return { host, port };
}

/**
 * Parses `--transport udp|tcp` (any case).
 * @throws InvalidArgumentError for anything else.
 */
export function parseTransport(value: string): ClientTransport {
  const t = value.trim().toUpperCase();
  if (t !== 'UDP' && t !== 'TCP') throw new InvalidArgumentError('give udp or tcp.');
  return t;
}

/**
 * Parses an address-of-record argument: a sip: or sips: URI with a user part. A bare `user@host` is
 * taken as `sip:user@host`.
 * @throws InvalidArgumentError with an example of the expected form.
 */
export function parseAor(value: string): string {
  const text = /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) ? value : `sip:${value}`;
  const uri = parseUri(text);
  if (!uri.ok || (uri.value.scheme !== 'sip' && uri.value.scheme !== 'sips') || !('user' in uri.value) || !uri.value.user) {
    throw new InvalidArgumentError('give a SIP address with a user part, e.g. sip:alice@example.com.');
  }
  return text;
}

/**
 * Parses a URI option (e.g. `--contact`): any absolute URI the SIP parser accepts.
 * @throws InvalidArgumentError with examples.
 */
export function parseUriOption(value: string): string {
  if (!parseUri(value).ok) throw new InvalidArgumentError('give a URI, e.g. sip:alice@192.0.2.10 or tel:+15551234567.');
  return value;
}

/**
 * Parses `--expires <s>`: a whole number of seconds from 1 to 2**32-1.
 * @throws InvalidArgumentError; for 0 it names the option that asks for no lasting state.
 */
export function parseExpires(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > MAX_EXPIRES) throw new InvalidArgumentError('give a whole number of seconds, e.g. 3600.');
  if (n === 0) throw new InvalidArgumentError('give at least 1 second (for a one-off request use --once or --fetch).');
  return n;
}

/**
 * Parses a count such as `--count <n>`: a whole number from 1 to 1,000,000.
 * @throws InvalidArgumentError.
 */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 1_000_000) throw new InvalidArgumentError('give a whole number from 1 to 1000000.');
  return n;
}

/**
 * Digest credentials (RFC 3261 §22) from `--user` and `--password`, which go together.
 * @throws InvalidArgumentError when only one of them is given.
 */
export function credentialsOf(o: Pick<ClientOptions, 'user' | 'password'>): { username: string; password: string } | undefined {
  if (o.user === undefined && o.password === undefined) return undefined;
  if (o.user === undefined || o.password === undefined) {
    throw new InvalidArgumentError('--user and --password go together: give both, or neither.');
  }
  return { username: o.user, password: o.password };
}

/**
 * Adds the shared options (--server, --transport, --user, --password, --json) and the usage-error
 * behaviour of the client tools: a bad option or argument prints the fix and exits with status 2.
 */
export function addClientOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--server <host[:port]>', 'the presence server').default(parseServer('127.0.0.1'), '127.0.0.1:5060').argParser(parseServer))
    .addOption(new Option('--transport <udp|tcp>', 'SIP transport toward the server').default('UDP', 'udp').argParser(parseTransport))
    .option('--user <name>', 'user name for Digest authentication (with --password)')
    .option('--password <secret>', 'password for Digest authentication (with --user)')
    .option('--json', 'print one JSON object per line instead of text')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride((err) => {
      // Help and version exit 0; every usage error (bad value, unknown option, missing argument) exits 2.
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
}

/** Options of {@link openClientStack}. */
export interface ClientStackOptions {
  server: ServerAddress;
  transport: ClientTransport;
  /** Request handlers of the UAS core, e.g. a SubscriberRegistry's NOTIFY handler. */
  handlers?: readonly MethodHandler[];
}

/** A running client user agent; {@link close} it once done. */
export interface ClientStack {
  readonly transactions: TransactionLayer;
  readonly core: UserAgentCore;
  /** Where every request goes: the server's resolved address, port and transport. */
  readonly target: SendTarget;
  /** Our advertised address and bound port, for the Via. */
  readonly sentBy: SentBy;
  /** A Contact URI for `user` at our address: `sip:<user>@<address>:<port>;transport=udp|tcp`. */
  contact(user: string): string;
  /** Closes the transactions, the listener and any connection. Safe to call more than once. */
  close(): Promise<void>;
}

/** True for 127.0.0.0/8 and ::1. */
function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

/** The local address the system would send from toward `address` (a connected UDP socket sends nothing). */
async function localAddressToward(address: string, port: number): Promise<string> {
  const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, address, () => resolve());
    });
    return socket.address().address;
  } finally {
    socket.close();
  }
}

/**
 * Builds and starts the client user agent (STYLE habit 11 in reverse: the same layers the server runs):
 * resolves the server, binds one listener on an ephemeral port of the chosen transport — on 127.0.0.1
 * (or ::1) when the server is on loopback, else on all interfaces, advertising the address that routes
 * toward the server — and wires a transaction layer and a UAS core with `handlers`.
 * @throws Error when the server's host name does not resolve; TransportError when binding fails.
 */
export async function openClientStack(opts: ClientStackOptions): Promise<ClientStack> {
  const { server, transport: name } = opts;
  let address = server.host;
  if (isIP(address) === 0) {
    try {
      address = (await lookup(address)).address;
    } catch (e) {
      throw new Error(`cannot resolve ${server.host} (${(e as NodeJS.ErrnoException).code ?? String(e)}): check --server`, { cause: e });
    }
  }
  const v6 = isIP(address) === 6;
  const loopback = isLoopback(address);
  const bindHost = loopback ? address : v6 ? '::' : '0.0.0.0';
  const advertised = loopback ? address : await localAddressToward(address, server.port);

  const transport = new TransportLayer();
  const transactions = new TransactionLayer({ transport });
  const identity = new LocalIdentity();
  const core = new UserAgentCore({ transactions, identity });
  for (const h of opts.handlers ?? []) core.register(h);
  transport.onInbound = (inbound) => {
    if (inbound.kind === 'message') transactions.receive(inbound.message, inbound.flow);
    else core.handleMalformed(inbound);
  };
  let bound;
  try {
    bound = await transport.listen({ transport: name, host: bindHost, port: 0 });
  } catch (e) {
    transactions.close();
    await transport.close();
    throw e;
  }
  // RFC 3261 §8.2.2.1: requests to our Contact (NOTIFYs) must be recognised as addressed to us.
  identity.addListener(bound.address, bound.port, name);
  identity.addHost(advertised);
  const hostPart = v6 ? `[${advertised}]` : advertised;
  let closing: Promise<void> | undefined;
  return {
    transactions,
    core,
    target: { transport: name, address, port: server.port },
    sentBy: { host: advertised, port: bound.port },
    contact: (user) => `sip:${user}@${hostPart}:${bound.port};transport=${name.toLowerCase()}`,
    close() {
      closing ??= (async () => {
        transactions.close();
        await transport.close();
      })();
      return closing;
    },
  };
}
