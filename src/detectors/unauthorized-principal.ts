// UNAUTHORIZED_PRINCIPAL: a principal moved a data class its policy does not grant it.
import { ruleHit, STATELESS, type FlowDetector, type SettingsOf } from './detector.js';
import { describePrincipal, describeSender, describeSent, describeTarget, NOTHING_ALLOWED, policyRule } from './describe.js';

declare module './detector.js' {
  interface DetectorSettingsMap {
    unauthorized_principal: SettingsOf<{}>;
  }
}

export const unauthorizedPrincipal: FlowDetector<'unauthorized_principal', undefined> = {
  kind: 'flow',
  dataClassOnly: true,
  type: 'UNAUTHORIZED_PRINCIPAL',
  key: 'unauthorized_principal',
  settings: { severity: 'CRITICAL', fields: {} },
  explain: () => 'a principal sends a class it is not listed for',
  siem: { title: 'Restricted data moved by a principal its policy does not authorise', category: 'policy', analyticTypeId: 1, analyticType: 'Rule' },
  ...STATELESS,
  learnOne: () => false,
  scoreOne(_state, { flow, destination, policy }) {
    if (!policy || policy.principalAllowed(flow.principal)) return null;
    const allowed = policy.entry.principals.join(', ') || 'nobody';
    const checkNext =
      flow.principal === null
        ? `Find who sends from ${flow.src_ip} without authenticating, and make the gateway require a principal for ${policy.name}.`
        : `Ask ${flow.principal}'s owner whether access to ${policy.name} was granted, and revoke the credential if not.`;
    return ruleHit(
      flow,
      `Principal rule ${policyRule(policy.name, 'principals')} (${allowed}) does not cover ${describePrincipal(flow.principal)}: ` +
        `${describeSender(flow)} sent ${describeSent(flow)} to ${describeTarget(flow, destination)} ${NOTHING_ALLOWED}. ` +
        checkNext,
    );
  },
};
