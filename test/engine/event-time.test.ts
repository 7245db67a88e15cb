// Event-time hardening: per-gateway watermarks with idleness, duplicates counted once (also
// across a snapshot and restore), and the max_future bound the shells apply.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { tooFarAhead } from '../../src/engine/future-bound.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert, FlowRecord, StateChange, WindowScore } from '../../src/engine/types.js';
import { flow, MIN, T0, testConfig } from './fixtures.js';

const SEC = 1000;
const YEAR = 365 * 24 * 60 * MIN;

/** Unrestricted flows (no data class): no policy alert gets in the way of the counts. */
const plain = (gateway_id: string | null, end_ms: number, over: Partial<FlowRecord> = {}) =>
  flow({ gateway_id, end_ms, data_class: null, ...over });

describe('per-gateway watermark', () => {
  it("a far-future record on one gateway does not make the other gateway's on-time records late", () => {
    const p = new Pipeline(testConfig()); // 1m windows, 30s lateness, idle_timeout 5m
    p.push(plain('gw-a', T0));
    p.push(plain('gw-b', T0 + 1 * SEC));
    p.push(plain('gw-a', T0 + YEAR)); // a broken clock on gw-a, once
    for (let k = 1; k <= 20; k++) {
      p.push(plain('gw-a', T0 + k * 30 * SEC));
      p.push(plain('gw-b', T0 + k * 30 * SEC + 1 * SEC));
    }
    // gw-b holds the watermark at its latest event time T0+601s, minus 30s of lateness.
    expect(p.engine.currentWatermark).toBe(T0 + 571 * SEC);
    expect(p.engine.counters.late).toBe(0);
    // gw-a's 20 records after its stray one are earlier than its own latest: out of order, not late.
    expect(p.engine.counters.outOfOrder).toBe(20);
    // Windows [T0, T0+1m) ... [T0+8m, T0+9m) closed as event time went on.
    expect(p.engine.counters.windowsClosed).toBe(9);
  });

  it('an idle gateway stops holding the watermark back once idle_timeout behind the second-highest event time', () => {
    const p = new Pipeline(testConfig());
    for (let k = 0; k <= 5; k++) {
      p.push(plain('gw-a', T0 + k * 10 * SEC));
      p.push(plain('gw-b', T0 + k * 10 * SEC + 1 * SEC));
    }
    // gw-b goes silent at T0+51s; gw-a goes on.
    for (let k = 6; k <= 36; k++) p.push(plain('gw-a', T0 + k * 10 * SEC));
    // Second-highest event time T0+350s: gw-b is 299 s behind it, still active.
    expect(p.engine.currentWatermark).toBe(T0 + 51 * SEC - 30 * SEC);
    p.push(plain('gw-a', T0 + 370 * SEC));
    // Now T0+360s - 5m > T0+51s: gw-b is idle and gw-a alone sets the watermark.
    expect(p.engine.currentWatermark).toBe(T0 + 340 * SEC);
    // gw-b's backlog arriving now is late; once it reports current times it counts again.
    p.push(plain('gw-b', T0 + 55 * SEC));
    expect(p.engine.counters.late).toBe(1);
    p.push(plain('gw-b', T0 + 375 * SEC));
    p.push(plain('gw-a', T0 + 400 * SEC));
    expect(p.engine.currentWatermark).toBe(T0 + 345 * SEC);
  });

  it('flows without a gateway are a stream of their own', () => {
    const p = new Pipeline(testConfig());
    p.push(plain('gw-a', T0));
    p.push(plain(null, T0 + 10 * SEC));
    p.push(plain('gw-a', T0 + 100 * SEC));
    // min(gw-a at T0+100s, the gateway-less stream at T0+10s) - 30s.
    expect(p.engine.currentWatermark).toBe(T0 - 20 * SEC);
  });
});

describe('duplicates', () => {
  // suppress_for 0s: without deduplication the copy would raise an alert of its own.
  const config = testConfig('alerts: {suppress_for: 0s}');
  const us = { dst_host: 'x.example', dst_country: 'US', bytes_out: 5000 };

  function run(flows: FlowRecord[]): { alerts: Alert[]; scores: WindowScore[]; p: Pipeline } {
    const scores: WindowScore[] = [];
    const p = new Pipeline(config, { onWindowScore: (s) => scores.push(s) });
    const alerts: Alert[] = [];
    for (const f of flows) alerts.push(...p.push(f));
    alerts.push(...p.finish());
    return { alerts, scores, p };
  }

  it('counts the same flow from two gateways once: one alert, and the window holds its bytes once', () => {
    const { alerts, scores, p } = run([
      flow({ ...us, flow_id: 'conn-1', gateway_id: 'gw-a', end_ms: T0 }),
      flow({ ...us, flow_id: 'conn-1', gateway_id: 'gw-b', end_ms: T0 + 2 * SEC }), // the same connection
      flow({ ...us, flow_id: 'conn-1', gateway_id: 'gw-a', end_ms: T0 }), // and a producer retry
    ]);
    expect(alerts.map((a) => [a.type, a.sample_flow_ids])).toEqual([['RESIDENCY_VIOLATION', ['conn-1']]]);
    expect(p.engine.counters).toMatchObject({ records: 3, duplicates: 2, late: 0, outOfOrder: 0 });
    expect(scores.filter((s) => s.detector === 'VOLUME_SPIKE').map((s) => [s.window_start_ms, s.observed])).toEqual([[T0, 5000]]);
  });

  it('a flow_id seen again beyond dedup_horizon (10m) of event time is a new flow', () => {
    const { alerts, p } = run([
      flow({ ...us, flow_id: 'conn-2', end_ms: T0 }),
      flow({ ...us, flow_id: 'conn-2', end_ms: T0 + 10 * MIN }), // within: a duplicate
      flow({ ...us, flow_id: 'conn-2', end_ms: T0 + 10 * MIN + 1 }),
    ]);
    expect(alerts.map((a) => a.window_end_ms)).toEqual([T0, T0 + 10 * MIN + 1]);
    expect(p.engine.counters.duplicates).toBe(1);
  });

  it('the same flow_id at another destination is not a duplicate', () => {
    const { alerts, p } = run([
      flow({ ...us, flow_id: 'conn-3', end_ms: T0 }),
      flow({ ...us, flow_id: 'conn-3', dst_host: 'y.example', end_ms: T0 }),
    ]);
    expect(alerts.map((a) => a.destination)).toEqual(['x.example', 'y.example']);
    expect(p.engine.counters.duplicates).toBe(0);
  });

  it('dedup_horizon 0s turns deduplication off', () => {
    const p = new Pipeline(testConfig('alerts: {suppress_for: 0s}\nwindows: {dedup_horizon: 0s}'));
    const twice = [flow({ ...us, flow_id: 'conn-4', end_ms: T0 }), flow({ ...us, flow_id: 'conn-4', end_ms: T0 })];
    expect(twice.flatMap((f) => p.push(f)).map((a) => a.type)).toEqual(['RESIDENCY_VIOLATION', 'RESIDENCY_VIOLATION']);
    expect(p.engine.counters.duplicates).toBe(0);
  });

  it('are still recognised after a snapshot and restore (what a service restarted after a crash re-reads)', () => {
    const first = new Pipeline(config);
    expect(first.push(flow({ ...us, flow_id: 'conn-5', end_ms: T0 })).map((a) => a.type)).toEqual(['RESIDENCY_VIOLATION']);
    first.push(plain('gw-1', T0 + 20 * SEC, { flow_id: 'other' }));
    const snapshot = JSON.parse(JSON.stringify(first.engine.snapshot())) as StateChange[];
    const saved = JSON.parse(snapshot.find((c) => c.key === 'd:x.example')!.value!);
    expect(saved.ids).toHaveLength(2); // [hash, event time relative to the destination's latest]
    expect(saved.ids[1]).toBe(0);

    const engine = new Engine(config);
    engine.restore(snapshot);
    const second = Pipeline.resume(config, engine);
    expect(second.push(flow({ ...us, flow_id: 'conn-5', end_ms: T0 }))).toEqual([]);
    expect(second.engine.counters.duplicates).toBe(1);
    // The per-gateway clock came back too: the watermark goes on from T0+20s - 30s.
    expect(second.engine.currentWatermark).toBe(T0 - 10 * SEC);
  });

  it('a snapshot written before per-gateway clocks and ids restores (neither is remembered)', () => {
    const first = new Pipeline(config);
    first.push(flow({ ...us, flow_id: 'conn-6', end_ms: T0 }));
    const old = first.engine.snapshot().map((c) => {
      const j = JSON.parse(c.value!);
      delete j.clock;
      delete j.ids;
      return { key: c.key, value: JSON.stringify(j) };
    });
    const engine = new Engine(config);
    engine.restore(old);
    const second = Pipeline.resume(config, engine);
    expect(second.engine.currentWatermark).toBe(T0 - 30 * SEC);
    expect(second.push(flow({ ...us, flow_id: 'conn-6', end_ms: T0 })).map((a) => a.type)).toEqual(['RESIDENCY_VIOLATION']);
    second.push(plain('gw-1', T0 + 50 * SEC));
    expect(second.engine.currentWatermark).toBe(T0 + 20 * SEC);
  });
});

describe('max_future', () => {
  const now = Date.parse('2026-11-23T17:00:00.000Z');
  it('names the event time, how far ahead, the processing time and the bound', () => {
    const f = flow({ end_ms: Date.parse('2031-01-01T00:00:00.000Z') });
    // 2026-11-23T17:00 -> 2026-11-24T00:00 is 7h; to 2027-01-01 38 days; to 2031-01-01 4 years with one leap day.
    expect(tooFarAhead(f, now, 3_600_000)).toBe(
      'event time 2031-01-01T00:00:00.000Z is 1499d 7h ahead of processing time 2026-11-23T17:00:00.000Z; bound windows.max_future=1h',
    );
  });

  it('accepts a record exactly at the bound and rejects one a millisecond beyond', () => {
    expect(tooFarAhead(flow({ end_ms: now + 3_600_000 }), now, 3_600_000)).toBeNull();
    expect(tooFarAhead(flow({ end_ms: now + 3_600_001 }), now, 3_600_000)).toBe(
      'event time 2026-11-23T18:00:00.001Z is 1h 1ms ahead of processing time 2026-11-23T17:00:00.000Z; bound windows.max_future=1h',
    );
  });
});
