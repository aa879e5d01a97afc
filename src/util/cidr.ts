import { BlockList, isIP } from 'node:net';

/** A network in CIDR notation, read (RFC 4632 §3.1 for IPv4, RFC 4291 §2.3 for IPv6). */
export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * Reads `address/prefix` (e.g. `10.0.0.0/8`, `2001:db8::/32`) or a bare address (a /32 or /128), or
 * returns undefined when the text is neither.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { address, prefix: Number(prefixText), family: version === 4 ? 'ipv4' : 'ipv6' };
}

/**
 * A set of networks, asked whether an address lies in one of them. An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, as a dual-stack socket reports an IPv4 peer) matches the IPv4 networks; a text that
 * is not an IP address (a host name) matches nothing.
 */
export class AddressSet {
  private readonly list = new BlockList();
  /** How many networks the set holds. */
  readonly size: number;

  /** @throws Error naming the first text that is not a CIDR network or address. */
  constructor(networks: readonly string[]) {
    for (const text of networks) {
      const cidr = parseCidr(text);
      if (!cidr) throw new Error(`${JSON.stringify(text)} is not an IP address or CIDR network`);
      this.list.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
    this.size = networks.length;
  }

  /** True when `address` (IPv6 without brackets) is in one of the networks. */
  has(address: string): boolean {
    const version = isIP(address);
    if (version === 0 || this.size === 0) return false;
    return this.list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }
}
