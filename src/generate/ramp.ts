// SUSTAINED_INCREASE: a destination's rate creeps up by a fixed factor per hour, then holds.
import { HOUR_MS } from './types.js';

export interface Ramp {
  start_ms: number;
  creep_ms: number;
  hold_ms: number;
  /** Rate multiplier gained per hour of creep (1.3: +30 %/hour, compounding). */
  growth_per_hour: number;
}

export const RAMP_CREEP_MS = 6 * HOUR_MS;
export const RAMP_HOLD_MS = 2 * HOUR_MS;
export const RAMP_GROWTH_PER_HOUR = 1.3;

export function rampEnd(ramp: Ramp): number {
  return ramp.start_ms + ramp.creep_ms + ramp.hold_ms;
}

/** Rate multiplier at an instant: 1 outside the ramp, continuous inside it (no step a spike detector could see). */
export function rampFactor(ramp: Ramp, ms: number): number {
  if (ms < ramp.start_ms || ms >= rampEnd(ramp)) return 1;
  const creptMs = Math.min(ms - ramp.start_ms, ramp.creep_ms);
  return Math.pow(ramp.growth_per_hour, creptMs / HOUR_MS);
}
