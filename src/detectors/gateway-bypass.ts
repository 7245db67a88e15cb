// GATEWAY_BYPASS: restricted data seen leaving outside any security gateway.
import { ruleHit, STATELESS, type FlowDetector, type SettingsOf } from './detector.js';
import { describeSender, describeSent, describeTarget, NOTHING_ALLOWED, policyRule } from './describe.js';

declare module './detector.js' {
  interface DetectorSettingsMap {
    gateway_bypass: SettingsOf<{}>;
  }
}

export const gatewayBypass: FlowDetector<'gateway_bypass', undefined> = {
  kind: 'flow',
  dataClassOnly: true,
  type: 'GATEWAY_BYPASS',
  key: 'gateway_bypass',
  settings: { severity: 'HIGH', fields: {} },
  explain: () => 'restricted data is seen outside any gateway (for classes that must pass one)',
  siem: { title: 'Restricted data sent without passing a security gateway', category: 'policy', analyticTypeId: 1, analyticType: 'Rule' },
  ...STATELESS,
  learnOne: () => false,
  scoreOne(_state, { flow, destination, policy }) {
    if (!policy || !policy.entry.require_gateway || flow.gateway_id !== null) return null;
    return ruleHit(
      flow,
      `Gateway rule ${policyRule(policy.name, 'require_gateway')} is true: ${describeSender(flow)} sent ${describeSent(flow)} ` +
        `from ${flow.src_ip} to ${describeTarget(flow, destination)} through no gateway, ${NOTHING_ALLOWED}. ` +
        `Find the route from ${flow.src_ip} that avoids the gateways and close it.`,
    );
  },
};
