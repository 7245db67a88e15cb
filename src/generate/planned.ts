// What the plan knows about one injected incident beyond its ground-truth line: the shapes
// shared by the incident planner (incidents.ts), the gateway-silence planner (silence.ts) and
// the stream. Kept in a file of its own, below both planners, so neither imports the other's
// types (silence.ts used to import PlannedIncident from incidents.ts, which imports it back).
import type { FlowRecord } from '../engine/types.js';
import type { Destination } from './population.js';
import type { Ramp } from './ramp.js';
import type { Incident } from './types.js';

export interface VolumeDetail {
  /** Expected bytes_out of the destination in an hour at the burst's time of day. */
  normal_hourly_bytes: number;
  /** total_bytes / normal_hourly_bytes before rounding, drawn log-uniformly in [5, 50]. */
  factor: number;
  total_bytes: number;
}

export interface Silence {
  gateway: string;
  /** The gateway sends no normal flow ending in [start_ms, end_ms]. */
  start_ms: number;
  end_ms: number;
}

export interface PlannedIncident {
  incident: Incident;
  /** null for GATEWAY_SILENT: a gateway, not a destination. */
  destination: Destination | null;
  /** Flows the incident adds (none for rate and bytes shapes: their traffic comes from the ramp). */
  flows: FlowRecord[];
  ramp: Ramp | null;
  volume: VolumeDetail | null;
  /** GATEWAY_SILENT: the gateway and the interval it sends nothing in. */
  silence?: Silence;
}
