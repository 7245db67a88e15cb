// The contract types of DESIGN.md, at the bottom of the code: a gateway flow record in, an
// alert out. Field names are the wire names (snake_case) so JSON Lines, Avro and the engine
// agree. Every layer reads these; this file reads nothing of the project.

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

/**
 * The alert types of the contract (schemas/alert.avsc's enum, in its order). Each is raised by
 * one detector of src/detectors/registry.ts; a test holds the three lists equal.
 */
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

/** GATEWAY_SILENT alerts name the gateway as their destination: `gateway:<id>` (overrides match it too). */
export const GATEWAY_DESTINATION_PREFIX = 'gateway:';

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

// An analyst's suppression ("benign mark") as the contract carries it: in an alert's
// suppressed_by, on the suppressions topic and in the config. Absent scope fields are null (not
// missing) so a suppression reads back from JSON or Avro exactly as it was written, and its hash
// in an alert's chain link stays the same. What a suppression does is src/suppress/'s business.
export interface SuppressionScope {
  /** Only alerts of this type; null: every type. */
  type: AlertType | null;
  /** The exact baseline key (baseline.key) covered: never a pattern, a network or a country. */
  destination: string;
  /** Only alerts of this data class; null: any. */
  data_class: string | null;
  /** Only alerts of this principal; null: any. */
  principal: string | null;
}

export interface Suppression {
  /** Key on the suppressions topic; letters, digits, `.`, `_`, `-`. */
  id: string;
  scope: SuppressionScope;
  /** Why the covered alerts are benign. */
  reason: string;
  /** Who answers for it. */
  owner: string;
  /** When it was made (wall clock of the `suppress add` that made it, or as written in the config). */
  created_at_ms: number;
  /** Alerts whose event time (detected_at_ms) is at or after this are not covered. */
  expires_at_ms: number;
}

/** What names a destination's baseline (config `baseline.key`): the host name (falling back to the address), the address, or its prefix (/24, /64). */
export type BaselineKey = 'dst_host' | 'dst_ip' | 'dst_prefix';
