// alerts.suppress_for: one alert per (type, destination, data class, principal) per
// interval. The first alert goes out at once (a CRITICAL must not wait); repeats inside
// the interval are folded, and when the interval ends one follow-up alert carries their
// aggregated counts. Nothing is dropped: an auditor sees every flow in some alert.
import { addCapped, MAX_SAMPLES } from './window.js';
import type { Alert } from './types.js';

export interface Suppression {
  /** Event time at which the interval ends (a window boundary). */
  until: number;
  /** The alert that opened the interval. */
  firstAlertId: string;
  /** Folded repeats: null until the first one. */
  folded: Alert | null;
  repeats: number;
}

export function suppressionKey(a: Pick<Alert, 'type' | 'data_class' | 'principal'>): string {
  return `${a.type}\u0000${a.data_class ?? ''}\u0000${a.principal ?? ''}`;
}

/** Folds a repeat into the interval's aggregate. */
export function fold(s: Suppression, a: Alert): void {
  s.repeats += 1;
  const f = s.folded;
  if (f === null) {
    s.folded = { ...a, sample_flow_ids: a.sample_flow_ids.slice(0, MAX_SAMPLES) };
    return;
  }
  f.window_start_ms = Math.min(f.window_start_ms, a.window_start_ms);
  f.window_end_ms = Math.max(f.window_end_ms, a.window_end_ms);
  f.flow_count = addCapped(f.flow_count, a.flow_count);
  f.bytes = addCapped(f.bytes, a.bytes);
  // observed/expected/score describe the strongest repeat; flow_count and bytes the sum.
  if (a.score > f.score) {
    f.score = a.score;
    f.observed = a.observed;
    f.expected = a.expected;
    f.reason = a.reason;
  }
  for (const id of a.sample_flow_ids) {
    if (f.sample_flow_ids.length >= MAX_SAMPLES) break;
    f.sample_flow_ids.push(id);
  }
}

export function suppressionToJSON(s: Suppression): unknown {
  return [s.until, s.firstAlertId, s.repeats, s.folded];
}

export function suppressionFromJSON(json: unknown): Suppression {
  const [until, firstAlertId, repeats, folded] = json as [number, string, number, Alert | null];
  return { until, firstAlertId, repeats, folded };
}
