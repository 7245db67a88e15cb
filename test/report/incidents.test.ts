// The report's incident list: every incident in the period whatever its type (NEW_DESTINATION
// included), totals summed over its records, and rendered in the HTML.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/engine/types.js';
import { renderReportHtml } from '../../src/report/html.js';
import { listIncidents } from '../../src/report/incidents.js';
import { ReportCollector } from '../../src/report/collect.js';
import { MIN, T0, testConfig } from '../engine/fixtures.js';

function alert(over: Partial<Alert>): Alert {
  return {
    alert_id: 'a', type: 'RESIDENCY_VIOLATION', severity: 'CRITICAL', destination: 'us.example', dst_country: 'US', data_class: 'eu_user_data',
    principal: 'svc-eu-export', gateway_id: 'gw-1', window_start_ms: T0, window_end_ms: T0, flow_count: 1, bytes: 100, observed: 100, expected: 0,
    score: 1, threshold: 1, reason: 'r', sample_flow_ids: ['f1'], config_version: 'v', detected_at_ms: T0, ...over,
  };
}

// A residency incident: OPEN (1 flow, 100 B at T0) and CLOSED (3 flows, 900 B from T0+2m to T0+6m).
const resOpen = alert({ alert_id: 'r1', incident_id: 'r1', incident_state: 'OPEN' });
const resClosed = alert({ alert_id: 'r2', incident_id: 'r1', incident_state: 'CLOSED', flow_count: 3, bytes: 900, window_start_ms: T0 + 2 * MIN, window_end_ms: T0 + 6 * MIN, detected_at_ms: T0 + 21 * MIN });
// A NEW_DESTINATION incident of one record, and a volume one that escalated (MEDIUM then HIGH).
const newDest = alert({ alert_id: 'n1', incident_id: 'n1', incident_state: 'OPEN', type: 'NEW_DESTINATION', severity: 'MEDIUM', destination: 'new.example', window_start_ms: T0 + MIN, window_end_ms: T0 + MIN, detected_at_ms: T0 + MIN, bytes: 52_000 });
const creepOpen = alert({ alert_id: 's1', incident_id: 's1', incident_state: 'OPEN', type: 'SUSTAINED_INCREASE', severity: 'MEDIUM', destination: 'creep.example', data_class: null, principal: null, window_start_ms: T0 - 60 * MIN, window_end_ms: T0 + 30 * MIN, detected_at_ms: T0 + 30 * MIN, flow_count: 500, bytes: 5_000_000, score: 5.5 });
const creepUp = alert({ alert_id: 's2', incident_id: 's1', incident_state: 'ESCALATED', type: 'SUSTAINED_INCREASE', severity: 'HIGH', destination: 'creep.example', data_class: null, principal: null, window_start_ms: T0 + 30 * MIN, window_end_ms: T0 + 90 * MIN, detected_at_ms: T0 + 90 * MIN, flow_count: 700, bytes: 9_000_000, score: 9.25 });
// An alert written before incidents: an incident of one record with no state.
const legacy = alert({ alert_id: 'old', type: 'GATEWAY_BYPASS', severity: 'HIGH', destination: 'bypass.example', window_start_ms: T0 + 3 * MIN, window_end_ms: T0 + 3 * MIN, detected_at_ms: T0 + 3 * MIN });

describe('listIncidents', () => {
  it('groups records by incident, sums their totals, keeps the latest state and the highest severity', () => {
    expect(listIncidents([resOpen, newDest, legacy, resClosed, creepOpen, creepUp])).toEqual([
      { incident_id: 's1', type: 'SUSTAINED_INCREASE', destination: 'creep.example', data_class: null, principal: null, state: 'ESCALATED', severity: 'HIGH', records: 2, first_seen_ms: T0 - 60 * MIN, last_seen_ms: T0 + 90 * MIN, flows: 1200, bytes: 14_000_000, peak_score: 9.25, alert_ids: ['s1', 's2'] },
      { incident_id: 'r1', type: 'RESIDENCY_VIOLATION', destination: 'us.example', data_class: 'eu_user_data', principal: 'svc-eu-export', state: 'CLOSED', severity: 'CRITICAL', records: 2, first_seen_ms: T0, last_seen_ms: T0 + 6 * MIN, flows: 4, bytes: 1000, peak_score: 1, alert_ids: ['r1', 'r2'] },
      { incident_id: 'n1', type: 'NEW_DESTINATION', destination: 'new.example', data_class: 'eu_user_data', principal: 'svc-eu-export', state: 'OPEN', severity: 'MEDIUM', records: 1, first_seen_ms: T0 + MIN, last_seen_ms: T0 + MIN, flows: 1, bytes: 52_000, peak_score: 1, alert_ids: ['n1'] },
      { incident_id: 'old', type: 'GATEWAY_BYPASS', destination: 'bypass.example', data_class: 'eu_user_data', principal: 'svc-eu-export', state: null, severity: 'HIGH', records: 1, first_seen_ms: T0 + 3 * MIN, last_seen_ms: T0 + 3 * MIN, flows: 1, bytes: 100, peak_score: 1, alert_ids: ['old'] },
    ]);
  });
});

describe('the report', () => {
  it('lists every incident in its figures and its HTML, the NEW_DESTINATION destination named', () => {
    const c = new ReportCollector(testConfig(), { from_ms: null, to_ms: null });
    const alerts = [resOpen, newDest, resClosed];
    const d = c.finish([{ kind: 'alerts', name: 'a', sha256: 'h', bytes: 1 }], alerts, alerts);
    expect(d.incidents.map((i) => [i.incident_id, i.type, i.destination, i.state, i.records, i.flows, i.bytes])).toEqual([
      ['r1', 'RESIDENCY_VIOLATION', 'us.example', 'CLOSED', 2, 4, 1000],
      ['n1', 'NEW_DESTINATION', 'new.example', 'OPEN', 1, 1, 52_000],
    ]);
    const html = renderReportHtml(d);
    expect(html).toContain('<h2>Incidents</h2>\n<p>2 incidents; totals are the sums over each incident');
    expect(html).toContain(
      '<tr><td class="mono">n1</td><td>NEW_DESTINATION</td><td>new.example</td><td>eu_user_data</td><td>svc-eu-export</td><td>OPEN</td><td>MEDIUM</td>' +
        '<td>2026-01-05T09:01:00Z</td><td>2026-01-05T09:01:00Z</td><td class="n">1</td><td class="n">1</td><td class="n">52 KB</td></tr>',
    );
    expect(html).toContain(
      '<tr><td class="mono">r1</td><td>RESIDENCY_VIOLATION</td><td>us.example</td><td>eu_user_data</td><td>svc-eu-export</td><td>CLOSED</td><td>CRITICAL</td>' +
        '<td>2026-01-05T09:00:00Z</td><td>2026-01-05T09:06:00Z</td><td class="n">2</td><td class="n">4</td><td class="n">1 KB</td></tr>',
    );
  });

  it('says when the period holds no incident', () => {
    const d = new ReportCollector(testConfig(), { from_ms: null, to_ms: null }).finish([], [], null);
    expect(d.incidents).toEqual([]);
    expect(renderReportHtml(d)).toContain('<h2>Incidents</h2>\n<p>No incident in the period.</p>');
  });
});
