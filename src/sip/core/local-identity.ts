import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Uri } from '../message/types.js';

/**
 * Who this server is: the domains it serves and the transport addresses it listens on. The UAS core uses
 * it to decide whether a Request-URI addresses us (RFC 3261 §8.2.2.1) and whether a Via is our own
 * (loop detection).
 */
export class LocalIdentity {
  private readonly domains = new Set<string>();
  private readonly hosts = new Set<string>();
  private readonly sentBy = new Set<string>();

  /** Adds a served domain, e.g. `example.com` (case-insensitive). */
  addDomain(domain: string): void {
    this.domains.add(domain.toLowerCase());
  }

  /** Adds a name or address that reaches this server but is not a served domain (e.g. `localhost`). */
  addHost(host: string): void {
    this.hosts.add(normaliseHost(host));
  }

  /**
   * Adds a listening point. A wildcard host (0.0.0.0, ::) stands for every address of the machine's
   * interfaces.
   */
  addListener(host: string, port: number, transport: string): void {
    const hosts = host === '0.0.0.0' || host === '::' ? interfaceAddresses(host === '::') : [host];
    for (const h of hosts) {
      const key = normaliseHost(h);
      this.hosts.add(key);
      this.sentBy.add(`${transport.toUpperCase()} ${key}:${port}`);
    }
  }

  /** The served domains, lower-cased, in insertion order. */
  get servedDomains(): string[] {
    return [...this.domains];
  }

  /** True when a host (name or address, IPv6 with or without brackets) is one of ours. */
  isLocalHost(host: string): boolean {
    const key = normaliseHost(host);
    return this.domains.has(key) || this.hosts.has(key);
  }

  /**
   * True when `uri` addresses this server: a sip/sips/pres/im URI whose host is one of our domains or
   * addresses, or any tel URI (telephone numbers are resolved by the services behind the core).
   */
  isLocal(uri: Uri): boolean {
    if (uri.scheme === 'tel') return true;
    if (uri.scheme === 'sip' || uri.scheme === 'sips') return this.isLocalHost((uri as { host: string }).host);
    if ('text' in uri) {
      // pres:user@domain (RFC 3859), im:user@domain (RFC 3860)
      const at = uri.text.lastIndexOf('@');
      return at >= 0 && this.isLocalHost(uri.text.slice(at + 1).split(/[;?]/)[0]!);
    }
    return false;
  }

  /** True when (host, port, transport) of a Via sent-by is one of our listening points. */
  isOwnSentBy(host: string, port: number | undefined, transport: string): boolean {
    const t = transport.toUpperCase();
    const p = port ?? (t === 'TLS' || t === 'WSS' ? 5061 : 5060);
    return this.sentBy.has(`${t} ${normaliseHost(host)}:${p}`);
  }
}

function normaliseHost(host: string): string {
  const h = host.toLowerCase();
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

function interfaceAddresses(v6: boolean): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (v6 || isIP(a.address) === 4) out.push(a.address);
  }
  return out;
}
