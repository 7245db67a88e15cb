// Saturating sums of byte, packet and flow counts, shared by the engine's windows and
// incidents and by detectors that sum over runs of windows (SUSTAINED_INCREASE).

/**
 * Ceiling of summed byte, packet and flow counts: 2^53 - 2, the largest long
 * the Avro alert schema can carry (avsc refuses more). Records may each hold
 * up to that, so sums saturate here instead of producing an alert that no
 * encoder takes (the service could then never publish it).
 */
export const MAX_TOTAL = Number.MAX_SAFE_INTEGER - 1;

/** a + b, saturating at MAX_TOTAL. */
export function addCapped(a: number, b: number): number {
  const sum = a + b;
  return sum > MAX_TOTAL ? MAX_TOTAL : sum;
}
