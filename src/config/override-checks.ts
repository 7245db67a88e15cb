// Overrides that can never apply. zod checks each override on its own; these checks need the
// whole config (the declared data classes, the baseline key, the internal networks), so a typo
// in a match fails at start instead of silently changing nothing.
import ipaddr from 'ipaddr.js';
import picomatch from 'picomatch';
import { gatewayDetectors, windowDetectors } from '../detectors/registry.js';
import { GATEWAY_DESTINATION_PREFIX } from '../model/contract.js';
import { prefixOf } from '../model/destination-prefix.js';
import { isIp } from '../values/ip.js';
import { otherIpv6Spelling } from '../values/ipv6-text.js';
import { describeValue } from './describe.js';
import type { PathIssue } from './issues.js';
import type { BaselineKey, Config } from './types.js';

/** A gateway detector's overrides match destination "gateway:<id>", never a data class. */
export const GATEWAY_KEY_PREFIX = GATEWAY_DESTINATION_PREFIX;

type CheckedConfig = Pick<Config, 'baseline' | 'policy' | 'detectors'>;

export function checkOverrides(config: CheckedConfig): PathIssue[] {
  const issues: PathIssue[] = [];
  config.detectors.overrides.forEach((override, index) => {
    const at = ['detectors', 'overrides', index];
    const { destination, data_class: dataClass } = override.match;
    if (dataClass !== undefined) {
      if (!Object.hasOwn(config.policy.data_classes, dataClass)) {
        issues.push({ path: [...at, 'match', 'data_class'], message: unknownDataClass(dataClass, config) });
      }
      // Window detectors judge a destination's whole window: the engine resolves them without a data class.
      for (const { key } of windowDetectors()) {
        if ((override.settings as Record<string, unknown>)[key] === undefined) continue;
        issues.push({
          path: [...at, key],
          message:
            `never applies: ${key} judges a destination's whole window, not one data class, so an override ` +
            'with match.data_class cannot change it (match by destination only)',
        });
      }
    }
    for (const { key } of dataClass === undefined ? [] : gatewayDetectors()) {
      if ((override.settings as Record<string, unknown>)[key] === undefined) continue;
      issues.push({
        path: [...at, key],
        message:
          `never applies: ${key} judges a gateway, not one data class, so an override with match.data_class ` +
          `cannot change it (match the gateway by destination "${GATEWAY_KEY_PREFIX}<id>")`,
      });
    }
    // "gateway:<id>" names a gateway (gateway_silent), not a baseline key: no baseline-key rule applies to it.
    if (destination !== undefined && !destination.toLowerCase().startsWith(GATEWAY_KEY_PREFIX)) {
      const problem = destinationProblem(destination, config.baseline.key, config.policy.internal_networks);
      if (problem !== undefined) issues.push({ path: [...at, 'match', 'destination'], message: problem });
    }
  });
  return issues;
}

function unknownDataClass(name: string, config: CheckedConfig): string {
  const declared = Object.keys(config.policy.data_classes).sort();
  const listed = declared.length === 0 ? 'none' : declared.join(', ');
  return (
    `unknown data class ${describeValue(name)} (policy.data_classes declares: ${listed}); ` +
    'an override only matches a declared class'
  );
}

/** Why a destination glob can never match a baseline key, or undefined when it can. */
function destinationProblem(glob: string, key: BaselineKey, internalNetworks: readonly string[]): string | undefined {
  const scan = picomatch.scan(glob);
  // A negated glob matches almost everything; nothing to prove about it.
  if (scan.negated) return undefined;
  if (!scan.isGlob) return literalProblem(glob, key, internalNetworks);
  // With dst_prefix every key holds a "/" (203.0.113.0/24), and "*", "?" and [...] do not match
  // "/" (picomatch); only a "/", a "**" segment, a brace list or a POSIX class could.
  const couldMatchSlash = glob.includes('/') || glob.includes('**') || glob.includes('{') || glob.includes('[[:');
  if (key === 'dst_prefix' && !couldMatchSlash) {
    return (
      `never matches: with baseline.key dst_prefix every destination is a network such as 203.0.113.0/24, ` +
      `and the "*" or "?" in ${describeValue(glob)} does not match its "/" (write the network, or e.g. "203.0.*/24")`
    );
  }
  return undefined;
}

function literalProblem(text: string, key: BaselineKey, internalNetworks: readonly string[]): string | undefined {
  const canonical = otherIpv6Spelling(text);
  if (key === 'dst_prefix') {
    const [address = '', bits, ...rest] = text.split('/');
    const expected = rest.length === 0 && isIp(address) ? prefixOf(address) : undefined;
    if (expected !== text.toLowerCase()) {
      // The key of that address is a fair guess only when no other network size was written.
      const sameSize = bits === undefined || expected?.endsWith(`/${bits}`);
      const hint = expected !== undefined && sameSize ? ` (did you mean ${expected}?)` : '';
      return (
        'never matches: with baseline.key dst_prefix a destination is a /24 (IPv4) or /64 (IPv6) network ' +
        `such as 203.0.113.0/24 or 2001:db8:1:2::/64, got ${describeValue(text)}${hint}`
      );
    }
  } else if (key === 'dst_ip' && !isIp(text)) {
    return `never matches: with baseline.key dst_ip a destination is an IP address, got ${describeValue(text)}`;
  } else if (canonical !== null) {
    return ipv6SpellingProblem(text, canonical);
  } else if (key === 'dst_host' && text.includes('/')) {
    return (
      `never matches: with baseline.key dst_host a destination is a host name or an IP address, got ` +
      `${describeValue(text)} (networks are destinations only with baseline.key dst_prefix)`
    );
  }
  const internal = internalNetworkOf(text, internalNetworks);
  if (internal !== undefined) {
    return (
      `never matches: ${describeValue(text)} lies inside the internal network ${internal} (policy.internal_networks), ` +
      'whose flows are not egress and are never checked'
    );
  }
  return undefined;
}

/** An IPv6 destination not in RFC 5952 form: the dialects key every IPv6 address in that form. */
function ipv6SpellingProblem(text: string, canonical: string): string {
  return (
    `never matches: egress-watch reads every IPv6 destination in RFC 5952 form (lower case, no leading zeros, ` +
    `the longest run of zero groups as ::), got ${describeValue(text)} (did you mean ${canonical}?)`
  );
}

/** The internal network holding every flow of this IP or /24 /64 key, if any. */
function internalNetworkOf(text: string, internalNetworks: readonly string[]): string | undefined {
  const [address = '', bitsText] = text.split('/');
  if (!isIp(address)) return undefined;
  const addr = ipaddr.process(address);
  const bits = bitsText === undefined ? (addr.kind() === 'ipv4' ? 32 : 128) : Number(bitsText);
  return internalNetworks.find((cidr) => {
    const [net, netBits] = ipaddr.parseCIDR(cidr);
    return net.kind() === addr.kind() && netBits <= bits && addr.match(net, netBits);
  });
}
