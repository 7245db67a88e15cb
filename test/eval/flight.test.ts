import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { flight } from '../../src/cli/flight.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import type { Alert, AlertType } from '../../src/engine/types.js';
import { diffFlight, formatFlight } from '../../src/eval/flight.js';
import type { Incident } from '../../src/generate/types.js';
import { flow, MIN, T0, testConfig } from '../engine/fixtures.js';
import { tempDir } from '../io/fixtures.js';

function alert(type: AlertType, destination: string, window_start_ms: number, config_version: string): Alert {
  return {
    alert_id: `${config_version}-${type}-${destination}-${window_start_ms}`, type, severity: 'HIGH', destination,
    dst_country: null, data_class: 'eu_user_data', principal: 'svc-a', gateway_id: null,
    window_start_ms, window_end_ms: window_start_ms + 60_000, flow_count: 1, bytes: 1, observed: 1, expected: 0, score: 1,
    threshold: 1, reason: 'test', sample_flow_ids: [], config_version, detected_at_ms: window_start_ms + 60_000,
  };
}

describe('diffFlight', () => {
  it('pairs alerts by type, destination, data class, principal and window, not by alert_id', () => {
    const inForce = [
      alert('VOLUME_SPIKE', 'a.example', 0, 'old'),
      alert('VOLUME_SPIKE', 'a.example', 60_000, 'old'),
      alert('VOLUME_SPIKE', 'b.example', 0, 'old'),
      alert('RESIDENCY_VIOLATION', 'c.example', 0, 'old'),
    ];
    const candidate = [
      alert('VOLUME_SPIKE', 'a.example', 60_000, 'new'), // the same alert under another config: no change
      alert('RESIDENCY_VIOLATION', 'c.example', 0, 'new'),
      alert('RESIDENCY_VIOLATION', 'c.example', 0, 'new'), // a repeat the in-force run gave once: one gained
      alert('SUSTAINED_INCREASE', 'a.example', 120_000, 'new'),
    ];
    const truth: Incident[] = [
      { incident_id: 'i1', type: 'VOLUME_SPIKE', destination: 'b.example', data_class: null, principal: null, start_ms: 10_000, end_ms: 20_000 },
      { incident_id: 'i2', type: 'SUSTAINED_INCREASE', destination: 'a.example', data_class: null, principal: null, start_ms: 100_000, end_ms: 500_000 },
      { incident_id: 'i3', type: 'VOLUME_SPIKE', destination: 'a.example', data_class: null, principal: null, start_ms: 70_000, end_ms: 80_000 },
    ];
    const d = diffFlight(inForce, candidate, truth);
    // Ordered as ALERT_TYPES lists the types, then by destination.
    expect(d.changed).toEqual([
      { type: 'RESIDENCY_VIOLATION', destination: 'c.example', baseline: 1, candidate: 2, gained: 1, lost: 0 },
      { type: 'VOLUME_SPIKE', destination: 'a.example', baseline: 2, candidate: 1, gained: 0, lost: 1 },
      { type: 'VOLUME_SPIKE', destination: 'b.example', baseline: 1, candidate: 0, gained: 0, lost: 1 },
      { type: 'SUSTAINED_INCREASE', destination: 'a.example', baseline: 0, candidate: 1, gained: 1, lost: 0 },
    ]);
    expect(d.incidents).toEqual([
      { incident_id: 'i1', type: 'VOLUME_SPIKE', destination: 'b.example', baseline: true, candidate: false },
      { incident_id: 'i2', type: 'SUSTAINED_INCREASE', destination: 'a.example', baseline: false, candidate: true },
      { incident_id: 'i3', type: 'VOLUME_SPIKE', destination: 'a.example', baseline: true, candidate: true },
    ]);
    expect(formatFlight(d, { baseline: 'now.yaml', candidate: 'next.yaml' })).toEqual([
      'flight: next.yaml (candidate) against now.yaml (in force), same traffic',
      '  alerts: 4 -> 4 (0)',
      '    RESIDENCY_VIOLATION           1 ->      2 (+1)',
      '    VOLUME_SPIKE                  3 ->      1 (-2)',
      '    SUSTAINED_INCREASE            0 ->      1 (+1)',
      '  changed (type, destination: gained/lost):',
      '    RESIDENCY_VIOLATION      c.example: +1 -0',
      '    VOLUME_SPIKE             a.example: +0 -1',
      '    VOLUME_SPIKE             b.example: +0 -1',
      '    SUSTAINED_INCREASE       a.example: +1 -0',
      '  incidents caught: 2/3 in force, 2/3 candidate',
      '    no longer caught: i1 VOLUME_SPIKE b.example',
      '    newly caught:     i2 SUSTAINED_INCREASE a.example',
    ]);
  });

  it('says so when nothing changes', () => {
    const a = [alert('GATEWAY_BYPASS', 'x.example', 0, 'v1')];
    const d = diffFlight(a, [alert('GATEWAY_BYPASS', 'x.example', 0, 'v2')]);
    expect(d.changed).toEqual([]);
    expect(d.incidents).toBeNull();
    expect(d.baseline.config_version).toBe('v1');
    expect(d.candidate.config_version).toBe('v2');
    expect(formatFlight(d, { baseline: 'a', candidate: 'b' })).toContain('  no alert gained or lost');
  });
});

describe('flight over a file', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('shows what allowing US for eu_user_data would lose and gain', async () => {
    // In force: eu_user_data may go to EEA and GB only. Candidate: US too.
    // f1 (T0, DE) is allowed by both. f2 (T0+1m, US) is a residency violation in force only;
    // within the 1h learning period it is no NEW_DESTINATION. f3 (T0+2h, a second US host)
    // is a residency violation in force (which NEW_DESTINATION defers to), and under the
    // candidate, where it is allowed, a NEW_DESTINATION after the learning period.
    const flows = [
      flow({ end_ms: T0 }),
      flow({ end_ms: T0 + MIN, dst_host: 'us.example', dst_ip: '203.0.113.9', dst_country: 'US' }),
      flow({ end_ms: T0 + 120 * MIN, dst_host: 'us2.example', dst_ip: '203.0.113.10', dst_country: 'US' }),
    ];
    const input = tmp.file('flows.jsonl');
    writeFileSync(input, flows.map((f) => JSON.stringify(f)).join('\n') + '\n');
    const truth = tmp.file('truth.jsonl');
    writeFileSync(truth, JSON.stringify({ incident_id: 'r1', type: 'RESIDENCY_VIOLATION', destination: 'us.example', data_class: 'eu_user_data', principal: 'svc-eu-export', start_ms: T0 + MIN, end_ms: T0 + MIN }) + '\n');
    const inForce = testConfig();
    const allowUs = configAllowing('US');
    const printed: string[] = [];
    const d = await flight({
      config: allowUs, configPath: 'next.yaml', baselineConfig: inForce, baselineConfigPath: 'now.yaml',
      input, output: null, truth, progress: false, log: () => {}, print: (l) => printed.push(l),
    });
    expect(d.changed).toEqual([
      { type: 'RESIDENCY_VIOLATION', destination: 'us.example', baseline: 1, candidate: 0, gained: 0, lost: 1 },
      { type: 'RESIDENCY_VIOLATION', destination: 'us2.example', baseline: 1, candidate: 0, gained: 0, lost: 1 },
      { type: 'NEW_DESTINATION', destination: 'us2.example', baseline: 0, candidate: 1, gained: 1, lost: 0 },
    ]);
    expect(d.incidents).toEqual([{ incident_id: 'r1', type: 'RESIDENCY_VIOLATION', destination: 'us.example', baseline: true, candidate: false }]);
    expect(d.baseline.config_version).not.toBe(d.candidate.config_version);
    expect(printed.slice(-2)).toEqual(['  incidents caught: 1/1 in force, 0/1 candidate', '    no longer caught: r1 RESIDENCY_VIOLATION us.example']);
  });
});

/** testConfig's policy with one more allowed country: a candidate config with another config_version. */
function configAllowing(country: string): Config {
  return parseConfig(
    `
policy:
  internal_networks: [10.0.0.0/8]
  data_classes:
    eu_user_data:
      allowed_countries: [EEA, GB, ${country}]
      principals: ["svc-eu-*", alice]
      require_gateway: true
detectors:
  new_destination: {learning_period: 1h}
`,
    'next.yaml',
  );
}
