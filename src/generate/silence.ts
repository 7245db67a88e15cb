// GATEWAY_SILENT incidents: one gateway stops sending for SILENCE_MS while the others go on.
// Planned after every other incident, from a random stream of their own, so the other
// incidents (and the flows they add) are the same for a seed with or without silences. During
// a silence the silent gateway's sites fail over to the next gateway: its normal flows go out
// as before, carried (and reported) by that one, so every destination's traffic stays the same
// and only their gateway_id changes.
import { GATEWAY_DESTINATION_PREFIX } from '../detectors/gateway-silent.js';
import type { FlowRecord } from '../engine/types.js';
import type { PlannedIncident, Silence } from './planned.js';
import { GATEWAYS } from './policy.js';
import { Prng } from './prng.js';
import { GenerateOptionsError, HOUR_MS, type GenerateOptions } from './types.js';
import { formatDuration } from '../values/units.js';

/** How long a silent gateway sends nothing. */
export const SILENCE_MS = 2 * HOUR_MS;
/** Random stream of the silence plan (plan.ts uses 1 and 2). */
export const SILENCE_STREAM = 3;
/** Draws of a start within its stratum before giving up on finding a free gateway. */
const START_TRIES = 50;

/**
 * One silence per stratum of [learning end, an hour before the end], so no two overlap and
 * another gateway always goes on. The silent gateway carries no incident flow (planned above)
 * during its silence, so the other incidents keep every flow.
 */
export function planSilences(options: GenerateOptions, endMarginMs: number, planned: readonly PlannedIncident[]): PlannedIncident[] {
  const count = options.types.includes('GATEWAY_SILENT') ? options.incidents_per_type : 0;
  if (count === 0) return [];
  const earliest = options.start_ms + options.learning_ms;
  const stratum = Math.floor((options.start_ms + options.duration_ms - endMarginMs - earliest) / count);
  if (stratum < SILENCE_MS) {
    throw new GenerateOptionsError(
      `generate options leave no room for GATEWAY_SILENT incidents: ${count} silences of ${formatDuration(SILENCE_MS)} each must fit one after ` +
        `another between --learning ${formatDuration(options.learning_ms)} and ${formatDuration(endMarginMs)} before the end of --duration ${formatDuration(options.duration_ms)} ` +
        `(lengthen --duration, shorten --learning, or lower --incidents)`,
    );
  }
  const prng = Prng.fromSeed(options.seed, SILENCE_STREAM);
  const incidentFlows = planned.flatMap((p) => p.flows);
  const out: PlannedIncident[] = [];
  for (let i = 0; i < count; i++) {
    const from = earliest + i * stratum;
    // A gateway not silenced yet if any start allows one, so a few silences fall on different gateways.
    let chosen: Silence | undefined;
    let fallback: Silence | undefined;
    for (let attempt = 0; attempt < START_TRIES && chosen === undefined; attempt++) {
      const start = from + Math.floor(prng.uniform() * (stratum - SILENCE_MS));
      const end = start + SILENCE_MS;
      const free = GATEWAYS.filter((gw) => !incidentFlows.some((f) => f.gateway_id === gw && f.end_ms >= start && f.end_ms <= end));
      const fresh = free.filter((gw) => !out.some((p) => p.silence!.gateway === gw));
      if (fresh.length > 0) chosen = { gateway: prng.choice(fresh), start_ms: start, end_ms: end };
      else if (free.length > 0) fallback ??= { gateway: prng.choice(free), start_ms: start, end_ms: end };
    }
    chosen ??= fallback;
    if (chosen === undefined) {
      throw new GenerateOptionsError(
        `too many incidents for GATEWAY_SILENT: no gateway free of other incidents' flows for ${SILENCE_MS} ms; lower 'incidents_per_type'`,
      );
    }
    out.push({
      incident: {
        incident_id: '',
        type: 'GATEWAY_SILENT',
        destination: GATEWAY_DESTINATION_PREFIX + chosen.gateway,
        data_class: null,
        principal: null,
        start_ms: chosen.start_ms,
        end_ms: chosen.end_ms,
      },
      destination: null,
      flows: [],
      ramp: null,
      volume: null,
      silence: chosen,
    });
  }
  return out;
}

/** A normal flow in a silence of its gateway goes by the next gateway (silences never overlap). */
export function failOver(flow: FlowRecord, silences: readonly Silence[]): void {
  for (const s of silences) {
    if (flow.gateway_id === s.gateway && flow.end_ms >= s.start_ms && flow.end_ms <= s.end_ms) {
      flow.gateway_id = GATEWAYS[(GATEWAYS.indexOf(s.gateway as (typeof GATEWAYS)[number]) + 1) % GATEWAYS.length];
      return;
    }
  }
}
