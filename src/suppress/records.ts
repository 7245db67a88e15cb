// The suppressions on Kafka: kafka.topics.suppressions holds one record per suppression,
// keyed by its id (compacted: the latest value per id is the truth, a tombstone removes it);
// kafka.topics.suppression_audit appends one event per change. Both are JSON with a version.
import { AUDIT_ACTIONS, type AuditAction, type Suppression, type SuppressionAuditEvent } from './types.js';
import { validateSuppression, type SuppressionDraft, type SuppressionRules } from './validate.js';

const VERSION = 1;

export function encodeSuppression(s: Suppression): Buffer {
  return Buffer.from(JSON.stringify({ v: VERSION, ...s }), 'utf8');
}

export function encodeAuditEvent(e: SuppressionAuditEvent): Buffer {
  return Buffer.from(JSON.stringify({ v: VERSION, ...e }), 'utf8');
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A suppressions-topic value, checked as `suppress add` checks one; `key` must be its id. */
export function decodeSuppression(key: string | null, value: Buffer, rules: SuppressionRules): Decoded<Suppression> {
  const parsed = parseVersioned(value);
  if (typeof parsed === 'string') return { ok: false, reason: parsed };
  const checked = validateSuppression(parsed as SuppressionDraft, rules);
  if (!checked.ok) return { ok: false, reason: checked.problems.map((p) => p.message).join('; ') };
  if (key !== checked.suppression.id) return { ok: false, reason: `key ${JSON.stringify(key)} is not the suppression's id ${JSON.stringify(checked.suppression.id)}` };
  return { ok: true, value: checked.suppression };
}

/** An audit-topic value. The suppression inside is taken as recorded (an audit log is read, not judged). */
export function decodeAuditEvent(value: Buffer): Decoded<SuppressionAuditEvent> {
  const parsed = parseVersioned(value);
  if (typeof parsed === 'string') return { ok: false, reason: parsed };
  const o = parsed as Partial<SuppressionAuditEvent>;
  if (!(AUDIT_ACTIONS as readonly string[]).includes(o.action as string)) return { ok: false, reason: `unknown action ${JSON.stringify(o.action)}` };
  if (typeof o.actor !== 'string' || !Number.isSafeInteger(o.at_ms) || typeof o.suppression !== 'object' || o.suppression === null) {
    return { ok: false, reason: 'an audit event needs suppression, actor and at_ms' };
  }
  return { ok: true, value: { action: o.action as AuditAction, suppression: o.suppression, actor: o.actor, at_ms: o.at_ms as number } };
}

function parseVersioned(value: Buffer): Record<string, unknown> | string {
  let j: unknown;
  try {
    j = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return 'not a JSON object';
  const o = j as Record<string, unknown>;
  if (o.v !== VERSION) return `unknown version ${JSON.stringify(o.v)} (expected ${VERSION})`;
  const { v: _v, ...rest } = o;
  return rest;
}
