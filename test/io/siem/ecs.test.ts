import { describe, expect, it } from 'vitest';
import { fromEcs, toEcs } from '../../../src/io/siem/ecs.js';
import { ALL, CRITICAL, HIGH, LOW, MEDIUM, PRODUCT, leaves } from './alerts.js';

// The parts every document shares.
const EVENT = { kind: 'alert', category: ['network'], type: ['connection'], provider: 'egress-watch', module: 'egress_watch', dataset: 'egress_watch.alerts' };
const ECS = { version: '8.11.0' };

describe('toEcs maps every alert field', () => {
  it('CRITICAL residency alert to an IPv4 destination, every nullable field set', () => {
    expect(toEcs(CRITICAL, PRODUCT)).toStrictEqual({
      '@timestamp': '2026-01-06T03:04:00.000Z',
      ecs: ECS,
      message: 'R1.',
      event: { ...EVENT, id: 'alert-critical', severity: 5, reason: 'R1.', start: '2026-01-06T03:03:59.000Z', end: '2026-01-06T03:04:00.000Z' },
      rule: {
        id: 'residency_violation',
        name: 'RESIDENCY_VIOLATION',
        category: 'policy',
        description: 'Restricted data sent to a country its policy does not allow',
        ruleset: 'egress-watch 9.9.9',
        version: '0123456789abcdef',
      },
      destination: { address: '203.0.113.9', ip: '203.0.113.9', geo: { country_iso_code: 'US' } },
      source: { bytes: 2_500_000 },
      user: { name: 'svc-eu-export' },
      observer: { name: 'gw-1', type: 'gateway' },
      egress_watch: { data_class: 'eu_user_data', flow_count: 1, observed: 2_500_000, expected: 0, score: 1, threshold: 1, sample_flow_ids: ['f-1'] },
    });
  });

  it('HIGH bypass alert to a host name, without principal or gateway', () => {
    expect(toEcs(HIGH, PRODUCT)).toStrictEqual({
      '@timestamp': '2026-01-06T03:10:02.000Z',
      ecs: ECS,
      message: 'R2.',
      event: { ...EVENT, id: 'alert-high', severity: 4, reason: 'R2.', start: '2026-01-06T03:10:00.000Z', end: '2026-01-06T03:10:02.000Z' },
      rule: {
        id: 'gateway_bypass',
        name: 'GATEWAY_BYPASS',
        category: 'policy',
        description: 'Restricted data sent without passing a security gateway',
        ruleset: 'egress-watch 9.9.9',
        version: '0123456789abcdef',
      },
      // No user and no observer: the flow had no principal and passed no gateway.
      destination: { address: 'api.example.com', domain: 'api.example.com', geo: { country_iso_code: 'DE' } },
      source: { bytes: 1500 },
      egress_watch: { data_class: 'eu_user_data', flow_count: 1, observed: 1500, expected: 0, score: 1, threshold: 1, sample_flow_ids: ['f-2'] },
    });
  });

  it('MEDIUM sustained alert to a /24 prefix, without country or data class', () => {
    expect(toEcs(MEDIUM, PRODUCT)).toStrictEqual({
      '@timestamp': '2026-01-06T03:00:00.000Z',
      ecs: ECS,
      message: 'R3.',
      event: { ...EVENT, id: 'alert-medium', severity: 3, reason: 'R3.', start: '2026-01-06T01:00:00.000Z', end: '2026-01-06T03:00:00.000Z' },
      rule: {
        id: 'sustained_increase',
        name: 'SUSTAINED_INCREASE',
        category: 'volume baseline',
        description: 'Bytes sent to a destination stayed above its baseline',
        ruleset: 'egress-watch 9.9.9',
        version: '0123456789abcdef',
      },
      destination: { address: '198.51.100.0/24' },
      source: { bytes: 987_654_321 },
      user: { name: 'svc-backup' },
      observer: { name: 'gw-2', type: 'gateway' },
      egress_watch: {
        data_class: null,
        flow_count: 240,
        observed: 987_654_321,
        expected: 123_456_789.5,
        score: 7.25,
        threshold: 5,
        sample_flow_ids: ['f-3', 'f-4'],
      },
    });
  });

  it('LOW new-destination alert to an IPv6 destination', () => {
    expect(toEcs(LOW, PRODUCT)).toStrictEqual({
      '@timestamp': '2026-01-06T03:20:01.000Z',
      ecs: ECS,
      message: 'R4.',
      event: { ...EVENT, id: 'alert-low', severity: 2, reason: 'R4.', start: '2026-01-06T03:20:00.000Z', end: '2026-01-06T03:20:01.000Z' },
      rule: {
        id: 'new_destination',
        name: 'NEW_DESTINATION',
        category: 'first-seen',
        description: 'Destination received a data class for the first time',
        ruleset: 'egress-watch 9.9.9',
        version: '0123456789abcdef',
      },
      destination: { address: '2001:db8::7', ip: '2001:db8::7', geo: { country_iso_code: 'FR' } },
      source: { bytes: 42 },
      user: { name: 'alice' },
      observer: { name: 'gw-1', type: 'gateway' },
      egress_watch: { data_class: 'hr_records', flow_count: 1, observed: 42, expected: 0, score: 1, threshold: 1, sample_flow_ids: ['f-5'] },
    });
  });
});

describe('nothing is lost', () => {
  it.each(ALL.map((a) => [a.severity, a] as const))('%s: every field value appears in the document, and reads back as the alert', (_s, alert) => {
    const doc = JSON.parse(JSON.stringify(toEcs(alert, PRODUCT))) as Record<string, unknown>;
    const values = leaves(doc);
    // Times become ISO 8601 text and the severity a number: the only fields that change form.
    const changed = new Set(['severity', 'window_start_ms', 'window_end_ms', 'detected_at_ms']);
    for (const [field, value] of Object.entries(alert)) {
      if (value === null || changed.has(field)) continue;
      for (const v of Array.isArray(value) ? value : [value]) expect(values, field).toContain(v);
    }
    for (const field of ['window_start_ms', 'window_end_ms', 'detected_at_ms'] as const) {
      expect(values, field).toContain(new Date(alert[field]).toISOString());
    }
    expect((doc.event as { severity: number }).severity).toBe({ LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5 }[alert.severity]);
    expect(fromEcs(doc)).toStrictEqual(alert);
  });
});

describe('fromEcs refuses what egress-watch did not write, naming the path', () => {
  const doc = (): Record<string, unknown> => JSON.parse(JSON.stringify(toEcs(CRITICAL, PRODUCT))) as Record<string, unknown>;

  it('another provider', () => {
    expect(fromEcs({ '@timestamp': '2026-01-06T03:04:00.000Z', event: { kind: 'alert', provider: 'suricata' } })).toBe(
      'ECS document: event.provider "suricata" is not egress-watch: not an egress-watch alert',
    );
    expect(fromEcs({ '@timestamp': '2026-01-06T03:04:00.000Z', message: 'hello' })).toBe(
      'ECS document: event.provider null is not egress-watch: not an egress-watch alert',
    );
  });

  it('a missing, mistyped or unknown part', () => {
    const d = doc();
    (d.event as Record<string, unknown>).start = 'yesterday';
    expect(fromEcs(d)).toBe('ECS document: event.start (window_start_ms): expected an ISO 8601 time, got "yesterday"');
    const { '@timestamp': _t, ...noTime } = doc();
    expect(fromEcs(noTime)).toBe('ECS document: missing @timestamp (detected_at_ms)');
    const e = doc();
    (e.event as Record<string, unknown>).severity = 47;
    expect(fromEcs(e)).toBe('ECS document: event.severity 47 is not one egress-watch writes (2 LOW, 3 MEDIUM, 4 HIGH, 5 CRITICAL)');
    const { egress_watch: _x, ...noCustom } = doc();
    expect(fromEcs(noCustom)).toBe('ECS document: missing egress_watch');
    const { source: _s, ...noSource } = doc();
    expect(fromEcs(noSource)).toBe('ECS document: missing source.bytes (bytes)');
  });
});

describe('incident records', () => {
  const record = (state: 'OPEN' | 'ESCALATED' | 'CLOSED') => ({ ...HIGH, alert_id: `r-${state}`, incident_id: 'alert-high', incident_state: state });
  it.each([
    ['OPEN', 'start', 'incident-opened'],
    ['ESCALATED', 'change', 'incident-escalated'],
    ['CLOSED', 'end', 'incident-closed'],
  ] as const)('%s: event.type gains %s, event.action says so, the incident under egress_watch', (state, type, action) => {
    const doc = toEcs(record(state), PRODUCT) as Record<string, any>;
    expect(doc.event.type).toEqual(['connection', type]);
    expect(doc.event.action).toBe(action);
    expect(doc.event.id).toBe(`r-${state}`);
    expect(doc.egress_watch).toMatchObject({ incident_id: 'alert-high', incident_state: state });
    expect(fromEcs(JSON.parse(JSON.stringify(doc)))).toStrictEqual(record(state));
  });

  it('an alert of no incident: event.type connection alone, no event.action', () => {
    const doc = toEcs(HIGH, PRODUCT) as Record<string, any>;
    expect([doc.event.type, 'action' in doc.event, 'incident_id' in doc.egress_watch]).toEqual([['connection'], false, false]);
  });
});
