// Everything decided before the first flow: the population, the seed flows that introduce
// every normal (destination, data class) pair early, and the incidents. Built from its own
// random stream, so the truth is the same whether or not the flows are generated.
import type { FlowRecord } from '../engine/types.js';
import { normalFlow } from './flow-builder.js';
import { planIncidentSet } from './incidents.js';
import type { PlannedIncident, Silence } from './planned.js';
import { buildPopulation, type Destination, type Population } from './population.js';
import { Prng } from './prng.js';
import type { Ramp } from './ramp.js';
import { seasonalityOf, type SeasonalProfile } from './seasonality.js';
import { HOUR_MS, resolveGenerateOptions, type GenerateOptions, type Incident } from './types.js';

/** Every normal (destination, data class) pair has a flow ending within this long of the start. */
export const SEED_WINDOW_MS = 6 * HOUR_MS;
/** Random streams derived from the seed. */
export const PLAN_STREAM = 1;
export const TRAFFIC_STREAM = 2;

export interface TrafficPlan {
  options: GenerateOptions;
  population: Population;
  /** Chronological (by start_ms), ids assigned. */
  incidents: PlannedIncident[];
  seedFlowCount: number;
  /** Seed flows and incident flows, sorted by end_ms; flow_id still empty. */
  plannedFlows: FlowRecord[];
  /** SUSTAINED_INCREASE ramps by destination. */
  ramps: Map<Destination, Ramp>;
  /** GATEWAY_SILENT: gateways whose normal flows the stream leaves out for a while. */
  silences: Silence[];
  /** The daily and weekly rhythm of the scenario. */
  seasonality: SeasonalProfile;
}

export function planTraffic(partial: Partial<GenerateOptions> = {}): TrafficPlan {
  const options = resolveGenerateOptions(partial);
  const prng = Prng.fromSeed(options.seed, PLAN_STREAM);
  const population = buildPopulation(prng, options);
  const seedFlows = planSeedFlows(prng, population, options);
  const incidents = planIncidentSet(prng, population, options);
  const plannedFlows = [...seedFlows, ...incidents.flatMap((p) => p.flows)];
  plannedFlows.sort((a, b) => a.end_ms - b.end_ms); // stable: ties keep the order above
  const ramps = new Map<Destination, Ramp>();
  for (const p of incidents) if (p.ramp !== null && p.destination !== null) ramps.set(p.destination, p.ramp);
  const silences = incidents.flatMap((p) => (p.silence === undefined ? [] : [p.silence]));
  const seasonality = seasonalityOf(options.scenario);
  return { options, population, incidents, seedFlowCount: seedFlows.length, plannedFlows, ramps, silences, seasonality };
}

/** The ground truth: the injected incidents, chronological. */
export function planIncidents(partial: Partial<GenerateOptions> = {}): Incident[] {
  return planTraffic(partial).incidents.map((p) => ({ ...p.incident }));
}

/** One flow for each normal (destination, data class) pair, at a random time in the first hours. */
function planSeedFlows(prng: Prng, population: Population, options: GenerateOptions): FlowRecord[] {
  const window = Math.min(SEED_WINDOW_MS, options.duration_ms);
  const flows: FlowRecord[] = [];
  for (const destination of population.external) {
    for (const dataClass of destination.classes) {
      const endMs = options.start_ms + Math.floor(prng.uniform() * window);
      flows.push(normalFlow(prng, population, destination, endMs, dataClass));
    }
  }
  return flows;
}
