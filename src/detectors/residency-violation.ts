// RESIDENCY_VIOLATION: a flow of a data class to a country its policy does not allow.
// Per flow and immediate: no warm-up, the first violating flow alerts.
import { formatBytes } from '../config/units.js';
import { countryAllowed } from '../engine/policy.js';
import { ruleHit, STATELESS, type FlowDetector } from './detector.js';
import { describePrincipal, describeTarget } from './describe.js';

export const residencyViolation: FlowDetector<'residency_violation', undefined> = {
  kind: 'flow',
  type: 'RESIDENCY_VIOLATION',
  key: 'residency_violation',
  ...STATELESS,
  learnOne: () => false,
  scoreOne(_state, { flow, destination, policy }) {
    if (!policy || countryAllowed(policy, flow.dst_country)) return null;
    const allowed = policy.entry.allowed_as_written.join(', ') || 'nowhere';
    return ruleHit(
      flow,
        `${policy.name} sent to ${describeTarget(flow, destination)} by ${describePrincipal(flow.principal)} ` +
        `(${formatBytes(flow.bytes_out)}); allowed: ${allowed}. ` +
        `Check whether this transfer was approved and block the destination at the gateway if not.`,
    );
  },
};
