import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/engine/types.js';
import {
  alertPredicate,
  formatAlertJson,
  formatAlertLine,
  parseAlertFilter,
  parseSince,
  shouldColor,
} from '../../src/kafka/alert-view.js';
import { alertsOptionsFrom } from '../../src/cli/alerts-command.js';

function alert(over: Partial<Alert> = {}): Alert {
  return {
    alert_id: 'a1',
    type: 'RESIDENCY_VIOLATION',
    severity: 'CRITICAL',
    destination: 'api.example.com',
    dst_country: 'US',
    data_class: 'eu_user_data',
    principal: 'svc-eu-billing',
    gateway_id: 'gw-1',
    window_start_ms: Date.UTC(2026, 0, 6, 3, 3),
    window_end_ms: Date.UTC(2026, 0, 6, 3, 4),
    flow_count: 2,
    bytes: 2048,
    observed: 2048,
    expected: 0,
    score: 1,
    threshold: 1,
    reason: 'eu_user_data sent to US, outside EEA, GB.',
    sample_flow_ids: ['f1', 'f2'],
    config_version: 'abc',
    detected_at_ms: Date.UTC(2026, 0, 6, 3, 4),
    ...over,
  };
}

const NOW = Date.UTC(2026, 0, 6, 12, 0);

describe('formatAlertLine', () => {
  it('prints severity, ISO detection time, padded type, destination and reason without colour', () => {
    expect(formatAlertLine(alert(), false)).toBe(
      'CRITICAL 2026-01-06T03:04:00.000Z RESIDENCY_VIOLATION    api.example.com  eu_user_data sent to US, outside EEA, GB.',
    );
    expect(formatAlertLine(alert({ severity: 'LOW', type: 'UNAUTHORIZED_PRINCIPAL', destination: '203.0.113.9', reason: 'r.' }), false)).toBe(
      'LOW      2026-01-06T03:04:00.000Z UNAUTHORIZED_PRINCIPAL 203.0.113.9  r.',
    );
  });

  it('colours only the severity: CRITICAL red bold, HIGH red, MEDIUM yellow, LOW dim', () => {
    const rest = ' 2026-01-06T03:04:00.000Z RESIDENCY_VIOLATION    api.example.com  eu_user_data sent to US, outside EEA, GB.';
    expect(formatAlertLine(alert(), true)).toBe(`\x1b[1;31mCRITICAL\x1b[0m${rest}`);
    expect(formatAlertLine(alert({ severity: 'HIGH' }), true)).toBe(`\x1b[31mHIGH    \x1b[0m${rest}`);
    expect(formatAlertLine(alert({ severity: 'MEDIUM' }), true)).toBe(`\x1b[33mMEDIUM  \x1b[0m${rest}`);
    expect(formatAlertLine(alert({ severity: 'LOW' }), true)).toBe(`\x1b[2mLOW     \x1b[0m${rest}`);
  });

  it('--json prints the alert as one JSON line with every field', () => {
    const line = formatAlertJson(alert());
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(alert());
  });
});

describe('shouldColor', () => {
  it('colours a terminal unless NO_COLOR is set; never a pipe', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({}, {})).toBe(false);
  });
});

describe('alert filters', () => {
  const a = alert({ alert_id: 'a', type: 'RESIDENCY_VIOLATION', severity: 'CRITICAL', destination: 'api.example.com' });
  const b = alert({ alert_id: 'b', type: 'VOLUME_SPIKE', severity: 'HIGH', destination: 'backup.example.org' });
  const c = alert({ alert_id: 'c', type: 'NEW_DESTINATION', severity: 'MEDIUM', destination: 'cdn.example.com', detected_at_ms: NOW - 30 * 60_000 });
  const d = alert({ alert_id: 'd', type: 'SUSTAINED_INCREASE', severity: 'LOW', destination: '198.51.100.7', detected_at_ms: NOW });
  const all = [a, b, c, d];
  const ids = (text: Parameters<typeof parseAlertFilter>[0]) =>
    all.filter(alertPredicate(parseAlertFilter(text, NOW))).map((x) => x.alert_id).join(',');

  it('no filter keeps everything', () => {
    expect(ids({})).toBe('a,b,c,d');
  });
  it('--type keeps the listed types, case-insensitive, comma-separated', () => {
    expect(ids({ type: 'volume_spike, NEW_DESTINATION' })).toBe('b,c');
  });
  it('--min-severity keeps that severity and above', () => {
    expect(ids({ minSeverity: 'high' })).toBe('a,b');
    expect(ids({ minSeverity: 'LOW' })).toBe('a,b,c,d');
    expect(ids({ minSeverity: 'CRITICAL' })).toBe('a');
  });
  it('--destination is a glob', () => {
    expect(ids({ destination: '*.example.com' })).toBe('a,c');
    expect(ids({ destination: '198.51.100.*' })).toBe('d');
  });
  it('--since keeps alerts detected at or after the instant, a duration before now or ISO', () => {
    expect(ids({ since: '30m' })).toBe('c,d');
    expect(ids({ since: '2026-01-06T12:00:00Z' })).toBe('d');
    expect(parseSince('1h', NOW)).toBe(NOW - 3_600_000);
    expect(parseSince('2026-01-06T11:00:00Z', NOW)).toBe(NOW - 3_600_000);
  });
  it('filters combine with AND', () => {
    expect(ids({ destination: '*.example.*', minSeverity: 'MEDIUM', type: 'NEW_DESTINATION,RESIDENCY_VIOLATION' })).toBe('a,c');
  });
  it('a bad filter names the option and the value', () => {
    expect(() => parseAlertFilter({ type: 'SPIKE' }, NOW)).toThrow(
      '--type: unknown alert type SPIKE; expected some of RESIDENCY_VIOLATION, UNAUTHORIZED_PRINCIPAL, GATEWAY_BYPASS, NEW_DESTINATION, VOLUME_SPIKE, SUSTAINED_INCREASE, GATEWAY_SILENT',
    );
    expect(() => parseAlertFilter({ minSeverity: 'urgent' }, NOW)).toThrow(
      '--min-severity: unknown severity "urgent"; expected one of LOW, MEDIUM, HIGH, CRITICAL',
    );
    expect(() => parseAlertFilter({ since: 'yesterday' }, NOW)).toThrow(
      '--since: expected a duration such as 1h or an ISO 8601 time such as 2026-01-06T00:00:00Z, got "yesterday"',
    );
    expect(() => parseAlertFilter({ since: '3w' }, NOW)).toThrow(/^--since: expected a duration/);
  });
});

describe('alertsOptionsFrom', () => {
  it('turns the texts into options; --since implies reading from the beginning', () => {
    const o = alertsOptionsFrom({ max: '2', timeout: '30s', since: '1h', json: true }, NOW);
    expect(o.max).toBe(2);
    expect(o.timeoutMs).toBe(30_000);
    expect(o.fromBeginning).toBe(true);
    expect(o.json).toBe(true);
    expect(o.filter?.sinceMs).toBe(NOW - 3_600_000);
    expect(alertsOptionsFrom({}, NOW).fromBeginning).toBe(false);
  });
  it('refuses a bad --max or --timeout by name', () => {
    expect(() => alertsOptionsFrom({ max: '0' }, NOW)).toThrow('--max: expected a whole number of at least 1, got "0"');
    expect(() => alertsOptionsFrom({ timeout: 'soon' }, NOW)).toThrow(/^--timeout: expected a duration/);
  });
});

describe('incident records in the alerts view', () => {
  const opened = alert({ alert_id: 'i1', incident_id: 'i1', incident_state: 'OPEN' });
  const closed = alert({ alert_id: 'i2', incident_id: 'i1', incident_state: 'CLOSED', reason: 'closed.' });
  const escalated = alert({ alert_id: 'i3', incident_id: 'i9', incident_state: 'ESCALATED' });
  const none = alert({ alert_id: 'x' });

  it('names the state and the incident id before the reason; an alert of no incident reads as before', () => {
    expect(formatAlertLine(closed, false)).toBe('CRITICAL 2026-01-06T03:04:00.000Z RESIDENCY_VIOLATION    api.example.com  CLOSED incident i1  closed.');
    expect(formatAlertLine(none, false)).toBe('CRITICAL 2026-01-06T03:04:00.000Z RESIDENCY_VIOLATION    api.example.com  eu_user_data sent to US, outside EEA, GB.');
  });

  it('--state keeps records in the listed states, case-insensitive; alerts of no incident never match', () => {
    const keep = alertPredicate(parseAlertFilter({ state: 'open, Closed' }, NOW));
    expect([opened, closed, escalated, none].filter(keep).map((a) => a.alert_id)).toEqual(['i1', 'i2']);
    const onlyEscalated = alertPredicate(parseAlertFilter({ state: 'ESCALATED' }, NOW));
    expect([opened, closed, escalated, none].filter(onlyEscalated).map((a) => a.alert_id)).toEqual(['i3']);
  });

  it('a bad --state names the option and the value', () => {
    expect(() => parseAlertFilter({ state: 'OPEN,RESOLVED' }, NOW)).toThrow('--state: unknown incident state RESOLVED; expected some of OPEN, ESCALATED, CLOSED');
    expect(() => parseAlertFilter({ state: ' , ' }, NOW)).toThrow('--state: unknown incident state " , "; expected some of OPEN, ESCALATED, CLOSED');
  });
});
