// Engine.reconfigure: a reloaded config applies from the next record on, over the state the
// engine has already learnt. Reference: the same stream through an engine that had the new
// config from the start, which must give exactly the same alerts when nothing before the switch
// is decided differently by the two configs.
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { Pipeline } from '../../src/engine/pipeline.js';
import type { Alert, FlowRecord } from '../../src/engine/types.js';
import { flow, MIN, resetFlowIds, T0 } from './fixtures.js';

beforeEach(resetFlowIds);

function config(o: { allowed: string; spikeThreshold: number; residencySeverity: string; windowSize?: string; timezone?: string }): Config {
  return parseConfig(
    `
windows: {size: ${o.windowSize ?? '1m'}, allowed_lateness: 0s}
baseline: {warmup_windows: 3, timezone: ${o.timezone ?? 'UTC'}}
policy:
  internal_networks: [10.0.0.0/8]
  data_classes:
    eu_user_data: {allowed_countries: [${o.allowed}], principals: ["svc-eu-*"]}
detectors:
  residency_violation: {severity: ${o.residencySeverity}}
  new_destination: {learning_period: 10m}
  volume_spike: {min_bytes: 1KB}
  sustained_increase: {enabled: false}
  overrides:
    - {match: {destination: steady.example.eu}, volume_spike: {threshold: ${o.spikeThreshold}}}
alerts: {suppress_for: 0s}
`,
    'reconfigure-test.yaml',
  );
}

// Before: volume spikes to steady.example.eu need a score above 1000 (never), GB is allowed.
const BEFORE = config({ allowed: 'EEA, GB', spikeThreshold: 1000, residencySeverity: 'CRITICAL' });
// After: the override's threshold is 6, GB is no longer allowed, residency alerts are HIGH.
const AFTER = config({ allowed: 'EEA', spikeThreshold: 6, residencySeverity: 'HIGH' });

/** Six quiet minutes: one 1 KB flow a window to steady.example.eu, and learnt.example.eu seen while learning. */
function beforeSwitch(): FlowRecord[] {
  const flows: FlowRecord[] = [];
  for (let k = 0; k < 6; k++) {
    flows.push(flow({ dst_host: 'steady.example.eu', end_ms: T0 + k * MIN + 30_000 }));
    if (k === 1) flows.push(flow({ dst_host: 'learnt.example.eu', end_ms: T0 + k * MIN + 40_000 }));
  }
  return flows;
}

/** Minute 6 carries 40 x 100 KB from 5 sources; minute 7 closes it; then a learnt, a new and a GB destination. */
function afterSwitch(): FlowRecord[] {
  const flows: FlowRecord[] = [];
  for (let i = 0; i < 40; i++) {
    flows.push(
      flow({ dst_host: 'steady.example.eu', end_ms: T0 + 6 * MIN + 1000 + i * 1000, bytes_out: 100_000, packets_out: 80, src_ip: `10.1.1.${1 + (i % 5)}` }),
    );
  }
  flows.push(flow({ dst_host: 'steady.example.eu', end_ms: T0 + 7 * MIN + 30_000 }));
  flows.push(flow({ dst_host: 'learnt.example.eu', end_ms: T0 + 15 * MIN }));
  flows.push(flow({ dst_host: 'new.example.eu', end_ms: T0 + 15 * MIN + 1000 }));
  flows.push(flow({ dst_host: 'shop.example.co.uk', dst_country: 'GB', end_ms: T0 + 15 * MIN + 2000 }));
  return flows;
}

function run(p: Pipeline, flows: FlowRecord[]): Alert[] {
  return flows.flatMap((f) => p.push(f));
}

describe('Engine.reconfigure', () => {
  it('keeps the learnt state and applies the new thresholds, policy and config_version to later alerts', () => {
    const first = beforeSwitch();
    const second = afterSwitch();

    const p = new Pipeline(BEFORE);
    expect(run(p, first)).toEqual([]);
    const stateBefore = p.engine.snapshot();
    p.engine.reconfigure(AFTER);
    expect(p.engine.snapshot()).toEqual(stateBefore);
    expect(p.engine.config).toBe(AFTER);
    const alerts = run(p, second);

    expect(AFTER.config_version).not.toBe(BEFORE.config_version);
    expect(alerts.map((a) => [a.type, a.destination, a.severity, a.threshold, a.config_version])).toEqual([
      ['VOLUME_SPIKE', 'steady.example.eu', 'HIGH', 6, AFTER.config_version],
      // learnt.example.eu at minute 15 raises nothing: its class was learnt before the switch.
      ['NEW_DESTINATION', 'new.example.eu', 'MEDIUM', 1, AFTER.config_version],
      ['RESIDENCY_VIOLATION', 'shop.example.co.uk', 'HIGH', 1, AFTER.config_version],
    ]);
    expect(alerts[0]).toMatchObject({ window_start_ms: T0 + 6 * MIN, window_end_ms: T0 + 7 * MIN, flow_count: 40, bytes: 4_000_000 });

    // The reference: AFTER from the first record gives the very same alerts, ids and scores included.
    resetFlowIds();
    const reference = new Pipeline(AFTER);
    expect(run(reference, [...beforeSwitch(), ...afterSwitch()])).toEqual(alerts);

    // Without the switch: no spike alert, and the GB destination is merely new (GB allowed).
    resetFlowIds();
    const unchanged = new Pipeline(BEFORE);
    const old = run(unchanged, [...beforeSwitch(), ...afterSwitch()]);
    expect(old.map((a) => [a.type, a.destination, a.severity, a.config_version])).toEqual([
      ['NEW_DESTINATION', 'new.example.eu', 'MEDIUM', BEFORE.config_version],
      ['NEW_DESTINATION', 'shop.example.co.uk', 'MEDIUM', BEFORE.config_version],
    ]);
  });

  it('refuses settings that shape the state, and keeps the old config', () => {
    const p = new Pipeline(BEFORE);
    run(p, beforeSwitch());
    const wider = config({ allowed: 'EEA', spikeThreshold: 6, residencySeverity: 'HIGH', windowSize: '2m', timezone: 'Europe/Berlin' });
    expect(() => p.engine.reconfigure(wider)).toThrow(new Error('cannot change without a restart: windows.size, baseline.timezone'));
    expect(p.engine.config).toBe(BEFORE);
  });

  it('refuses a change of baseline.day_zones, which decides the days a destination\'s state was learnt in', () => {
    const p = new Pipeline(BEFORE);
    run(p, beforeSwitch());
    const zoned = { ...BEFORE, baseline: { ...BEFORE.baseline, day_zones: [{ destination: '*.example.eu', timezone: 'Asia/Tokyo' }] } };
    expect(() => p.engine.reconfigure(zoned)).toThrow(new Error('cannot change without a restart: baseline.day_zones'));
    expect(p.engine.config).toBe(BEFORE);
  });
});
