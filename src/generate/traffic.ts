// The flow stream. Time advances in one-minute slices; in each slice every destination
// draws a Poisson number of flows at its seasonal (and, during a rate ramp, ramped) rate,
// uniformly placed in the slice: a Poisson process with a piecewise-constant rate. During a
// bytes ramp the count stays, and each flow's drawn bytes_out is multiplied by the ramp's
// factor at the slice's middle and rounded (scaledBytes).
// Planned flows (seed and incident flows) join their slice; each slice is sorted, so the
// stream is emitted in non-decreasing end_ms (event time) order. Only one slice is in memory.
import type { FlowRecord } from '../engine/types.js';
import { normalFlow } from './flow-builder.js';
import { TRAFFIC_STREAM, planTraffic, type TrafficPlan } from './plan.js';
import { INTERNAL_SHARE, type Destination } from './population.js';
import { Prng, WeightedChoice } from './prng.js';
import { rampFactor, type Ramp } from './ramp.js';
import { STANDARD_SEASONALITY, seasonalFactor, type SeasonalProfile } from './seasonality.js';
import { failOver } from './silence.js';
import { MINUTE_MS, type GenerateOptions, type Incident } from './types.js';

export const SLICE_MS = MINUTE_MS;
/** Internal flows per external normal flow: internal flows are INTERNAL_SHARE of normal flows. */
const INTERNAL_PER_EXTERNAL = INTERNAL_SHARE / (1 - INTERNAL_SHARE);

/** Flows in event-time order (end_ms non-decreasing); flow_id `f-<seed>-<counter, 8+ hex digits>`. */
export function* generateFlows(options: Partial<GenerateOptions> = {}): Generator<FlowRecord, void, undefined> {
  yield* streamPlan(planTraffic(options));
}

/** Flows and truth together; `flows` can be iterated more than once (each pass regenerates it). */
export function generateTraffic(options: Partial<GenerateOptions> = {}): { flows: Iterable<FlowRecord>; truth: Incident[] } {
  const plan = planTraffic(options);
  return {
    flows: { [Symbol.iterator]: () => streamPlan(plan) },
    truth: plan.incidents.map((p) => ({ ...p.incident })),
  };
}

interface SliceRates {
  /** Expected normal flows in the slice per external destination (before any ramp). */
  base: Float64Array;
  baseTotal: number;
}

/** Expected normal flows per destination in [sliceStart, sliceStart + length): shared with describeTraffic. */
export function sliceRates(
  external: Destination[],
  sliceStart: number,
  length: number,
  into?: Float64Array,
  profile: SeasonalProfile = STANDARD_SEASONALITY,
): SliceRates {
  const base = into ?? new Float64Array(external.length);
  const middle = sliceStart + length / 2;
  let baseTotal = 0;
  for (let i = 0; i < external.length; i++) {
    const d = external[i];
    base[i] = d.ratePerMs * seasonalFactor(middle + d.phaseMs, profile) * length;
    baseTotal += base[i];
  }
  return { base, baseTotal };
}

export function internalExpected(baseTotal: number): number {
  return baseTotal * INTERNAL_PER_EXTERNAL;
}

export function* streamPlan(plan: TrafficPlan): Generator<FlowRecord, void, undefined> {
  const { options, population } = plan;
  const prng = Prng.fromSeed(options.seed, TRAFFIC_STREAM);
  const external = population.external;
  const ramps: (Ramp | undefined)[] = external.map((d) => plan.ramps.get(d));
  const internalPicker =
    population.internal.length > 0
      ? new WeightedChoice(population.internal, population.internal.map((d) => d.ratePerMs))
      : null;
  const idPrefix = `f-${options.seed}-`;
  const silences = plan.silences;
  const streamEnd = options.start_ms + options.duration_ms;
  const base = new Float64Array(external.length);
  let nextPlanned = 0;
  let counter = 0;

  for (let sliceStart = options.start_ms; sliceStart < streamEnd; sliceStart += SLICE_MS) {
    const length = Math.min(SLICE_MS, streamEnd - sliceStart);
    const sliceEnd = sliceStart + length;
    const middle = sliceStart + length / 2;
    const batch: FlowRecord[] = [];
    const { baseTotal } = sliceRates(external, sliceStart, length, base, plan.seasonality);

    for (let i = 0; i < external.length; i++) {
      const ramp = ramps[i];
      const factor = ramp === undefined ? 1 : rampFactor(ramp, middle);
      const bytesScale = ramp?.scales === 'bytes' ? factor : 1;
      const expected = ramp === undefined || bytesScale !== 1 ? base[i] : base[i] * factor;
      const count = prng.poisson(expected);
      for (let k = 0; k < count; k++) {
        const endMs = sliceStart + Math.floor(prng.uniform() * length);
        const flow = normalFlow(prng, population, external[i], endMs, undefined, bytesScale);
        if (silences.length > 0) failOver(flow, silences);
        batch.push(flow);
      }
    }
    if (internalPicker !== null) {
      const count = prng.poisson(internalExpected(baseTotal));
      for (let k = 0; k < count; k++) {
        const destination = internalPicker.pick(prng);
        const flow = normalFlow(prng, population, destination, sliceStart + Math.floor(prng.uniform() * length));
        if (silences.length > 0) failOver(flow, silences);
        batch.push(flow);
      }
    }
    while (nextPlanned < plan.plannedFlows.length && plan.plannedFlows[nextPlanned].end_ms < sliceEnd) {
      batch.push({ ...plan.plannedFlows[nextPlanned++] });
    }

    batch.sort((a, b) => a.end_ms - b.end_ms);
    for (const flow of batch) {
      flow.flow_id = idPrefix + (counter++).toString(16).padStart(8, '0');
      yield flow;
    }
  }
}
