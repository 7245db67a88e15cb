// One NAB series through the real Engine (the Pipeline replay uses), as one destination's
// traffic: one flow per row, window = the series' time step, warm-up = NAB's probation rows.
// Gives back one anomaly score in [0, 1] per row, from the scores of the row's window.
import type { Config } from '../src/config/types.js';
import { Pipeline } from '../src/engine/pipeline.js';
import type { Alert, FlowRecord } from '../src/engine/types.js';

export interface NabSeries {
  /** `<category>/<name>.csv`, as under NAB's data/. */
  file: string;
  /** The timestamps as written in the file (written back unchanged). */
  stamps: string[];
  times: number[];
  values: number[];
}

/** Bytes of the probation rows' minimum; their range adds as much again (see valueToBytes). */
export const BASE_BYTES = 100_000_000;

/** NAB's probation: the first 15% of rows, at most 750 (NAB's getProbationPeriod). */
export function probationRows(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 750);
}

/** The median gap between consecutive rows, in ms: the series' time step. */
export function medianStepMs(times: readonly number[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) if (times[i] > times[i - 1]) gaps.push(times[i] - times[i - 1]);
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

/**
 * NAB values are arbitrary reals (negative, tiny floats): an affine map, fixed from the
 * probation rows only (never the whole series, which would leak the future), makes them
 * bytes. The probation minimum becomes BASE_BYTES and each probation range above it adds
 * BASE_BYTES: v -> B * (1 + (v - min_p) / (max_p - min_p)), rounded, clamped at 0. A flat
 * probation (range 0) uses 1% of |min_p| (or 1) as its range.
 */
export function valueToBytes(values: readonly number[], probation: number): (v: number) => number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < probation; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const range = hi > lo ? hi - lo : Math.abs(lo) > 0 ? Math.abs(lo) / 100 : 1;
  return (v) => Math.max(0, Math.round(BASE_BYTES * (1 + (v - lo) / range)));
}

/**
 * A window's anomaly score: the largest score/threshold r over the volume detectors,
 * squashed as r / (1 + r), so a detector at its shipped threshold lands at 0.5. A window
 * that scored past a threshold without alerting (downward, before warm-up, under
 * min_bytes or min_windows) stays just under 0.5; one that alerted is at least 0.5, except
 * an acceptance note below the threshold. So the score at threshold 0.5 is exactly the
 * shipped detections.
 */
/** Where a detector at its shipped threshold lands on the anomaly score. */
export const SHIPPED_THRESHOLD_SCORE = 0.5;

export function anomalyScore(ratio: number, alerted: boolean): number {
  const squashed = ratio / (1 + ratio);
  // An alert below the threshold is an acceptance (the run outlasted accept_after and the
  // level is now normal): the run's closing note, not a detection.
  return alerted && ratio >= 1 ? Math.max(0.5, squashed) : Math.min(squashed, 0.5 - 1e-9);
}

/** The config for one series: shipped detector settings; window, warm-up and timing from the series. */
export function seriesConfig(shipped: Config, stepMs: number, probation: number): Config {
  return {
    ...shipped,
    // Rows come in order: no lateness to wait for.
    windows: { ...shipped.windows, size: stepMs, allowed_lateness: 0 },
    // One series is one destination that is never idle (some series have gaps of days).
    baseline: { ...shipped.baseline, warmup_windows: probation, idle_ttl: 10 * 365 * 86_400_000 },
    // NAB's probation is the series' learning period: creeps are judged after it.
    detectors: { ...shipped.detectors, sustained_increase: { ...shipped.detectors.sustained_increase, min_history: probation * stepMs } },
  };
}

/** Replays the series and returns one anomaly score per row. */
export function scoreSeries(shipped: Config, s: NabSeries): number[] {
  const probation = probationRows(s.values.length);
  const step = medianStepMs(s.times);
  const config = seriesConfig(shipped, step, probation);
  const toBytes = valueToBytes(s.values, probation);
  const byWindow = new Map<number, number>();
  const alertedWindows = new Set<number>();
  const ratios = new Map<number, number>();
  const pipeline = new Pipeline(config, {
    onWindowScore: (w) => {
      const r = w.threshold > 0 ? w.score / w.threshold : 0;
      ratios.set(w.window_start_ms, Math.max(ratios.get(w.window_start_ms) ?? 0, r));
    },
  });
  // A detection is what egress-watch sends: an incident's OPEN or ESCALATED record, on the
  // window it was raised at (a detector's repeat alert folded into its open incident, or the
  // CLOSED record, is no new detection).
  const sent = (alerts: Alert[]): void => {
    for (const a of alerts) {
      if (a.incident_state === 'CLOSED') continue;
      alertedWindows.add(Math.floor((a.detected_at_ms - 1) / step) * step);
    }
  };
  const flows = windowFlows(s.times, s.values.map(toBytes), step);
  for (let i = 0; i < flows.length; i++) sent(pipeline.push(rowFlow(i, flows[i].t, flows[i].bytes)));
  sent(pipeline.finish());
  for (const [start, r] of ratios) byWindow.set(start, anomalyScore(r, alertedWindows.has(start)));
  // A row the engine dropped as late (a timestamp going backwards) scores 0.
  return s.times.map((t) => byWindow.get(Math.floor(t / step) * step) ?? 0);
}

/**
 * A value is a rate per time step, and a window is one step: a window's traffic is the mean
 * of the values of the rows in it, as one flow (at the first row's time). Rows of irregular
 * series that share a window (13:51 and 13:54 on 5-minute windows) so make one step's worth,
 * not a multiple: read as a share of a step each (the time since the previous row), they made
 * 1.6 steps' worth, a spike of 60% that no row shows. A gap is missing data: no flow. A row
 * going back in time starts a window of its own (the engine drops it as late: its rows score 0).
 */
export function windowFlows(times: readonly number[], bytes: readonly number[], step: number): { t: number; bytes: number }[] {
  const out: { t: number; bytes: number }[] = [];
  let window = Number.NaN;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < times.length; i++) {
    const w = Math.floor(times[i] / step);
    if (w !== window) {
      if (n > 0) out[out.length - 1].bytes = Math.round(sum / n);
      out.push({ t: times[i], bytes: 0 });
      window = w;
      sum = n = 0;
    }
    sum += bytes[i];
    n += 1;
  }
  if (n > 0) out[out.length - 1].bytes = Math.round(sum / n);
  return out;
}

function rowFlow(i: number, t: number, bytes: number): FlowRecord {
  return {
    flow_id: `nab-${i}`, gateway_id: 'nab', start_ms: t, end_ms: t,
    src_ip: '10.0.0.1', dst_ip: '198.51.100.1', src_port: 40000, dst_port: 443, protocol: 6,
    dst_host: 'nab.example', dst_country: null, bytes_out: bytes, bytes_in: 0,
    packets_out: 1, packets_in: 0, data_class: null, principal: null,
  };
}
