// Which destination a flow belongs to (baseline.key) and whether it is egress at all
// (internal_networks). Both are cached per address: parsing an IP per record would
// dominate the hot path, and gateways see the same addresses over and over.
import ipaddr from 'ipaddr.js';
import type { BaselineKey } from '../model/contract.js';
import type { FlowRecord } from './types.js';
import { prefixOf } from '../model/destination-prefix.js';

export { prefixOf };

const CACHE_LIMIT = 200_000;

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear(); // bounded memory whatever the input
  cache.set(key, value);
  return value;
}

/**
 * A copy of `key` that holds nothing else alive: a string cut from a longer one (split or
 * slice, as the TSV and VPC dialects and the changelog keys do; 13 characters or more) is a
 * view that keeps the whole input line it came from, and one built by concatenation keeps its
 * parts. A destination's key lives as long as its state, so it is stored as this copy.
 */
export function ownCopy(key: string): string {
  return JSON.parse(JSON.stringify(key)) as string;
}

export class DestinationKeyer {
  private readonly prefixes = new Map<string, string>();
  constructor(private readonly mode: BaselineKey) {}

  keyOf(flow: FlowRecord): string {
    switch (this.mode) {
      case 'dst_host':
        return flow.dst_host ?? flow.dst_ip;
      case 'dst_ip':
        return flow.dst_ip;
      case 'dst_prefix':
        return this.prefixes.get(flow.dst_ip) ?? remember(this.prefixes, flow.dst_ip, prefixOf(flow.dst_ip));
    }
  }
}

export class InternalNetworks {
  private readonly ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
  private readonly cache = new Map<string, boolean>();

  constructor(cidrs: readonly string[]) {
    this.ranges = cidrs.map((c) => ipaddr.parseCIDR(c));
  }

  contains(ip: string): boolean {
    if (this.ranges.length === 0) return false;
    const hit = this.cache.get(ip);
    if (hit !== undefined) return hit;
    let inside = false;
    try {
      const addr = ipaddr.process(ip); // IPv4-mapped IPv6 compares as IPv4
      inside = this.ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
    } catch {
      inside = false; // validated upstream; an unparsable address is not internal
    }
    return remember(this.cache, ip, inside);
  }
}
