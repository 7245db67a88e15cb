// What the engine counted since it started (not part of its state: a restore starts afresh).
// Read by replay's summary, the service's metrics and the benchmarks.
import type { Alert, AlertType } from './types.js';

export interface EngineCounters {
  records: number;
  late: number;
  /** Earlier than an event time their gateway had already reported, but not late. */
  outOfOrder: number;
  /** The same flow_id at the same destination again within windows.dedup_horizon: ignored. */
  duplicates: number;
  internal: number;
  alerts: Partial<Record<AlertType, number>>;
  windowsClosed: number;
  expired: number;
}

export function newCounters(): EngineCounters {
  return { records: 0, late: 0, outOfOrder: 0, duplicates: 0, internal: 0, alerts: {}, windowsClosed: 0, expired: 0 };
}

export function countAlert(counters: EngineCounters, alert: Alert): void {
  counters.alerts[alert.type] = (counters.alerts[alert.type] ?? 0) + 1;
}
