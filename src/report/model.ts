// The audit report's figures: what the JSON twin holds and the HTML shows. Every number an
// auditor reads in the HTML is here, so the two always agree.
import type { AlertType, Severity } from '../engine/types.js';
import type { IncidentFigures } from './incidents.js';

export type PolicyRule = 'RESIDENCY_VIOLATION' | 'UNAUTHORIZED_PRINCIPAL' | 'GATEWAY_BYPASS';
export const POLICY_RULES: readonly PolicyRule[] = ['RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS'];

export interface ReportInput {
  kind: 'config' | 'flows' | 'alerts';
  name: string;
  /** SHA-256 of the bytes read (for a topic: of the record values in partition, offset order). */
  sha256: string;
  bytes: number;
}

export interface Tally {
  key: string;
  flows: number;
  bytes: number;
}

export interface ClassFigures {
  /** The data class; `(unclassified)` for flows without one. */
  data_class: string;
  /** Whether policy.data_classes has a rule for it. */
  in_policy: boolean;
  flows: number;
  bytes: number;
  /** Bytes of flows that passed a gateway. */
  gateway_bytes: number;
  /** gateway_bytes / bytes; 1 when bytes is 0. */
  gateway_share: number;
  by_country: Tally[];
  by_principal: Tally[];
}

export interface Violation {
  flow_id: string;
  end_ms: number;
  rule: PolicyRule;
  data_class: string;
  principal: string | null;
  destination: string;
  dst_country: string | null;
  gateway_id: string | null;
  bytes: number;
  /** The alert that covers this flow; null: none did (a gap the auditor must see). */
  alert_id: string | null;
}

export interface GatewayGap {
  gateway: string;
  from_ms: number;
  to_ms: number;
}

export interface DestinationSeries {
  destination: string;
  alerts: number;
  types: AlertType[];
  /** Window starts, bytes observed and expected by the baseline with its band, and whether the window alerted. */
  t: number[];
  observed: number[];
  expected: number[];
  /** The baseline band: bytes at which a window differing in bytes alone would reach the threshold. */
  low: number[];
  high: number[];
  alerted: boolean[];
}

export interface Reconciliation {
  /** Alerts in the --alerts file. */
  provided: number;
  /** Alerts the engine gives for the same flows and config. */
  reproduced: number;
  /** Engine alerts the file lacks. */
  missing_from_file: string[];
  /** File alerts the engine does not give (another config, other input, or an edit). */
  not_reproduced: string[];
}

export interface ReportData {
  meta: {
    generator: string;
    config_version: string;
    inputs: ReportInput[];
    from_ms: number | null;
    to_ms: number | null;
    bucket_ms: number;
  };
  totals: { records: number; malformed: number; flows: number; bytes: number; internal: number; outside_range: number; outside_policy: number; unalerted_violations: number; alerts: number };
  classes: ClassFigures[];
  violations: { by_rule: Record<PolicyRule, number>; rows: Violation[] };
  gateways: { buckets: number[]; series: Array<{ gateway: string; flows: number[] }>; no_gateway: number[]; gaps: GatewayGap[] };
  alerts: { buckets: number[]; by_type: Record<AlertType, number[]>; by_type_severity: Record<AlertType, Record<Severity, number>> };
  destinations: DestinationSeries[];
  /** Every incident in the period (incidents.ts). */
  incidents: IncidentFigures[];
  reconciliation: Reconciliation | null;
}
