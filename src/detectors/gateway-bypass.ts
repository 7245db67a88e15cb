// GATEWAY_BYPASS: restricted data seen leaving outside any security gateway.
import { formatBytes } from '../config/units.js';
import { ruleHit, STATELESS, type FlowDetector } from './detector.js';
import { describePrincipal, describeTarget } from './describe.js';

export const gatewayBypass: FlowDetector<'gateway_bypass', undefined> = {
  kind: 'flow',
  type: 'GATEWAY_BYPASS',
  key: 'gateway_bypass',
  ...STATELESS,
  learnOne: () => false,
  scoreOne(_state, { flow, destination, policy }) {
    if (!policy || !policy.entry.require_gateway || flow.gateway_id !== null) return null;
    return ruleHit(
      flow,
        `${policy.name} sent to ${describeTarget(flow, destination)} by ${describePrincipal(flow.principal)} ` +
        `(${formatBytes(flow.bytes_out)}) without passing a security gateway; policy requires one. ` +
        `Find the route from ${flow.src_ip} that avoids the gateways and close it.`,
    );
  },
};
