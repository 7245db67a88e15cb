// A summary of what `generate` will produce, for the CLI: computed from the plan and the
// same rate functions the stream uses, without generating the flows.
import { ALERT_TYPES, type AlertType } from '../engine/types.js';
import { planTraffic } from './plan.js';
import { isBusy } from './population.js';
import { rampFactor } from './ramp.js';
import { SLICE_MS, internalExpected, sliceRates } from './traffic.js';
import type { GenerateOptions } from './types.js';

export interface TrafficSummary {
  options: GenerateOptions;
  start_ms: number;
  end_ms: number;
  /** External destinations of normal traffic. */
  destinations: number;
  internal_destinations: number;
  /** Destinations averaging >= 3 flows/min (eligible for volume incidents). */
  busy_destinations: number;
  /** Destinations that appear only in incidents. */
  incident_only_destinations: number;
  /** Normal (destination, data class) pairs, each introduced by one seed flow. */
  seed_flows: number;
  incidents: Record<AlertType, number>;
  /** Flows added by VOLUME_SPIKE and policy incidents (exact). */
  incident_flows: number;
  /** Expected flow counts (the stream is random around these). */
  expected_external_flows: number;
  expected_internal_flows: number;
  /** Extra flows expected from rate ramps (bytes ramps add bytes, not flows). */
  expected_ramp_flows: number;
  /** All of the above: seed + incident + external + internal + ramp. */
  expected_records: number;
}

export function describeTraffic(partial: Partial<GenerateOptions> = {}): TrafficSummary {
  const plan = planTraffic(partial);
  const { options, population } = plan;
  const external = population.external;
  const ramps = external.map((d) => plan.ramps.get(d));
  const endMs = options.start_ms + options.duration_ms;
  const base = new Float64Array(external.length);
  let externalFlows = 0;
  let internalFlows = 0;
  let rampFlows = 0;
  for (let sliceStart = options.start_ms; sliceStart < endMs; sliceStart += SLICE_MS) {
    const length = Math.min(SLICE_MS, endMs - sliceStart);
    const { baseTotal } = sliceRates(external, sliceStart, length, base, plan.seasonality);
    externalFlows += baseTotal;
    if (population.internal.length > 0) internalFlows += internalExpected(baseTotal);
    ramps.forEach((ramp, i) => {
      if (ramp !== undefined && ramp.scales !== 'bytes') rampFlows += base[i] * (rampFactor(ramp, sliceStart + length / 2) - 1);
    });
  }
  const incidents = Object.fromEntries(ALERT_TYPES.map((t) => [t, 0])) as Record<AlertType, number>;
  for (const p of plan.incidents) incidents[p.incident.type]++;
  const incidentFlows = plan.plannedFlows.length - plan.seedFlowCount;
  return {
    options,
    start_ms: options.start_ms,
    end_ms: endMs,
    destinations: external.length,
    internal_destinations: population.internal.length,
    busy_destinations: external.filter(isBusy).length,
    incident_only_destinations: population.incidentOnly.length,
    seed_flows: plan.seedFlowCount,
    incidents,
    incident_flows: incidentFlows,
    expected_external_flows: Math.round(externalFlows),
    expected_internal_flows: Math.round(internalFlows),
    expected_ramp_flows: Math.round(rampFlows),
    expected_records: Math.round(plan.plannedFlows.length + externalFlows + internalFlows + rampFlows),
  };
}
