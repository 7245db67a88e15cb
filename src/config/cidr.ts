// CIDR text as the config accepts it: plain dotted-quad IPv4 or IPv6 with a prefix length, no
// host bits set, normalised to the network address in canonical text (fd00:0::/8 → fd00::/8).
// One rule for policy.internal_networks, the enrich lists and the principals CSV file.
import ipaddr from 'ipaddr.js';
import { describeValue } from './describe.js';

export const CIDR_HINT = 'expected a network in CIDR notation such as 10.0.0.0/8 or fd00::/8';

/** The normalised network, or the sentence saying why `text` is not one. */
export function normaliseCidr(text: string): { cidr: string } | { error: string } {
  const written = text.trim();
  const [address = '', bits, ...rest] = written.split('/');
  // ipaddr.parse also takes hex, octal and short IPv4 forms (010.0.0.0 is 8.0.0.0): accept only the plain ones.
  const plain = address.includes(':')
    ? ipaddr.IPv6.isValid(address) && !address.includes('%')
    : ipaddr.IPv4.isValidFourPartDecimal(address);
  if (!plain || bits === undefined || rest.length > 0 || !/^\d+$/.test(bits) || !ipaddr.isValidCIDR(written)) {
    return { error: `${CIDR_HINT}, got ${describeValue(text)}` };
  }
  const [parsed, prefixLength] = ipaddr.parseCIDR(written);
  const network =
    parsed.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(written) : ipaddr.IPv6.networkAddressFromCIDR(written);
  const normalised = `${network.toString()}/${prefixLength}`;
  if (network.toString() !== parsed.toString()) {
    return { error: `${describeValue(text)} has host bits set: did you mean ${normalised}?` };
  }
  return { cidr: normalised };
}
