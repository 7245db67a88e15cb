// The event-time rules against a plain model written from docs/detection.md's description, over
// random streams with lagging and silent gateways, stray far-future and old records, flows
// without a gateway, internal flows and flow ids delivered twice: the Pipeline must count
// late, out-of-order and duplicate records and place the watermark exactly as the model
// does, and a snapshot and restore at any point must change nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert, FlowRecord, StateChange } from '../../src/engine/types.js';
import { flow, MIN, T0, testConfig } from './fixtures.js';

const config = testConfig('windows: {size: 1m, allowed_lateness: 30s, idle_timeout: 2m, dedup_horizon: 5m}');
const { size, allowed_lateness: LATENESS, idle_timeout: IDLE, dedup_horizon: HORIZON } = config.windows;

interface Counts {
  late: number;
  outOfOrder: number;
  duplicates: number;
  internal: number;
  watermark: number;
}

/** The rules, the obvious way: every map kept whole, every list scanned. */
function model(flows: FlowRecord[]): Counts {
  const latest = new Map<string | null, number>(); // active gateways only
  let top1 = -Infinity;
  let top2 = -Infinity;
  let watermark = -Infinity;
  const sightings = new Map<string, Array<[string, number]>>(); // destination -> (flow_id, event time) in arrival order
  const c: Counts = { late: 0, outOfOrder: 0, duplicates: 0, internal: 0, watermark: -Infinity };
  for (const f of flows) {
    const t = f.end_ms;
    if (t > top1) [top1, top2] = [t, top1];
    else if (t > top2) top2 = t;
    const idleBefore = top2 - IDLE;
    const before = latest.get(f.gateway_id) ?? -Infinity;
    if (t > before && t >= idleBefore) latest.set(f.gateway_id, t);
    for (const [g, ms] of latest) if (ms < idleBefore) latest.delete(g);

    if (f.dst_ip.startsWith('10.')) {
      c.internal++;
    } else {
      const dest = f.dst_host!;
      const list = sightings.get(dest) ?? [];
      sightings.set(dest, list);
      const last = [...list].reverse().find(([id]) => id === f.flow_id);
      if (last !== undefined && last[1] >= watermark - HORIZON && Math.abs(t - last[1]) <= HORIZON) {
        c.duplicates++;
      } else {
        list.push([f.flow_id, t]);
        if (Math.floor(t / size) * size + size <= watermark) c.late++;
        else if (t < before) c.outOfOrder++;
      }
    }
    const low = Math.min(...latest.values());
    watermark = Math.max(watermark, low - LATENESS);
  }
  c.watermark = watermark;
  return c;
}

function countsOf(p: Pipeline, extra: Partial<Counts> = {}): Counts {
  const k = p.engine.counters;
  return {
    late: k.late + (extra.late ?? 0),
    outOfOrder: k.outOfOrder + (extra.outOfOrder ?? 0),
    duplicates: k.duplicates + (extra.duplicates ?? 0),
    internal: k.internal + (extra.internal ?? 0),
    watermark: p.engine.currentWatermark,
  };
}

const GATEWAYS = ['gw-a', 'gw-b', 'gw-c', null];
const LAG = [0, 40_000, 3 * MIN, 0]; // gw-b lags a little, gw-c more than the idle timeout

/** One record of a stream: which gateway, how far the shared clock moves, what goes wrong. */
const step = fc.record({
  gateway: fc.integer({ min: 0, max: 3 }),
  advance: fc.integer({ min: 0, max: 20_000 }),
  jitter: fc.integer({ min: 0, max: 50_000 }),
  odd: fc.constantFrom('none', 'none', 'none', 'none', 'none', 'none', 'future', 'old', 'internal', 'residency', 'copy', 'copy'),
  reuse: fc.option(fc.integer({ min: 0, max: 30 }), { freq: 3 }),
  host: fc.constantFrom('a.example', 'b.example', 'c.example'),
});

function streamOf(steps: Array<typeof step extends fc.Arbitrary<infer S> ? S : never>): FlowRecord[] {
  let clock = T0;
  const out: FlowRecord[] = [];
  for (const [i, s] of steps.entries()) {
    const previous = out.at(-1);
    if (s.odd === 'copy' && previous !== undefined) {
      // The previous flow again: a producer retry, or another gateway reporting the same connection.
      out.push({ ...previous, gateway_id: GATEWAYS[s.gateway], end_ms: previous.end_ms + (s.jitter % 5000) });
      continue;
    }
    clock += s.advance;
    let end = clock - LAG[s.gateway] - s.jitter;
    if (s.odd === 'future') end = clock + 365 * 24 * 60 * MIN;
    if (s.odd === 'old') end = clock - 40 * MIN;
    out.push(flow({
      flow_id: s.reuse === null ? `u${i}` : `r${s.reuse}`,
      gateway_id: GATEWAYS[s.gateway],
      end_ms: end,
      dst_host: s.host,
      dst_ip: s.odd === 'internal' ? '10.2.3.4' : '198.51.100.7',
      dst_country: s.odd === 'residency' ? 'US' : 'DE',
      data_class: s.odd === 'residency' ? 'eu_user_data' : null,
    }));
  }
  return out;
}

const streams = fc.array(step, { minLength: 1, maxLength: 300, size: 'max' }).map(streamOf);

function runAll(p: Pipeline, flows: FlowRecord[]): Alert[] {
  const out: Alert[] = [];
  for (const f of flows) out.push(...p.push(f));
  return out;
}

describe('event-time rules against the model', () => {
  it('late, out-of-order and duplicate counts and the watermark match the model', () => {
    let duplicates = 0;
    let late = 0;
    let outOfOrder = 0;
    fc.assert(
      fc.property(streams, (flows) => {
        const p = new Pipeline(config);
        runAll(p, flows);
        const expected = model(flows);
        expect(countsOf(p)).toEqual(expected);
        duplicates += expected.duplicates;
        late += expected.late;
        outOfOrder += expected.outOfOrder;
      }),
      { numRuns: 150, seed: 20261123 },
    );
    // The streams must exercise every rule, or the comparison proves little.
    expect(Math.min(duplicates, late, outOfOrder)).toBeGreaterThan(100);
  });

  it('a snapshot and restore at any point gives the unbroken run: same alerts, counts and watermark', () => {
    fc.assert(
      fc.property(streams, fc.double({ min: 0, max: 1, noNaN: true }), (flows, at) => {
        const cut = Math.floor(at * flows.length);
        const unbroken = new Pipeline(config);
        const streamed = runAll(unbroken, flows);
        const expectedCounts = countsOf(unbroken);
        const expected = [...streamed, ...unbroken.finish()];

        const first = new Pipeline(config);
        const before = runAll(first, flows.slice(0, cut));
        const engine = new Engine(config);
        engine.restore(JSON.parse(JSON.stringify(first.engine.snapshot())) as StateChange[]);
        const second = Pipeline.resume(config, engine);
        const after = runAll(second, flows.slice(cut));
        expect(countsOf(second, first.engine.counters)).toEqual(expectedCounts);
        expect(JSON.stringify([...before, ...after, ...second.finish()])).toBe(JSON.stringify(expected));
      }),
      { numRuns: 100, seed: 20261124 },
    );
  });
});
