// RESIDENCY_VIOLATION: a flow of a data class to a country its policy does not allow.
// Per flow and immediate: no warm-up, the first violating flow alerts.
import { countryAllowed } from '../model/policy.js';
import { ruleHit, STATELESS, type FlowDetector, type SettingsOf } from './detector.js';
import { describeSender, describeSent, describeTarget, NOTHING_ALLOWED, policyRule } from './describe.js';

declare module './detector.js' {
  interface DetectorSettingsMap {
    residency_violation: SettingsOf<{}>;
  }
}

export const residencyViolation: FlowDetector<'residency_violation', undefined> = {
  kind: 'flow',
  dataClassOnly: true,
  type: 'RESIDENCY_VIOLATION',
  key: 'residency_violation',
  settings: { severity: 'CRITICAL', fields: {} },
  explain: () => 'restricted data goes to a country its class does not allow',
  siem: { title: 'Restricted data sent to a country its policy does not allow', category: 'policy', analyticTypeId: 1, analyticType: 'Rule' },
  ...STATELESS,
  learnOne: () => false,
  scoreOne(_state, { flow, destination, policy }) {
    if (!policy || countryAllowed(policy, flow.dst_country)) return null;
    const allowed = policy.entry.allowed_as_written.join(', ') || 'nowhere';
    const country = flow.dst_country ?? 'an unknown country';
    const sender = flow.principal === null ? `the unauthenticated job on ${flow.src_ip}` : `${flow.principal}'s job`;
    const checkNext =
      flow.dst_country === null
        ? `Find out where ${destination} is (the gateway resolved no country) and whether ${sender} may send there`
        : `Check whether ${sender} was changed to send to ${flow.dst_country}`;
    return ruleHit(
      flow,
      `Residency rule ${policyRule(policy.name, 'allowed_countries')} (${allowed}) forbids ${country}: ` +
        `${describeSender(flow)} sent ${describeSent(flow)} to ${describeTarget(flow, destination)} ${NOTHING_ALLOWED}. ` +
        `${checkNext}, and block ${destination} at the gateway if the transfer was not approved.`,
    );
  },
};
