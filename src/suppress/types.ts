// Suppressions ("benign marks"): an analyst's statement that alerts of one exact scope are
// benign until an expiry, with a reason and an owner. Not to be confused with the engine's
// repeat folding (alerts.suppress_for, src/engine/suppression.ts), which aggregates repeats of
// one alert: a suppression here keeps matching alerts off the incident topic and records them,
// with the suppression that covered them, on a topic of their own for the auditor.
//
// Absent scope fields are null (not missing) so a suppression reads back from JSON or Avro
// exactly as it was written, and its hash in an alert's chain link stays the same.
import type { AlertType } from '../engine/types.js';

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
