// Suppressions ("benign marks"): an analyst's statement that alerts of one exact scope are
// benign until an expiry, with a reason and an owner. Not to be confused with the engine's
// repeat folding (alerts.suppress_for, src/engine/repeat-folding.ts), which aggregates repeats of
// one alert: a suppression here keeps matching alerts off the incident topic and records them,
// with the suppression that covered them, on a topic of their own for the auditor.
//
// Absent scope fields are null (not missing) so a suppression reads back from JSON or Avro
// exactly as it was written, and its hash in an alert's chain link stays the same. The record
// itself is a contract type (src/model/contract.ts): alerts carry it in suppressed_by.
import type { Suppression } from '../model/contract.js';

export type { Suppression, SuppressionScope } from '../model/contract.js';

export const AUDIT_ACTIONS = ['add', 'remove', 'expire'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One change to the suppressions, appended to kafka.topics.suppression_audit. */
export interface SuppressionAuditEvent {
  action: AuditAction;
  suppression: Suppression;
  /** Who made the change (the CLI's --actor, default the OS user). */
  actor: string;
  /** When, wall clock, Unix ms. */
  at_ms: number;
}
