// What kind of baseline key an alert's destination is (baseline.key: a host name, an IP
// address, or a /24 or /64 prefix), so each format files it under its typed field: a SIEM
// pivots on a host name or an IP, not on an untyped text.
import ipaddr from 'ipaddr.js';

export type DestinationKind = 'ip' | 'prefix' | 'host' | 'gateway';

/** GATEWAY_SILENT alerts are about a gateway, not a destination: `gateway:<id>`. */
const GATEWAY_PREFIX = 'gateway:';

export function destinationKind(destination: string): DestinationKind {
  if (destination.startsWith(GATEWAY_PREFIX)) return 'gateway';
  if (isPlainIp(destination)) return 'ip';
  const slash = destination.indexOf('/');
  if (slash > 0 && isPlainIp(destination.slice(0, slash)) && ipaddr.isValidCIDR(destination)) return 'prefix';
  return 'host';
}

const DOTTED_QUAD = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * ipaddr.js also takes hex, octal and short IPv4 forms ("1" is 0.0.0.1): only the usual
 * text counts. The pattern first: ipaddr.js is slow to refuse a host name.
 */
function isPlainIp(text: string): boolean {
  if (text.includes(':')) return ipaddr.IPv6.isValid(text) && !text.includes('%');
  return DOTTED_QUAD.test(text) && ipaddr.IPv4.isValidFourPartDecimal(text);
}
