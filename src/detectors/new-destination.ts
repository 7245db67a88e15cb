// NEW_DESTINATION: a destination receives a data class for the first time after the
// learning period. State: the data classes the destination has received.
// A flow that already broke policy (residency, principal, bypass) raises that alert
// and not this one too: the more specific alert is what the analyst acts on.
import { formatBytes, formatDuration } from '../config/units.js';
import { ruleHit, type FlowDetector } from './detector.js';
import { describePrincipal, describeTarget } from './describe.js';

/** Data classes this destination has received (sorted on write for stable state text). */
export type KnownClasses = Set<string>;

export const newDestination: FlowDetector<'new_destination', KnownClasses> = {
  kind: 'flow',
  type: 'NEW_DESTINATION',
  key: 'new_destination',
  init: () => new Set(),
  toJSON: (known) => [...known].sort(),
  fromJSON: (json) => new Set(json as string[]),
  scoreOne(known, { flow, destination, firstEventMs, earlier }, settings) {
    const cls = flow.data_class;
    if (cls === null || known.has(cls) || earlier.length > 0) return null;
    if (flow.end_ms - firstEventMs < settings.learning_period) return null;
    return ruleHit(
      flow,
        `${describeTarget(flow, destination)} received ${cls} for the first time ` +
        `(${formatBytes(flow.bytes_out)} from ${describePrincipal(flow.principal)}); ` +
        `it was not seen receiving it in ${formatDuration(settings.learning_period)} of learning or since. ` +
        `Check that this destination is an approved processor for ${cls}.`,
    );
  },
  // A class is learnt even from a flow that broke policy: that flow already raised the
  // more specific alert, and a second one for the same pair would be noise.
  learnOne(known, { flow }) {
    const cls = flow.data_class;
    if (cls === null || known.has(cls)) return false;
    known.add(cls);
    return true;
  },
};
