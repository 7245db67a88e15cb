import { describe, expect, it } from 'vitest';
import { fromOcsf, toOcsf } from '../../../src/io/siem/ocsf.js';
import { ALL, CRITICAL, HIGH, LOW, MEDIUM, PRODUCT, leaves } from './alerts.js';

// The parts every finding shares: OCSF 1.5.0 Detection Finding, activity Create, status New.
const CLASS = {
  activity_id: 1,
  activity_name: 'Create',
  category_uid: 2,
  category_name: 'Findings',
  class_uid: 2004,
  class_name: 'Detection Finding',
  type_uid: 200401,
  type_name: 'Detection Finding: Create',
  status_id: 1,
  status: 'New',
  is_alert: true,
};
const PRODUCT_OBJECT = { name: 'egress-watch', vendor_name: 'egress-watch', version: '9.9.9' };

describe('toOcsf maps every alert field', () => {
  it('CRITICAL residency alert to an IPv4 destination, every nullable field set', () => {
    expect(toOcsf(CRITICAL, PRODUCT)).toStrictEqual({
      ...CLASS,
      severity_id: 5,
      severity: 'Critical',
      time: Date.UTC(2026, 0, 6, 3, 4, 0),
      start_time: Date.UTC(2026, 0, 6, 3, 3, 59),
      end_time: Date.UTC(2026, 0, 6, 3, 4, 0),
      count: 1,
      message: 'R1.',
      metadata: { version: '1.5.0', product: PRODUCT_OBJECT, uid: 'alert-critical', event_code: 'RESIDENCY_VIOLATION' },
      finding_info: {
        uid: 'alert-critical',
        title: 'Restricted data sent to a country its policy does not allow: 203.0.113.9',
        desc: 'R1.',
        types: ['RESIDENCY_VIOLATION'],
        created_time: Date.UTC(2026, 0, 6, 3, 4, 0),
        first_seen_time: Date.UTC(2026, 0, 6, 3, 3, 59),
        last_seen_time: Date.UTC(2026, 0, 6, 3, 4, 0),
        analytic: { uid: 'residency_violation', name: 'RESIDENCY_VIOLATION', type_id: 1, type: 'Rule', category: 'policy', version: '0123456789abcdef' },
        related_events: [{ uid: 'f-1', type: 'gateway flow record' }],
        related_events_count: 1,
      },
      evidences: [
        {
          dst_endpoint: { name: '203.0.113.9', ip: '203.0.113.9', location: { country: 'US' } },
          actor: { user: { name: 'svc-eu-export' } },
        },
      ],
      observables: [
        { name: 'evidences.dst_endpoint.ip', type_id: 2, type: 'IP Address', value: '203.0.113.9' },
        { name: 'evidences.dst_endpoint.location.country', type_id: 14, type: 'Country', value: 'US' },
        { name: 'evidences.actor.user.name', type_id: 4, type: 'User Name', value: 'svc-eu-export' },
        { name: 'unmapped.data_class', type_id: 99, type: 'Data Class', value: 'eu_user_data' },
      ],
      unmapped: { data_class: 'eu_user_data', gateway_id: 'gw-1', bytes: 2_500_000, observed: 2_500_000, expected: 0, score: 1, threshold: 1 },
    });
  });

  it('HIGH bypass alert to a host name, without principal or gateway', () => {
    expect(toOcsf(HIGH, PRODUCT)).toStrictEqual({
      ...CLASS,
      severity_id: 4,
      severity: 'High',
      time: Date.UTC(2026, 0, 6, 3, 10, 2),
      start_time: Date.UTC(2026, 0, 6, 3, 10, 0),
      end_time: Date.UTC(2026, 0, 6, 3, 10, 2),
      count: 1,
      message: 'R2.',
      metadata: { version: '1.5.0', product: PRODUCT_OBJECT, uid: 'alert-high', event_code: 'GATEWAY_BYPASS' },
      finding_info: {
        uid: 'alert-high',
        title: 'Restricted data sent without passing a security gateway: api.example.com',
        desc: 'R2.',
        types: ['GATEWAY_BYPASS'],
        created_time: Date.UTC(2026, 0, 6, 3, 10, 2),
        first_seen_time: Date.UTC(2026, 0, 6, 3, 10, 0),
        last_seen_time: Date.UTC(2026, 0, 6, 3, 10, 2),
        analytic: { uid: 'gateway_bypass', name: 'GATEWAY_BYPASS', type_id: 1, type: 'Rule', category: 'policy', version: '0123456789abcdef' },
        related_events: [{ uid: 'f-2', type: 'gateway flow record' }],
        related_events_count: 1,
      },
      // No principal: no actor. No gateway: unmapped.gateway_id is null, said outright.
      evidences: [{ dst_endpoint: { name: 'api.example.com', hostname: 'api.example.com', location: { country: 'DE' } } }],
      observables: [
        { name: 'evidences.dst_endpoint.hostname', type_id: 1, type: 'Hostname', value: 'api.example.com' },
        { name: 'evidences.dst_endpoint.location.country', type_id: 14, type: 'Country', value: 'DE' },
        { name: 'unmapped.data_class', type_id: 99, type: 'Data Class', value: 'eu_user_data' },
      ],
      unmapped: { data_class: 'eu_user_data', gateway_id: null, bytes: 1500, observed: 1500, expected: 0, score: 1, threshold: 1 },
    });
  });

  it('MEDIUM sustained alert to a /24 prefix, without country or data class', () => {
    expect(toOcsf(MEDIUM, PRODUCT)).toStrictEqual({
      ...CLASS,
      severity_id: 3,
      severity: 'Medium',
      time: Date.UTC(2026, 0, 6, 3, 0, 0),
      start_time: Date.UTC(2026, 0, 6, 1, 0, 0),
      end_time: Date.UTC(2026, 0, 6, 3, 0, 0),
      count: 240,
      message: 'R3.',
      metadata: { version: '1.5.0', product: PRODUCT_OBJECT, uid: 'alert-medium', event_code: 'SUSTAINED_INCREASE' },
      finding_info: {
        uid: 'alert-medium',
        title: 'Bytes sent to a destination stayed above its baseline: 198.51.100.0/24',
        desc: 'R3.',
        types: ['SUSTAINED_INCREASE'],
        created_time: Date.UTC(2026, 0, 6, 3, 0, 0),
        first_seen_time: Date.UTC(2026, 0, 6, 1, 0, 0),
        last_seen_time: Date.UTC(2026, 0, 6, 3, 0, 0),
        analytic: {
          uid: 'sustained_increase',
          name: 'SUSTAINED_INCREASE',
          type_id: 3,
          type: 'Statistical',
          category: 'volume baseline',
          version: '0123456789abcdef',
        },
        related_events: [
          { uid: 'f-3', type: 'gateway flow record' },
          { uid: 'f-4', type: 'gateway flow record' },
        ],
        related_events_count: 240,
      },
      evidences: [{ dst_endpoint: { name: '198.51.100.0/24' }, actor: { user: { name: 'svc-backup' } } }],
      observables: [
        { name: 'evidences.dst_endpoint.name', type_id: 12, type: 'Subnet', value: '198.51.100.0/24' },
        { name: 'evidences.actor.user.name', type_id: 4, type: 'User Name', value: 'svc-backup' },
      ],
      unmapped: { data_class: null, gateway_id: 'gw-2', bytes: 987_654_321, observed: 987_654_321, expected: 123_456_789.5, score: 7.25, threshold: 5 },
    });
  });

  it('LOW new-destination alert to an IPv6 destination', () => {
    expect(toOcsf(LOW, PRODUCT)).toStrictEqual({
      ...CLASS,
      severity_id: 2,
      severity: 'Low',
      time: Date.UTC(2026, 0, 6, 3, 20, 1),
      start_time: Date.UTC(2026, 0, 6, 3, 20, 0),
      end_time: Date.UTC(2026, 0, 6, 3, 20, 1),
      count: 1,
      message: 'R4.',
      metadata: { version: '1.5.0', product: PRODUCT_OBJECT, uid: 'alert-low', event_code: 'NEW_DESTINATION' },
      finding_info: {
        uid: 'alert-low',
        title: 'Destination received a data class for the first time: 2001:db8::7',
        desc: 'R4.',
        types: ['NEW_DESTINATION'],
        created_time: Date.UTC(2026, 0, 6, 3, 20, 1),
        first_seen_time: Date.UTC(2026, 0, 6, 3, 20, 0),
        last_seen_time: Date.UTC(2026, 0, 6, 3, 20, 1),
        analytic: { uid: 'new_destination', name: 'NEW_DESTINATION', type_id: 2, type: 'Behavioral', category: 'first-seen', version: '0123456789abcdef' },
        related_events: [{ uid: 'f-5', type: 'gateway flow record' }],
        related_events_count: 1,
      },
      evidences: [
        {
          dst_endpoint: { name: '2001:db8::7', ip: '2001:db8::7', location: { country: 'FR' } },
          actor: { user: { name: 'alice' } },
        },
      ],
      observables: [
        { name: 'evidences.dst_endpoint.ip', type_id: 2, type: 'IP Address', value: '2001:db8::7' },
        { name: 'evidences.dst_endpoint.location.country', type_id: 14, type: 'Country', value: 'FR' },
        { name: 'evidences.actor.user.name', type_id: 4, type: 'User Name', value: 'alice' },
        { name: 'unmapped.data_class', type_id: 99, type: 'Data Class', value: 'hr_records' },
      ],
      unmapped: { data_class: 'hr_records', gateway_id: 'gw-1', bytes: 42, observed: 42, expected: 0, score: 1, threshold: 1 },
    });
  });
});

describe('nothing is lost', () => {
  it.each(ALL.map((a) => [a.severity, a] as const))('%s: every field value appears in the finding, and reads back as the alert', (_s, alert) => {
    const doc = JSON.parse(JSON.stringify(toOcsf(alert, PRODUCT))) as Record<string, unknown>;
    const values = leaves(doc);
    for (const [field, value] of Object.entries(alert)) {
      if (value === null || field === 'severity') continue; // a null is an absent object (dst_country, principal) or an explicit unmapped null
      for (const v of Array.isArray(value) ? value : [value]) expect(values, `${field}`).toContain(v);
    }
    // The severity is its OCSF number and caption, the only field whose value changes form.
    expect([doc.severity_id, doc.severity]).toEqual({ LOW: [2, 'Low'], MEDIUM: [3, 'Medium'], HIGH: [4, 'High'], CRITICAL: [5, 'Critical'] }[alert.severity]);
    expect(fromOcsf(doc)).toStrictEqual(alert);
  });
});

describe('fromOcsf refuses what egress-watch did not write, naming the path', () => {
  const doc = (): Record<string, unknown> => JSON.parse(JSON.stringify(toOcsf(CRITICAL, PRODUCT))) as Record<string, unknown>;

  it('another class or another product', () => {
    expect(fromOcsf({ ...doc(), class_uid: 4001 })).toBe('OCSF finding: class_uid 4001 is not a Detection Finding (2004)');
    const other = doc();
    (other.metadata as { product: { name: string } }).product.name = 'SomeEDR';
    expect(fromOcsf(other)).toBe('OCSF finding: metadata.product.name "SomeEDR" is not egress-watch: not an egress-watch alert');
    const { metadata: _m, ...noMetadata } = doc();
    expect(fromOcsf(noMetadata)).toBe('OCSF finding: metadata.product.name null is not egress-watch: not an egress-watch alert');
  });

  it('a missing or unknown part', () => {
    expect(fromOcsf({ ...doc(), severity_id: 6 })).toBe(
      'OCSF finding: severity_id 6 is not one egress-watch writes (2 LOW, 3 MEDIUM, 4 HIGH, 5 CRITICAL)',
    );
    const { time: _t, ...noTime } = doc();
    expect(fromOcsf(noTime)).toBe('OCSF finding: missing time (detected_at_ms)');
    expect(fromOcsf({ ...doc(), evidences: [] })).toBe('OCSF finding: missing evidences.0.dst_endpoint.name (destination)');
    const { unmapped: _u, ...noUnmapped } = doc();
    expect(fromOcsf(noUnmapped)).toBe('OCSF finding: missing unmapped');
    const info = doc();
    (info.finding_info as Record<string, unknown>).related_events = 'f-1';
    expect(fromOcsf(info)).toBe('OCSF finding: finding_info.related_events (sample_flow_ids): expected an array');
  });
});

describe('incident records', () => {
  // The finding is the incident: finding_info.uid holds incident_id across its records, each
  // record is an activity on it (Create, Update, Close) with its own metadata.uid.
  const record = (state: 'OPEN' | 'ESCALATED' | 'CLOSED', id: string) => ({ ...HIGH, alert_id: id, incident_id: 'alert-high', incident_state: state });
  it.each([
    ['OPEN', 'alert-high', 1, 'Create', 1, 'New'],
    ['ESCALATED', 'alert-high-2', 2, 'Update', 2, 'In Progress'],
    ['CLOSED', 'alert-high-3', 3, 'Close', 4, 'Resolved'],
  ] as const)('%s: activity and status follow the state, finding_info.uid is the incident, metadata.uid the record', (state, id, activity, activityName, status, statusName) => {
    const doc = toOcsf(record(state, id), PRODUCT) as Record<string, any>;
    expect([doc.activity_id, doc.activity_name, doc.type_uid, doc.type_name, doc.status_id, doc.status]).toEqual([
      activity, activityName, 200400 + activity, `Detection Finding: ${activityName}`, status, statusName,
    ]);
    expect(doc.finding_info.uid).toBe('alert-high');
    expect(doc.metadata.uid).toBe(id);
    expect(doc.finding_info.modified_time).toBe(state === 'OPEN' ? undefined : HIGH.detected_at_ms);
    expect(doc.unmapped).toMatchObject({ incident_id: 'alert-high', incident_state: state });
    expect(fromOcsf(JSON.parse(JSON.stringify(doc)))).toStrictEqual(record(state, id));
  });

  it('an alert of no incident keeps finding_info.uid = its alert_id, Create, New, as before', () => {
    const doc = toOcsf(HIGH, PRODUCT) as Record<string, any>;
    expect([doc.finding_info.uid, doc.metadata.uid, doc.activity_id, doc.status_id, 'incident_id' in doc.unmapped]).toEqual(['alert-high', 'alert-high', 1, 1, false]);
  });
});
