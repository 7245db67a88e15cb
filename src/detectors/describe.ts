// Shared wording for reasons, so every alert names the flow the same way.
import type { FlowRecord } from '../engine/types.js';

export function describeTarget(flow: FlowRecord, destination: string): string {
  const country = flow.dst_country ?? 'unknown country';
  const ip = destination === flow.dst_ip ? '' : ` [${flow.dst_ip}]`;
  return `${destination}${ip} (${country})`;
}

export function describePrincipal(principal: string | null): string {
  return principal === null ? 'an unauthenticated principal' : principal;
}

export function describeGateway(gateway: string | null): string {
  return gateway === null ? 'no gateway' : `gateway ${gateway}`;
}
