// The contract types of DESIGN.md: a gateway flow record in, an alert out.
// Field names are the wire names (snake_case) so JSON Lines, Avro and the engine agree.
import type { Suppression } from '../suppress/types.js';

export interface FlowRecord {
  flow_id: string;
  /** The gateway that carried the flow; null: seen outside any gateway. */
  gateway_id: string | null;
  start_ms: number;
  /** Event time of the flow. */
  end_ms: number;
  src_ip: string;
  dst_ip: string;
  src_port: number;
  dst_port: number;
  protocol: number;
  dst_host: string | null;
  /** ISO 3166-1 alpha-2, upper case. */
  dst_country: string | null;
  bytes_out: number;
  bytes_in: number;
  packets_out: number;
  packets_in: number;
  data_class: string | null;
  principal: string | null;
}

export const ALERT_TYPES = [
  'RESIDENCY_VIOLATION',
  'UNAUTHORIZED_PRINCIPAL',
  'GATEWAY_BYPASS',
  'NEW_DESTINATION',
  'VOLUME_SPIKE',
  'SUSTAINED_INCREASE',
  // Per gateway, not per destination: its alerts have destination `gateway:<id>`.
  'GATEWAY_SILENT',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where an incident stands after an alert record (src/engine/repeat-folding.ts, docs/incidents.md). */
export const INCIDENT_STATES = ['OPEN', 'ESCALATED', 'CLOSED'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export interface Alert {
  /** Hash of the evidence: the same input and config give the same id. */
  alert_id: string;
  type: AlertType;
  severity: Severity;
  /** The baseline key (see baseline.key). */
  destination: string;
  dst_country: string | null;
  data_class: string | null;
  principal: string | null;
  gateway_id: string | null;
  window_start_ms: number;
  window_end_ms: number;
  flow_count: number;
  bytes: number;
  observed: number;
  expected: number;
  score: number;
  threshold: number;
  reason: string;
  sample_flow_ids: string[];
  config_version: string;
  /** Event time at which the engine decided (never the wall clock). */
  detected_at_ms: number;
  // The tamper-evident log (src/audit/chain.ts); set by the shell that publishes the alert,
  // never by the engine, and not part of alert_id. Absent on alerts that were not chained.
  /** The hash chain this alert belongs to: `<engine input topic>/<partition>`, or `replay`. */
  chain_id?: string | null;
  /** Position in its chain, from 0. */
  chain_seq?: number | null;
  /** chain_hash of the previous alert in the chain (64 zeros for the first). */
  chain_prev?: string | null;
  /** SHA-256 over this alert's fields and chain_prev. */
  chain_hash?: string | null;
  /**
   * Set by the shell on alerts an analyst's suppression covered (src/suppress/): they go to the
   * suppressed-alerts topic with it instead of the incident topic. Absent on incidents.
   */
  suppressed_by?: Suppression | null;
  /**
   * The incident this record belongs to: the alert_id of its opening record. Set by the engine
   * when alerts.suppress_for is above 0; absent (null) on alerts written before incidents existed.
   */
  incident_id?: string | null;
  /** OPEN (the opening record), ESCALATED (it grew past its severity step) or CLOSED (its last record). */
  incident_state?: IncidentState | null;
}

/** One change to the engine's state store: value null deletes the key (a tombstone). */
export interface StateChange {
  key: string;
  value: string | null;
}

/** One row of `replay --scores`: a closed window scored by one volume detector. */
export interface WindowScore {
  destination: string;
  window_start_ms: number;
  window_end_ms: number;
  detector: 'VOLUME_SPIKE' | 'SUSTAINED_INCREASE';
  observed: number;
  expected: number;
  score: number;
  threshold: number;
  alerted: boolean;
  /** VOLUME_SPIKE only: the baseline band of bytes (expectation ± threshold σ in log space), for charts. */
  expected_low?: number;
  expected_high?: number;
}
