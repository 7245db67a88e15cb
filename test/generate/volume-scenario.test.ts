// The volume scenario's shapes, checked against values worked out by hand: compounding creeps
// and their plateaus, lasting changes, night bursts against the night and the afternoon, the
// deeper weekly rhythm, and the ground-truth rows.
import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../src/engine/types.js';
import {
  defaultGenerateOptions,
  planIncidents,
  planTraffic,
  streamPlan,
  type GenerateOptions,
  type PlannedIncident,
  type TrafficPlan,
} from '../../src/generate/index.js';
import { nextTimeOfDay } from '../../src/generate/incidents.js';
import { rampFactor, scaledBytes, type Ramp } from '../../src/generate/ramp.js';
import {
  STANDARD_SEASONALITY,
  VOLUME_SEASONALITY,
  hourOfDayFactor,
  seasonalFactor,
  weekdayFactor,
} from '../../src/generate/seasonality.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FRIDAY = Date.UTC(2026, 0, 2);

describe('compounding creeps that plateau', () => {
  const creep25: Ramp = { start_ms: FRIDAY, creep_ms: 8 * HOUR, hold_ms: 6 * HOUR, growth_per_hour: 1.25 };
  const creep50: Ramp = { start_ms: FRIDAY, creep_ms: 6 * HOUR, hold_ms: 6 * HOUR, growth_per_hour: 1.5 };

  it('+25 %/hour: 1.25^k at hour k for 8 hours, then 1.25^8 = 5.9604644775390625 for 6 hours, then back to 1', () => {
    const byHand = [1, 1.25, 1.5625, 1.953125, 2.44140625, 3.0517578125, 3.814697265625, 4.76837158203125, 5.9604644775390625];
    byHand.forEach((factor, k) => expect(rampFactor(creep25, FRIDAY + k * HOUR)).toBeCloseTo(factor, 12));
    expect(rampFactor(creep25, FRIDAY + 30 * MINUTE)).toBeCloseTo(Math.sqrt(1.25), 12); // continuous inside the hour
    for (const hour of [9, 11, 13.99]) expect(rampFactor(creep25, FRIDAY + hour * HOUR)).toBeCloseTo(5.9604644775390625, 12);
    expect(rampFactor(creep25, FRIDAY + 14 * HOUR)).toBe(1);
    expect(rampFactor(creep25, FRIDAY - 1)).toBe(1);
  });

  it('+50 %/hour: 1.5^6 = 11.390625 held for 6 hours', () => {
    expect(rampFactor(creep50, FRIDAY + 2 * HOUR)).toBeCloseTo(2.25, 12);
    expect(rampFactor(creep50, FRIDAY + 6 * HOUR)).toBeCloseTo(11.390625, 12);
    expect(rampFactor(creep50, FRIDAY + 11 * HOUR)).toBeCloseTo(11.390625, 12);
    expect(rampFactor(creep50, FRIDAY + 12 * HOUR)).toBe(1);
  });

  it('a step multiplies from the start: a lasting 3x change, a 10x burst', () => {
    const lasting: Ramp = { start_ms: FRIDAY, creep_ms: 0, hold_ms: 3 * DAY, growth_per_hour: 1, step: 3 };
    expect(rampFactor(lasting, FRIDAY - 1)).toBe(1);
    expect(rampFactor(lasting, FRIDAY)).toBe(3);
    expect(rampFactor(lasting, FRIDAY + 3 * DAY - 1)).toBe(3);
    const burst: Ramp = { start_ms: FRIDAY, creep_ms: 0, hold_ms: HOUR, growth_per_hour: 1, step: 10 };
    expect(rampFactor(burst, FRIDAY + 59 * MINUTE)).toBe(10);
    expect(rampFactor(burst, FRIDAY + HOUR)).toBe(1);
  });

  it('scales bytes by rounding half up to a whole byte', () => {
    expect(scaledBytes(1000, 1.953125)).toBe(1953); // 1953.125
    expect(scaledBytes(12_345, 1.5)).toBe(18_518); // 18517.5
    expect(scaledBytes(7, 1)).toBe(7);
  });
});

describe('the volume rhythm', () => {
  it('weekday 14/11, weekend 7/22: a weekend day carries a quarter of a weekday, the week averages 1', () => {
    expect(VOLUME_SEASONALITY.weekday).toBeCloseTo(14 / 11, 15);
    expect(VOLUME_SEASONALITY.weekend).toBeCloseTo(7 / 22, 15);
    expect(weekdayFactor(Date.UTC(2026, 0, 3, 12), VOLUME_SEASONALITY) / weekdayFactor(FRIDAY, VOLUME_SEASONALITY)).toBeCloseTo(0.25, 15);
    let sum = 0;
    const steps = 7 * 24 * 60;
    for (let i = 0; i < steps; i++) sum += seasonalFactor(FRIDAY + i * MINUTE, VOLUME_SEASONALITY);
    expect(sum / steps).toBeCloseTo(1, 9);
  });

  it('nights at 0.1, afternoons at 1.9; the standard profile is unchanged (0.3 .. 1.7, 7/6 and 7/12)', () => {
    expect(hourOfDayFactor(FRIDAY + 2 * HOUR, VOLUME_SEASONALITY)).toBeCloseTo(0.1, 12);
    expect(hourOfDayFactor(FRIDAY + 14 * HOUR, VOLUME_SEASONALITY)).toBeCloseTo(1.9, 12);
    expect(STANDARD_SEASONALITY).toEqual({ daily_swing: 0.7, weekday: 7 / 6, weekend: 7 / 12 });
    expect(seasonalFactor(FRIDAY + 2 * HOUR)).toBeCloseTo(0.3 * 7 / 6, 12);
  });

  it('nextTimeOfDay finds the next instant at a time of day, across midnight and for negative offsets', () => {
    expect(nextTimeOfDay(FRIDAY + HOUR, 90 * MINUTE)).toBe(FRIDAY + 90 * MINUTE);
    expect(nextTimeOfDay(FRIDAY + 2 * HOUR, 90 * MINUTE)).toBe(FRIDAY + DAY + 90 * MINUTE);
    expect(nextTimeOfDay(FRIDAY + 90 * MINUTE, 90 * MINUTE)).toBe(FRIDAY + 90 * MINUTE);
    expect(nextTimeOfDay(FRIDAY + HOUR, -30 * MINUTE)).toBe(FRIDAY + DAY - 30 * MINUTE);
  });
});

describe('the volume scenario\'s defaults and ground truth (seed 1)', () => {
  const plan = planTraffic({ scenario: 'volume' });
  const streamEnd = Date.UTC(2026, 0, 13);
  const byShape = (shape: string) => plan.incidents.filter((p) => (p.incident.shape ?? 'standard') === shape);

  it('11 days from Friday 2026-01-02, a week of learning, 2 incidents per shape of the two volume types', () => {
    expect(defaultGenerateOptions('volume')).toEqual({
      seed: 1, start_ms: FRIDAY, duration_ms: 11 * DAY, rate: 5, destinations: 200, incidents_per_type: 2,
      learning_ms: 7 * DAY, types: ['VOLUME_SPIKE', 'SUSTAINED_INCREASE'], scenario: 'volume',
    });
    expect(new Date(FRIDAY).getUTCDay()).toBe(5);
    expect(plan.options.start_ms + plan.options.duration_ms).toBe(streamEnd);
    expect(plan.seasonality).toBe(VOLUME_SEASONALITY);
    // An option given explicitly overrides the scenario's default.
    expect(planTraffic({ scenario: 'volume', duration_ms: 10 * DAY }).options.duration_ms).toBe(10 * DAY);
  });

  it('truth rows: types stay alert types, shapes say which, exact lengths, after the learning week, distinct busy destinations', () => {
    const rows = plan.incidents.map((p) => p.incident);
    expect(rows.map((i) => i.incident_id)).toEqual(rows.map((_, k) => `inc-1-${String(k + 1).padStart(3, '0')}`));
    const shaped = rows.filter((i) => i.shape !== undefined && i.shape !== 'lasting_change');
    expect(shaped.map((i) => `${i.type}/${i.shape}/${(i.end_ms - i.start_ms) / HOUR}h`).sort()).toEqual([
      'SUSTAINED_INCREASE/creep/12h', 'SUSTAINED_INCREASE/creep/12h', 'SUSTAINED_INCREASE/creep/14h', 'SUSTAINED_INCREASE/creep/14h',
      'VOLUME_SPIKE/night_burst/1h', 'VOLUME_SPIKE/night_burst/1h',
    ]);
    const lasting = rows.filter((i) => i.shape === 'lasting_change');
    expect(lasting).toHaveLength(2);
    for (const i of lasting) {
      expect(i.type).toBe('SUSTAINED_INCREASE');
      expect(i.end_ms).toBe(streamEnd); // stays to the end of the traffic
      expect(i.start_ms).toBeLessThanOrEqual(streamEnd - 13 * HOUR);
    }
    for (const i of [...shaped, ...lasting]) expect([i.data_class, i.principal], i.incident_id).toEqual([null, null]);
    const bursts = rows.filter((i) => i.shape === undefined);
    expect(bursts.map((i) => i.type)).toEqual(['VOLUME_SPIKE', 'VOLUME_SPIKE']);
    for (const i of bursts) expect(i.end_ms - i.start_ms).toBeLessThanOrEqual(3 * MINUTE);
    for (const i of rows) {
      expect(i.start_ms).toBeGreaterThanOrEqual(FRIDAY + 7 * DAY);
      if (i.shape !== 'lasting_change') expect(i.end_ms).toBeLessThanOrEqual(streamEnd - HOUR);
    }
    expect(new Set(rows.map((i) => i.destination)).size).toBe(10);
    for (const p of plan.incidents) expect(p.destination!.ratePerMs * MINUTE).toBeGreaterThanOrEqual(3);
    expect(planIncidents({ scenario: 'volume' })).toEqual(rows);
  });

  it('creeps alternate between bytes per flow (first of each kind) and the flow rate (second)', () => {
    const creeps = byShape('creep').map((p) => p.ramp!);
    const of = (growth: number) => creeps.filter((r) => r.growth_per_hour === growth).map((r) => r.scales).sort();
    expect(of(1.25)).toEqual(['bytes', 'rate']);
    expect(of(1.5)).toEqual(['bytes', 'rate']);
  });

  it('night bursts: 10x the rate for an hour from 01:30 of the destination\'s own day, still below its afternoon', () => {
    for (const p of byShape('night_burst')) {
      const { start_ms: s, end_ms: e } = p.incident;
      const phase = p.destination!.phaseMs;
      expect((((s + phase) % DAY) + DAY) % DAY).toBe(90 * MINUTE);
      expect(e - s).toBe(HOUR);
      expect(p.ramp).toEqual({ start_ms: s, creep_ms: 0, hold_ms: HOUR, growth_per_hour: 1, step: 10, scales: 'rate' });
      const afternoon = seasonalFactor(s - 90 * MINUTE + 14 * HOUR + phase, VOLUME_SEASONALITY);
      for (let t = s; t < e; t += MINUTE) {
        const night = seasonalFactor(t + phase, VOLUME_SEASONALITY);
        const burst = night * rampFactor(p.ramp!, t);
        expect(burst / night).toBeCloseTo(10, 12);
        // At most 10 x (1 - 0.9 cos(pi/24)) = 1.077 of the day type's mean, the afternoon 1.9.
        expect(burst / weekdayFactor(t + phase, VOLUME_SEASONALITY)).toBeLessThanOrEqual(1.0770 + 1e-4);
        expect(burst).toBeLessThan(afternoon);
      }
    }
  });

  it('names the scenario at fault', () => {
    expect(() => planTraffic({ scenario: 'nope' as never })).toThrow("generate option 'scenario' must be one of standard, volume, got \"nope\"");
    expect(() => planTraffic({ scenario: 'volume', duration_ms: 7 * DAY + 12 * HOUR })).toThrow(/no room for VOLUME_SPIKE \(night_burst\) incidents/);
  });
});

/** The flows of a plan's stream that go to the given destinations, in stream order. */
function flowsTo(plan: TrafficPlan, keys: Set<string>): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const f of streamPlan(plan)) if (keys.has(f.dst_host ?? f.dst_ip)) out.push(f);
  return out;
}

describe('the generated stream of a small volume scenario', () => {
  const options: Partial<GenerateOptions> = {
    scenario: 'volume', seed: 5, rate: 2, destinations: 30, duration_ms: 2 * DAY, learning_ms: 12 * HOUR, types: ['SUSTAINED_INCREASE'],
  };
  const plan = planTraffic(options);
  const keys = new Set(plan.incidents.map((p) => p.incident.destination));
  const creeps = plan.incidents.filter((p) => p.incident.shape === 'creep');
  const bytesCreeps = creeps.filter((p) => p.ramp!.scales === 'bytes');
  const rateCreeps = creeps.filter((p) => p.ramp!.scales === 'rate');
  const flows = flowsTo(plan, keys);
  // The same plan without the bytes creeps draws the same random numbers: flow by flow, only bytes differ.
  const ramps = new Map(plan.ramps);
  for (const p of bytesCreeps) ramps.delete(p.destination!);
  const plain = flowsTo({ ...plan, ramps }, keys);

  it('bytes creeps: each flow carries exactly round(its bytes without the creep x growth^hours), the rest is unchanged', () => {
    expect(bytesCreeps).toHaveLength(2);
    expect(plain).toHaveLength(flows.length);
    const creepOf = new Map(bytesCreeps.map((p) => [p.incident.destination, p]));
    let scaled = 0;
    let changedOutside = 0;
    for (let i = 0; i < flows.length; i++) {
      const f = flows[i];
      const p = creepOf.get(f.dst_host ?? f.dst_ip);
      const sliceMiddle = plan.options.start_ms + Math.floor((f.end_ms - plan.options.start_ms) / MINUTE) * MINUTE + 30_000;
      const { start_ms: s, end_ms: e } = p?.incident ?? { start_ms: 0, end_ms: 0 };
      if (p === undefined || sliceMiddle < s || sliceMiddle >= e) {
        if (JSON.stringify(f) !== JSON.stringify(plain[i])) changedOutside++;
        continue;
      }
      const { growth_per_hour: g, creep_ms } = p.ramp!;
      const factor = g ** (Math.min(sliceMiddle - s, creep_ms) / HOUR);
      expect(f.bytes_out).toBe(Math.round(plain[i].bytes_out * factor));
      expect([f.end_ms, f.src_ip, f.src_port, f.data_class, f.principal]).toEqual([plain[i].end_ms, plain[i].src_ip, plain[i].src_port, plain[i].data_class, plain[i].principal]);
      scaled++;
    }
    expect(changedOutside).toBe(0);
    expect(scaled).toBeGreaterThan(200);
  });

  it('bytes creeps: bytes sent in plateau hours are about 1.25^8 (1.5^6) x the same hours\' bytes without the creep', () => {
    for (const p of bytesCreeps) {
      const plateauFrom = p.incident.start_ms + p.ramp!.creep_ms + MINUTE;
      const inPlateau = (f: FlowRecord) => (f.dst_host ?? f.dst_ip) === p.incident.destination && f.end_ms >= plateauFrom && f.end_ms < p.incident.end_ms - MINUTE;
      const ratio = flows.filter(inPlateau).reduce((sum, f) => sum + f.bytes_out, 0) / plain.filter(inPlateau).reduce((sum, f) => sum + f.bytes_out, 0);
      const peak = p.ramp!.growth_per_hour ** (p.ramp!.creep_ms / HOUR);
      expect(Math.abs(ratio / peak - 1)).toBeLessThan(1e-4); // only rounding to whole bytes differs
    }
  });

  it('rate creeps and lasting changes: flows in the interval match the ramped rate within 4 standard deviations', () => {
    const lasting = plan.incidents.filter((p) => p.incident.shape === 'lasting_change');
    expect([rateCreeps.length, lasting.length]).toEqual([2, 2]);
    for (const p of [...rateCreeps, ...lasting]) checkRate(p, flows, p.incident.end_ms, plan.options.start_ms);
  });
});

/** Counts the incident destination's flows in [start, until) against the expected Poisson count at the ramped rate. */
function checkRate(p: PlannedIncident, flows: FlowRecord[], until: number, streamStart: number): void {
  const d = p.destination!;
  const s = p.incident.start_ms;
  let expected = 0;
  let without = 0;
  for (let t = streamStart + Math.floor((s - streamStart) / MINUTE) * MINUTE; t < until; t += MINUTE) {
    const middle = t + 30_000;
    const inside = (Math.min(t + MINUTE, until) - Math.max(t, s)) / MINUTE;
    const base = d.ratePerMs * seasonalFactor(middle + d.phaseMs, VOLUME_SEASONALITY) * MINUTE * inside;
    without += base;
    expected += base * rampFactor(p.ramp!, middle);
  }
  const observed = flows.filter((f) => (f.dst_host ?? f.dst_ip) === d.key && f.end_ms >= s && f.end_ms < until).length;
  expect(Math.abs(observed - expected), p.incident.incident_id).toBeLessThan(4 * Math.sqrt(expected));
  expect(observed, p.incident.incident_id).toBeGreaterThan(2 * without);
}
