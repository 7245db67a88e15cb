// A detector written as a newcomer would add one: this file plus one registerDetector line (the
// registry's list in src/detectors/registry.ts for a real one). It alerts on any single flow of
// at least `min_bytes`, so a test can tell exactly which flows it fires on.
import { size } from '../../src/values/fields.js';
import { exactBytes } from '../../src/values/units.js';
import { ruleHit, STATELESS, type Detector } from '../../src/detectors/detector.js';
import type { AlertType } from '../../src/model/contract.js';

export const toyLargeFlow = {
  kind: 'flow',
  dataClassOnly: false,
  // Not a type of the alert contract: a real detector adds its type to schemas/alert.avsc too.
  type: 'TOY_LARGE_FLOW' as AlertType,
  key: 'toy_large_flow',
  settings: { severity: 'LOW', fields: { min_bytes: size().prefault('10MB') } },
  explain: (s: { min_bytes: number }) => `a single flow carries at least ${exactBytes(s.min_bytes)}`,
  siem: { title: 'One large flow', category: 'volume baseline', analyticTypeId: 1, analyticType: 'Rule' },
  ...STATELESS,
  learnOne: () => false,
  scoreOne: (_state: undefined, { flow, destination }: { flow: { bytes_out: number; flow_id: string }; destination: string }, s: { min_bytes: number }) =>
    flow.bytes_out >= s.min_bytes ? ruleHit(flow as never, `flow ${flow.flow_id} to ${destination} carried ${flow.bytes_out} bytes`) : null,
} as unknown as Detector;
