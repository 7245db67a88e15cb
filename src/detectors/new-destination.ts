// NEW_DESTINATION: a destination receives a data class for the first time after the
// learning period. State: the data classes the destination has received, kept when the
// destination goes idle (baseline.idle_ttl keeps it dormant: idle-expiry.ts).
// A flow that already broke policy (residency, principal, bypass) raises that alert
// and not this one too: the more specific alert is what the analyst acts on.
import { formatDuration } from '../values/units.js';
import { duration } from '../values/fields.js';
import { ruleHit, type FlowDetector, type SettingsOf } from './detector.js';
import { describeSender, describeSent, describeTarget } from './describe.js';

/**
 * Data classes this destination has received, sorted (stable state text). The list is
 * replaced by an exact-size copy when a class is learnt, not grown in place: every
 * destination holds one, and a Set (or an array pushed to) costs about 150 bytes even
 * for one class (the 2 KB per destination budget, docs/benchmarks.md).
 */
export interface KnownClasses {
  classes: readonly string[];
}

const NONE: readonly string[] = Object.freeze([]);

const fields = { learning_period: duration('zero').prefault('1d') };
export type NewDestinationSettings = SettingsOf<typeof fields>;
declare module './detector.js' {
  interface DetectorSettingsMap {
    new_destination: NewDestinationSettings;
  }
}

export const newDestination: FlowDetector<'new_destination', KnownClasses> = {
  kind: 'flow',
  dataClassOnly: true,
  type: 'NEW_DESTINATION',
  key: 'new_destination',
  settings: { severity: 'MEDIUM', fields },
  explain: (s) => `a destination receives a data class for the first time, after a learning period of ${formatDuration(s.learning_period)}`,
  siem: { title: 'Destination received a data class for the first time', category: 'first-seen', analyticTypeId: 2, analyticType: 'Behavioral' },
  init: () => ({ classes: NONE }),
  toJSON: (known) => known.classes.slice(),
  // Written sorted, without repeats; read as written (a copy: JSON's arrays are not kept).
  fromJSON: (json) => ({ classes: (json as string[]).length === 0 ? NONE : (json as string[]).slice().sort() }),
  // The classes outlive baseline.idle_ttl: a destination used monthly received them all the same.
  keepWhenIdle: (known) => known.classes.length > 0,
  scoreOne(known, { flow, destination, firstEventMs, earlier }, settings) {
    const cls = flow.data_class;
    if (cls === null || known.classes.includes(cls) || earlier.length > 0) return null;
    if (flow.end_ms - firstEventMs < settings.learning_period) return null;
    const learning = formatDuration(settings.learning_period);
    const who = flow.principal === null ? `find who on ${flow.src_ip} started sending there` : `ask ${flow.principal}'s owner why it started sending there`;
    return ruleHit(
      flow,
      `First-seen rule detectors.new_destination (learning period ${learning}): ${describeTarget(flow, destination)} received ` +
        `${describeSent(flow)} from ${describeSender(flow)} for the first time, against 0 B of it in ${learning} of learning or since ` +
        `(threshold: the first flow after learning). Check that ${destination} is an approved processor for ${cls}, and ${who}.`,
    );
  },
  // A class is learnt even from a flow that broke policy: that flow already raised the
  // more specific alert, and a second one for the same pair would be noise.
  learnOne(known, { flow, policy }) {
    const cls = flow.data_class;
    if (cls === null || known.classes.includes(cls)) return false;
    // The policy's own string for a declared class: one copy, not one per destination.
    known.classes = known.classes.concat(policy?.name ?? cls).sort();
    return true;
  },
};
