// Hand-built alerts, one of each severity, covering every kind of destination (IPv4, host
// name, /24 prefix, IPv6) and every nullable field both set and null.
import type { Alert } from '../../../src/engine/types.js';
import type { ProductInfo } from '../../../src/io/siem/fields.js';

export const PRODUCT: ProductInfo = { name: 'egress-watch', vendor_name: 'egress-watch', version: '9.9.9' };

export const CRITICAL: Alert = {
  alert_id: 'alert-critical',
  type: 'RESIDENCY_VIOLATION',
  severity: 'CRITICAL',
  destination: '203.0.113.9',
  dst_country: 'US',
  data_class: 'eu_user_data',
  principal: 'svc-eu-export',
  gateway_id: 'gw-1',
  window_start_ms: Date.UTC(2026, 0, 6, 3, 3, 59),
  window_end_ms: Date.UTC(2026, 0, 6, 3, 4, 0),
  flow_count: 1,
  bytes: 2_500_000,
  observed: 2_500_000,
  expected: 0,
  score: 1,
  threshold: 1,
  reason: 'R1.',
  sample_flow_ids: ['f-1'],
  config_version: '0123456789abcdef',
  detected_at_ms: Date.UTC(2026, 0, 6, 3, 4, 0),
};

export const HIGH: Alert = {
  alert_id: 'alert-high',
  type: 'GATEWAY_BYPASS',
  severity: 'HIGH',
  destination: 'api.example.com',
  dst_country: 'DE',
  data_class: 'eu_user_data',
  principal: null,
  gateway_id: null,
  window_start_ms: Date.UTC(2026, 0, 6, 3, 10, 0),
  window_end_ms: Date.UTC(2026, 0, 6, 3, 10, 2),
  flow_count: 1,
  bytes: 1500,
  observed: 1500,
  expected: 0,
  score: 1,
  threshold: 1,
  reason: 'R2.',
  sample_flow_ids: ['f-2'],
  config_version: '0123456789abcdef',
  detected_at_ms: Date.UTC(2026, 0, 6, 3, 10, 2),
};

export const MEDIUM: Alert = {
  alert_id: 'alert-medium',
  type: 'SUSTAINED_INCREASE',
  severity: 'MEDIUM',
  destination: '198.51.100.0/24',
  dst_country: null,
  data_class: null,
  principal: 'svc-backup',
  gateway_id: 'gw-2',
  window_start_ms: Date.UTC(2026, 0, 6, 1, 0, 0),
  window_end_ms: Date.UTC(2026, 0, 6, 3, 0, 0),
  flow_count: 240,
  bytes: 987_654_321,
  observed: 987_654_321,
  expected: 123_456_789.5,
  score: 7.25,
  threshold: 5,
  reason: 'R3.',
  sample_flow_ids: ['f-3', 'f-4'],
  config_version: '0123456789abcdef',
  detected_at_ms: Date.UTC(2026, 0, 6, 3, 0, 0),
};

export const LOW: Alert = {
  alert_id: 'alert-low',
  type: 'NEW_DESTINATION',
  severity: 'LOW',
  destination: '2001:db8::7',
  dst_country: 'FR',
  data_class: 'hr_records',
  principal: 'alice',
  gateway_id: 'gw-1',
  window_start_ms: Date.UTC(2026, 0, 6, 3, 20, 0),
  window_end_ms: Date.UTC(2026, 0, 6, 3, 20, 1),
  flow_count: 1,
  bytes: 42,
  observed: 42,
  expected: 0,
  score: 1,
  threshold: 1,
  reason: 'R4.',
  sample_flow_ids: ['f-5'],
  config_version: '0123456789abcdef',
  detected_at_ms: Date.UTC(2026, 0, 6, 3, 20, 1),
};

export const ALL = [CRITICAL, HIGH, MEDIUM, LOW];

/** Every leaf value (string, number, boolean, null) anywhere in a JSON value. */
export function leaves(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) leaves(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) leaves(v, out);
  else out.push(value);
  return out;
}
