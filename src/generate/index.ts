// Public face of the synthetic traffic generator.
export { generateFlows, generateTraffic, streamPlan, SLICE_MS } from './traffic.js';
export { planTraffic, planIncidents, SEED_WINDOW_MS, type TrafficPlan } from './plan.js';
export { describeTraffic, type TrafficSummary } from './describe.js';
export {
  defaultGenerateOptions,
  resolveGenerateOptions,
  GenerateOptionsError,
  SCENARIOS,
  INCIDENT_SHAPES,
  LASTING_CHANGE_ALERTS,
  type GenerateOptions,
  type Incident,
  type IncidentShape,
  type ScenarioName,
} from './types.js';
export type { PlannedIncident, Silence, VolumeDetail } from './planned.js';
export { INTERNAL_SHARE, BUSY_FLOWS_PER_MINUTE, type Destination } from './population.js';
export { Prng, WeightedChoice } from './prng.js';
