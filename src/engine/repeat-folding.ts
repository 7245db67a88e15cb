// alerts.suppress_for: one alert per (type, destination, data class, principal) per
// interval. The first alert goes out at once (a CRITICAL must not wait); repeats inside
// the interval are folded, and when the interval ends one follow-up alert carries their
// aggregated counts. Nothing is dropped: an auditor sees every flow in some alert.
//
// The seam: RepeatFolder decides, for each alert the detectors raise, emit or fold, and owns
// the per-destination state that decision needs (FoldState, serialised in the destination's
// changelog entry). The engine only hands it alerts, tells it when event time reaches an
// interval's end, and schedules the ends it returns.
import { formatBytes } from '../config/units.js';
import { alertId } from './alert-builder.js';
import type { Alert } from './types.js';
import { addCapped, MAX_SAMPLES } from './window.js';

/** One open interval of one alert key. */
export interface FoldInterval {
  /** Event time at which the interval ends (a window boundary). */
  until: number;
  /** The alert that opened the interval. */
  firstAlertId: string;
  /** Folded repeats: null until the first one. */
  folded: Alert | null;
  repeats: number;
}

/** A destination's open intervals by alert key (insertion order is kept in its state text). */
export type FoldState = Map<string, FoldInterval>;

/** Where the alerts that go out are sent, in order. */
export type AlertSink = (alert: Alert) => void;

export function foldKey(a: Pick<Alert, 'type' | 'data_class' | 'principal'>): string {
  return `${a.type}\u0000${a.data_class ?? ''}\u0000${a.principal ?? ''}`;
}

export class RepeatFolder {
  constructor(
    private readonly windowSize: number,
    private suppressFor: number,
  ) {}

  /** A reloaded alerts.suppress_for: intervals opened from now on last this long. */
  reconfigure(suppressFor: number): void {
    this.suppressFor = suppressFor;
  }

  /**
   * Emits the alert or folds it into the open interval of its key. Returns the end of the
   * interval it opened (the caller schedules closeDue for it), or null.
   */
  offer(folds: FoldState, alert: Alert, emit: AlertSink): number | null {
    const key = foldKey(alert);
    const open = folds.get(key);
    if (open !== undefined) {
      if (alert.detected_at_ms < open.until) {
        fold(open, alert);
        return null;
      }
      // The interval ended in event time before the watermark said so: its folded
      // repeats go out now, before the alert that opens the next interval.
      folds.delete(key);
      if (open.folded !== null) emit(followUp(open, open.until));
    }
    let opened: number | null = null;
    if (this.suppressFor > 0) {
      const end = alert.detected_at_ms + this.suppressFor;
      opened = Math.ceil(end / this.windowSize) * this.windowSize; // a window boundary: due times step by window
      folds.set(key, { until: opened, firstAlertId: alert.alert_id, folded: null, repeats: 0 });
    }
    emit(alert);
    return opened;
  }

  /** Closes the intervals ending at or before `at`; each with repeats sends its follow-up. */
  closeDue(folds: FoldState, at: number, emit: AlertSink): void {
    if (folds.size === 0) return;
    for (const [key, s] of folds) {
      if (s.until > at) continue;
      folds.delete(key);
      if (s.folded !== null) emit(followUp(s, at));
    }
  }
}

/** Folds a repeat into the interval's aggregate. */
export function fold(s: FoldInterval, a: Alert): void {
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

/** The alert that closes an interval with repeats: their sums, the strongest one's reason. */
function followUp(s: FoldInterval, at: number): Alert {
  const f = s.folded!;
  const alert: Alert = {
    ...f,
    detected_at_ms: at,
    reason: `${s.repeats} more like alert ${s.firstAlertId} until ${new Date(at).toISOString()} ` +
      `(${f.flow_count} flows, ${formatBytes(f.bytes)} in all); strongest: ${f.reason}`,
  };
  alert.alert_id = alertId(alert);
  return alert;
}

export function foldStateToJSON(folds: FoldState): unknown {
  return [...folds].map(([k, s]) => [k, [s.until, s.firstAlertId, s.repeats, s.folded]]);
}

export function foldStateFromJSON(json: unknown): FoldState {
  return new Map(
    (json as Array<[string, [number, string, number, Alert | null]]>).map(([k, [until, firstAlertId, repeats, folded]]) => [
      k,
      { until, firstAlertId, repeats, folded },
    ]),
  );
}
