// The engine's own output types beside the contract (src/model/contract.ts, re-exported here
// for the many modules that read them from the engine): state changes for the changelog and
// the window scores of `replay --scores`.
export { ALERT_TYPES, INCIDENT_STATES, SEVERITIES } from '../model/contract.js';
export type { Alert, AlertType, FlowRecord, IncidentState, Severity } from '../model/contract.js';

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
