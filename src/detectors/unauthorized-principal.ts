// UNAUTHORIZED_PRINCIPAL: a principal moved a data class its policy does not grant it.
import { formatBytes } from '../config/units.js';
import { ruleHit, STATELESS, type FlowDetector } from './detector.js';
import { describePrincipal, describeTarget } from './describe.js';

export const unauthorizedPrincipal: FlowDetector<'unauthorized_principal', undefined> = {
  kind: 'flow',
  type: 'UNAUTHORIZED_PRINCIPAL',
  key: 'unauthorized_principal',
  ...STATELESS,
  learnOne: () => false,
  scoreOne(_state, { flow, destination, policy }) {
    if (!policy || policy.principalAllowed(flow.principal)) return null;
    const allowed = policy.entry.principals.join(', ') || 'nobody';
    return ruleHit(
      flow,
        `${describePrincipal(flow.principal)} sent ${policy.name} to ${describeTarget(flow, destination)} ` +
        `(${formatBytes(flow.bytes_out)}) but only ${allowed} may move it. ` +
        `Confirm with the principal's owner whether the access was granted, and revoke the credential if not.`,
    );
  },
};
