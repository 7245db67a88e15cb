// IP text → a number to compare ranges with: IPv4 as a plain number (0 .. 2^32-1), IPv6 as a
// bigint (0 .. 2^128-1). IPv4 is read by values/ip.ts's character loop because it is on the
// per-flow path; anything else goes through ipaddr.js. An IPv4-mapped IPv6 address
// (::ffff:192.0.2.1) counts as IPv4.
import ipaddr from 'ipaddr.js';
import { ipv4Number } from '../../values/ip.js';

export type IpNumber = { v4: number } | { v6: bigint };

/** The address as a number, or null when `text` is not an IP address. */
export function ipNumber(text: string): IpNumber | null {
  const v4 = parseDottedQuad(text);
  if (v4 !== null) return { v4 };
  if (!text.includes(':') || !ipaddr.IPv6.isValid(text)) return null;
  const parsed = ipaddr.IPv6.parse(text);
  if (parsed.isIPv4MappedAddress()) return { v4: parseDottedQuad(parsed.toIPv4Address().toString()) as number };
  let value = 0n;
  for (const part of parsed.parts) value = (value << 16n) | BigInt(part);
  return { v6: value };
}

/**
 * ipNumber with a bounded memo: a flow stream repeats its sources and destinations, and an IPv6
 * parse costs several times a lookup. Cleared when full, so memory stays bounded.
 */
export class IpNumbers {
  private readonly memo = new Map<string, IpNumber | null>();
  constructor(private readonly limit = 65_536) {}

  of(text: string): IpNumber | null {
    let number = this.memo.get(text);
    if (number === undefined) {
      number = ipNumber(text);
      if (this.memo.size >= this.limit) this.memo.clear();
      this.memo.set(text, number);
    }
    return number;
  }
}

/** First and last address of a normalised CIDR (as the config schema writes it). */
export function cidrRange(cidr: string): { first: IpNumber; last: IpNumber } {
  const [address, bits] = cidr.split('/');
  const prefix = Number(bits);
  const start = ipNumber(address);
  if (start === null) throw new TypeError(`not a CIDR: ${cidr}`);
  if ('v4' in start) {
    const size = 2 ** (32 - prefix);
    return { first: start, last: { v4: start.v4 + size - 1 } };
  }
  const size = 1n << BigInt(128 - prefix);
  return { first: start, last: { v6: start.v6 + size - 1n } };
}

/** Strict dotted-quad IPv4 (no leading zeros: the same rule as the config's CIDRs) as its number, or null. */
function parseDottedQuad(text: string): number | null {
  const n = ipv4Number(text);
  return n === -1 ? null : n;
}
