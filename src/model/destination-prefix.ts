// The destination key of baseline.key dst_prefix: the network an address belongs to. Part of
// the contract (alerts name such keys, overrides and suppressions match them), so the engine
// and the config's override checks both read it from here.
import ipaddr from 'ipaddr.js';

/** /24 for IPv4, /64 for IPv6, as CIDR text. */
export function prefixOf(ip: string): string {
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') {
    const o = (addr as ipaddr.IPv4).octets;
    return `${o[0]}.${o[1]}.${o[2]}.0/24`;
  }
  const p = (addr as ipaddr.IPv6).parts;
  const net = ipaddr.IPv6.parse(`${p[0].toString(16)}:${p[1].toString(16)}:${p[2].toString(16)}:${p[3].toString(16)}::`);
  return `${net.toString()}/64`;
}
