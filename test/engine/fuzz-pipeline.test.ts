// Property tests of the engine behind the decoders: random valid flows (any
// order, any event time the contract allows) through a Pipeline. It must never
// throw, count every record, emit alerts that carry every contract field and
// can be published, and give the same output for the same input.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert, FlowRecord } from '../../src/engine/types.js';
import { encodeAlert } from '../../src/io/wire.js';
import { validFlowArb } from '../../bench/fuzz/inputs.js';
import { alertContractProblem } from '../../bench/fuzz/oracle.js';
import { MAX_COUNT } from '../../src/io/validate-flow.js';
import { MAX_TOTAL } from '../../src/engine/window.js';
import { flow, MIN, T0, testConfig } from './fixtures.js';

const SEED = 20260105;
const config = testConfig();
const HOUR = 3_600_000;

interface Sequence {
  flows: FlowRecord[];
  /** One gateway for all: the watermark is then DESIGN.md's max event time - allowed_lateness. */
  oneGateway: boolean;
}

/** Unique flow ids, as gateways give them (a repeated id is a duplicate delivery, tested on its own). */
function numbered(flows: FlowRecord[]): FlowRecord[] {
  return flows.map((f, i) => ({ ...f, flow_id: `f${i}-${f.flow_id}` }));
}

/** Flows clustered in a few days (windows fill, detectors fire), or anywhere in time the contract allows. */
const sequenceArb: fc.Arbitrary<Sequence> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.array(validFlowArb({ spanMs: 3 * 24 * HOUR, pooled: true }), { maxLength: 120 })
      .map((flows) => ({ flows: numbered(flows).map((f) => ({ ...f, gateway_id: 'gw-1' })), oneGateway: true })),
  },
  { weight: 1, arbitrary: fc.array(validFlowArb({ spanMs: 3 * 24 * HOUR, pooled: true }), { maxLength: 120 }).map((flows) => ({ flows: numbered(flows), oneGateway: false })) },
  { weight: 1, arbitrary: fc.array(validFlowArb(), { maxLength: 40 }).map((flows) => ({ flows: numbered(flows), oneGateway: false })) },
);

function run(flows: FlowRecord[]): { alerts: Alert[]; pipeline: Pipeline } {
  const pipeline = new Pipeline(config);
  const alerts: Alert[] = [];
  // Copies: the engine must not depend on (or change) the caller's objects.
  for (const f of flows) alerts.push(...pipeline.push({ ...f }));
  alerts.push(...pipeline.finish());
  return { alerts, pipeline };
}

/** Internal per testConfig (10.0.0.0/8), IPv4-mapped IPv6 included: worked out apart from the engine's cache. */
function isInternal(ip: string): boolean {
  const addr = ipaddr.process(ip);
  return addr.kind() === 'ipv4' && (addr as ipaddr.IPv4).octets[0] === 10;
}

/** Late per DESIGN.md: its window ended at or before the watermark (max event time seen before it - allowed_lateness). */
function expectedLate(flows: FlowRecord[]): number {
  const { size, allowed_lateness: lateness } = config.windows;
  let maxSeen = -Infinity;
  let late = 0;
  for (const f of flows) {
    if (!isInternal(f.dst_ip) && Math.floor(f.end_ms / size) * size + size <= maxSeen - lateness) late++;
    maxSeen = Math.max(maxSeen, f.end_ms);
  }
  return late;
}

/** The alert fits DESIGN.md's contract and both publishing encodings take it. */
function checkAlert(a: Alert, flowIds: Set<string>): void {
  expect(alertContractProblem(a, flowIds, config.config_version)).toBeNull();
  encodeAlert(a, 'json');
  encodeAlert(a, 'avro');
}

describe('Pipeline under random valid flows', () => {
  it('never throws, counts every record, and emits alerts that fit the contract', () => {
    let alertsSeen = 0;
    fc.assert(
      fc.property(sequenceArb, ({ flows, oneGateway }) => {
        const { alerts, pipeline } = run(flows);
        const c = pipeline.engine.counters;
        expect(c.records).toBe(flows.length);
        const internal = flows.filter((f) => isInternal(f.dst_ip)).length;
        expect(c.internal).toBe(internal);
        expect(c.duplicates ?? 0).toBe(0);
        // Each external record lands in its window or is counted late.
        expect(c.late).toBeLessThanOrEqual(flows.length - internal);
        if (oneGateway) expect(c.late).toBe(expectedLate(flows));
        const byType = Object.values(c.alerts).reduce((n, k) => n + (k ?? 0), 0);
        expect(byType).toBe(alerts.length);
        const ids = new Set(flows.map((f) => f.flow_id));
        for (const a of alerts) checkAlert(a, ids);
        alertsSeen += alerts.length;
      }),
      { seed: SEED, numRuns: 100 },
    );
    // The clustered flows must make the detectors fire, or the alert checks above prove little.
    expect(alertsSeen).toBeGreaterThan(100);
  });

  it('gives the same alerts and the same state for the same input', () => {
    fc.assert(
      fc.property(sequenceArb, ({ flows }) => {
        const first = run(flows);
        const second = run(flows);
        expect(second.alerts).toStrictEqual(first.alerts);
        expect(second.pipeline.engine.snapshot()).toStrictEqual(first.pipeline.engine.snapshot());
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('saturates summed bytes, so a window of record-sized counts still gives a publishable alert', () => {
    const pipeline = new Pipeline(config);
    const alerts: Alert[] = [];
    // Three days of steady traffic to learn a baseline, then one minute of three maximal flows.
    for (let m = 0; m < 3 * 24 * 60; m++) alerts.push(...pipeline.push(flow({ end_ms: T0 + m * MIN, bytes_out: 1000 + (m % 7) * 10 })));
    const spike = T0 + 3 * 24 * 60 * MIN;
    for (let i = 0; i < 3; i++) alerts.push(...pipeline.push(flow({ end_ms: spike + i, bytes_out: MAX_COUNT })));
    for (let m = 1; m < 120; m++) alerts.push(...pipeline.push(flow({ end_ms: spike + m * MIN, bytes_out: 1000 })));
    alerts.push(...pipeline.finish());
    const spikes = alerts.filter((a) => a.type === 'VOLUME_SPIKE' && a.window_start_ms === spike);
    expect(spikes.map((a) => [a.bytes, a.flow_count, a.window_end_ms])).toEqual([[MAX_TOTAL, 3, spike + MIN]]);
    expect(MAX_TOTAL).toBe(2 ** 53 - 2);
    const ids = new Set(alerts.flatMap((a) => a.sample_flow_ids));
    for (const a of alerts) checkAlert(a, ids);
  });

  it('counts a repeated delivery as a record and keeps its alerts within the contract', () => {
    fc.assert(
      fc.property(fc.array(validFlowArb({ spanMs: 6 * HOUR, pooled: true }), { minLength: 1, maxLength: 60 }), fc.nat(), (flows, pick) => {
        const withCopy = [...flows, flows[pick % flows.length]];
        const { alerts, pipeline } = run(withCopy);
        expect(pipeline.engine.counters.records).toBe(withCopy.length);
        const ids = new Set(withCopy.map((f) => f.flow_id));
        for (const a of alerts) checkAlert(a, ids);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});
