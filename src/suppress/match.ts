// Which suppression covers an alert. Deterministic: the alert's own event time
// (detected_at_ms) is compared with the expiry, never a clock, and when several cover it
// the one with the smallest id is named, whatever order they were loaded in.
import type { Alert } from '../model/contract.js';
import type { Suppression } from './types.js';

/** Whether `s` covers `alert`: exact scope match and the alert's event time before the expiry. */
export function covers(s: Suppression, alert: Alert): boolean {
  const { scope } = s;
  return (
    alert.detected_at_ms < s.expires_at_ms &&
    scope.destination === alert.destination &&
    (scope.type === null || scope.type === alert.type) &&
    (scope.data_class === null || scope.data_class === alert.data_class) &&
    (scope.principal === null || scope.principal === alert.principal)
  );
}

/** The covering suppression with the smallest id, or null. */
export function coveringSuppression(alert: Alert, suppressions: Iterable<Suppression>): Suppression | null {
  let best: Suppression | null = null;
  for (const s of suppressions) {
    if (covers(s, alert) && (best === null || s.id < best.id)) best = s;
  }
  return best;
}

/** Not expired at `atMs` (the CLI's `list` reads the clock for it). */
export function isActive(s: Suppression, atMs: number): boolean {
  return atMs < s.expires_at_ms;
}
