// Rate and size shapes over an interval: a destination's traffic is multiplied by a factor
// that may step up at the start, creep up by a fixed factor per hour, then holds until the
// end. SUSTAINED_INCREASE ramps, creeps, lasting changes and night bursts are all one.
import { HOUR_MS } from './types.js';

export interface Ramp {
  start_ms: number;
  creep_ms: number;
  hold_ms: number;
  /** Rate multiplier gained per hour of creep (1.3: +30 %/hour, compounding). */
  growth_per_hour: number;
  /** Multiplier from the start on, before any creep (a step); 1 when absent. */
  step?: number;
  /** What the factor multiplies: the flow rate (more flows, as before) or each flow's bytes_out (same flows, bigger). */
  scales?: 'rate' | 'bytes';
}

export const RAMP_CREEP_MS = 6 * HOUR_MS;
export const RAMP_HOLD_MS = 2 * HOUR_MS;
export const RAMP_GROWTH_PER_HOUR = 1.3;

export function rampEnd(ramp: Ramp): number {
  return ramp.start_ms + ramp.creep_ms + ramp.hold_ms;
}

/**
 * Multiplier at an instant: 1 outside the ramp; inside, step x growth^(hours crept), so a
 * creep is continuous (no step a spike detector could see) and a plateau holds its peak.
 */
export function rampFactor(ramp: Ramp, ms: number): number {
  if (ms < ramp.start_ms || ms >= rampEnd(ramp)) return 1;
  const creptMs = Math.min(ms - ramp.start_ms, ramp.creep_ms);
  const growth = Math.pow(ramp.growth_per_hour, creptMs / HOUR_MS);
  return ramp.step === undefined ? growth : ramp.step * growth;
}

/** Bytes of one flow under a bytes ramp: the drawn size times the factor, rounded to a whole byte (half up). */
export function scaledBytes(bytes: number, factor: number): number {
  return Math.round(bytes * factor);
}
