import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/engine/types.js';
import { ReportCollector } from '../../src/report/collect.js';
import { flow, MIN, T0, testConfig } from '../engine/fixtures.js';

const H = 60 * MIN;

function policyAlert(id: string, type: Alert['type'], destination: string, principal: string, at: number, samples: string[]): Alert {
  return {
    alert_id: id, type, severity: 'CRITICAL', destination, dst_country: null, data_class: 'eu_user_data', principal, gateway_id: null,
    window_start_ms: at, window_end_ms: at, flow_count: 1, bytes: 1, observed: 1, expected: 0, score: 1, threshold: 1,
    reason: 'r', sample_flow_ids: samples, config_version: 'v', detected_at_ms: at,
  };
}

describe('ReportCollector', () => {
  // Policy (testConfig): eu_user_data may go to EEA and GB, sent by svc-eu-* or alice, through a gateway.
  const flows = [
    flow({ flow_id: 'f1', end_ms: T0, gateway_id: 'gw-1', bytes_out: 1000 }),
    flow({ flow_id: 'f2', end_ms: T0 + 10 * MIN, gateway_id: 'gw-2', dst_host: 'us.example', dst_ip: '203.0.113.9', dst_country: 'US', bytes_out: 2000 }),
    flow({ flow_id: 'f3', end_ms: T0 + 20 * MIN, gateway_id: null, principal: 'mallory', bytes_out: 3000 }),
    flow({ flow_id: 'f4', end_ms: T0 + 3 * H, gateway_id: 'gw-1', data_class: null, dst_country: 'FR', principal: 'bob', bytes_out: 500 }),
    flow({ flow_id: 'f5', end_ms: T0 + 3 * H + 5 * MIN, dst_ip: '10.2.3.4' }),
    flow({ flow_id: 'f6', end_ms: T0 + 4 * H, gateway_id: 'gw-2', principal: 'alice', bytes_out: 100 }),
  ];
  const residency = policyAlert('a-res', 'RESIDENCY_VIOLATION', 'us.example', 'svc-eu-export', T0 + 10 * MIN, ['f2']);
  const principal = policyAlert('a-pri', 'UNAUTHORIZED_PRINCIPAL', 'api.example.eu', 'mallory', T0 + 20 * MIN, []);

  function collect() {
    const c = new ReportCollector(testConfig(), { from_ms: null, to_ms: null });
    for (const f of flows) c.observe(f);
    return c.finish([{ kind: 'flows', name: 'x', sha256: 'h', bytes: 1 }], [residency], [residency, principal], 2);
  }

  it('tallies each data class by country and principal with its gateway share', () => {
    const d = collect();
    expect(d.totals).toEqual({ records: 8, malformed: 2, flows: 5, bytes: 6600, internal: 1, outside_range: 0, outside_policy: 3, unalerted_violations: 1, alerts: 2 });
    expect(d.classes).toEqual([
      {
        data_class: '(unclassified)', in_policy: false, flows: 1, bytes: 500, gateway_bytes: 500, gateway_share: 1,
        by_country: [{ key: 'FR', flows: 1, bytes: 500 }], by_principal: [{ key: 'bob', flows: 1, bytes: 500 }],
      },
      {
        data_class: 'eu_user_data', in_policy: true, flows: 4, bytes: 6100, gateway_bytes: 3100, gateway_share: 3100 / 6100,
        by_country: [{ key: 'DE', flows: 3, bytes: 4100 }, { key: 'US', flows: 1, bytes: 2000 }],
        by_principal: [{ key: 'mallory', flows: 1, bytes: 3000 }, { key: 'svc-eu-export', flows: 2, bytes: 3000 }, { key: 'alice', flows: 1, bytes: 100 }],
      },
    ]);
  });

  it('lists every flow outside policy, each tied to the alert covering it or marked as uncovered', () => {
    const d = collect();
    expect(d.violations.by_rule).toEqual({ RESIDENCY_VIOLATION: 1, UNAUTHORIZED_PRINCIPAL: 1, GATEWAY_BYPASS: 1 });
    expect(d.violations.rows.map((v) => [v.flow_id, v.rule, v.destination, v.alert_id])).toEqual([
      ['f2', 'RESIDENCY_VIOLATION', 'us.example', 'a-res'], // by sample flow id
      ['f3', 'GATEWAY_BYPASS', 'api.example.eu', null], // no bypass alert was published: the gap shows
      ['f3', 'UNAUTHORIZED_PRINCIPAL', 'api.example.eu', 'a-pri'], // by the alert's window
    ]);
    expect(d.reconciliation).toEqual({ provided: 2, reproduced: 1, missing_from_file: [], not_reproduced: ['a-pri'] });
  });

  it('shows gateway coverage per hour and the gaps where one gateway fell silent while another sent', () => {
    const d = collect();
    expect(d.meta.bucket_ms).toBe(H);
    expect(d.gateways.buckets).toEqual([T0, T0 + H, T0 + 2 * H, T0 + 3 * H, T0 + 4 * H]);
    expect(d.gateways.series).toEqual([
      { gateway: 'gw-1', flows: [1, 0, 0, 1, 0] },
      { gateway: 'gw-2', flows: [1, 0, 0, 0, 1] },
    ]);
    expect(d.gateways.no_gateway).toEqual([1, 0, 0, 0, 0]);
    // Hours 1 and 2 had no traffic at all: quiet, not a gap.
    expect(d.gateways.gaps).toEqual([
      { gateway: 'gw-1', from_ms: T0 + 4 * H, to_ms: T0 + 5 * H },
      { gateway: 'gw-2', from_ms: T0 + 3 * H, to_ms: T0 + 4 * H },
    ]);
    expect(d.alerts.by_type.RESIDENCY_VIOLATION).toEqual([1, 0, 0, 0, 0]);
    expect(d.alerts.by_type_severity.UNAUTHORIZED_PRINCIPAL.CRITICAL).toBe(1);
  });

  it('keeps to the period: flows outside --from/--to are counted, not reported', () => {
    const c = new ReportCollector(testConfig(), { from_ms: T0 + 3 * H, to_ms: T0 + 4 * H });
    for (const f of flows) c.observe(f);
    const d = c.finish([], [], null);
    expect(d.totals).toEqual({ records: 6, malformed: 0, flows: 1, bytes: 500, internal: 1, outside_range: 4, outside_policy: 0, unalerted_violations: 0, alerts: 0 });
    expect(d.gateways.buckets).toEqual([T0 + 3 * H]);
    expect(d.reconciliation).toBeNull();
  });

  it('charts each alerted destination\'s windows with the baseline band, in time order', () => {
    const c = new ReportCollector(testConfig(), { from_ms: null, to_ms: null });
    const score = (start: number, observed: number, alerted: boolean) => ({
      destination: 'b.example', window_start_ms: start, window_end_ms: start + MIN, detector: 'VOLUME_SPIKE' as const,
      observed, expected: 1000.4, score: alerted ? 9 : 1, threshold: 6, alerted, expected_low: 200.2, expected_high: 5000.6,
    });
    c.observeWindow(score(T0 + MIN, 90_000, true)); // arrives first, from another partition
    c.observeWindow(score(T0, 1000, false));
    c.observeWindow({ ...score(T0, 1, false), detector: 'SUSTAINED_INCREASE' }); // not charted
    const spike = { ...policyAlert('a-vol', 'VOLUME_SPIKE', 'b.example', 'svc-eu-export', T0 + MIN, []), window_end_ms: T0 + 2 * MIN };
    const d = c.finish([], [spike], null);
    expect(d.destinations).toEqual([
      { destination: 'b.example', alerts: 1, types: ['VOLUME_SPIKE'], t: [T0, T0 + MIN], observed: [1000, 90_000], expected: [1000, 1000], low: [200, 200], high: [5001, 5001], alerted: [false, true] },
    ]);
  });

  it('finds a gateway gap hour by hour even when a long period charts whole days', () => {
    const c = new ReportCollector(testConfig(), { from_ms: null, to_ms: null });
    // Five days, both gateways every hour, except gw-2 silent for hours 50..54.
    for (let h = 0; h < 120; h++) {
      c.observe(flow({ end_ms: T0 + h * H, gateway_id: 'gw-1', data_class: null }));
      if (h < 50 || h > 54) c.observe(flow({ end_ms: T0 + h * H + MIN, gateway_id: 'gw-2', data_class: null }));
    }
    const d = c.finish([], [], null);
    expect(d.meta.bucket_ms).toBe(24 * H);
    expect(d.gateways.buckets.length).toBe(6); // T0 is 09:00: the days from 00:00 on the first to the sixth
    expect(d.gateways.gaps).toEqual([{ gateway: 'gw-2', from_ms: T0 + 50 * H, to_ms: T0 + 55 * H }]);
  });
});

describe('report times', () => {
  it('needs the zone of a time of day, and takes dates, zoned times and epoch ms', async () => {
    const { parseTime } = await import('../../src/cli/report-command.js');
    expect(() => parseTime('--from', '2026-01-05T01:00:00')).toThrow('--from 2026-01-05T01:00:00: give the time zone (e.g. 2026-01-05T01:00:00Z or 2026-01-05T01:00:00+01:00)');
    expect(parseTime('--from', '2026-01-05T01:00:00Z')).toBe(Date.UTC(2026, 0, 5, 1));
    expect(parseTime('--from', '2026-01-05T02:00:00+01:00')).toBe(Date.UTC(2026, 0, 5, 1));
    expect(parseTime('--to', '2026-01-05')).toBe(Date.UTC(2026, 0, 5));
    expect(parseTime('--to', '1767571200000')).toBe(1767571200000);
    expect(() => parseTime('--to', 'yesterday')).toThrow('--to yesterday: not a time');
  });
});
