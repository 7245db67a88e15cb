// The console shows one row per incident: the first record of an incident adds its row, later
// records (ESCALATED, CLOSED) update that row in place with the latest state and severity and
// the incident's totals so far (each record carries the evidence since the previous one, so
// the totals are sums). An alert of no incident (incident_id null) is a row of its own.
// The function runs in the page (inlined through its source text) and in the tests, so it is
// written in plain JavaScript semantics: no imports, no closures over module state.
import type { Alert } from '../engine/types.js';

/** A console row: the incident's latest record plus its totals over every record so far. */
export interface IncidentRow {
  /** incident_id, or the alert_id of an alert of no incident. */
  key: string;
  latest: Alert;
  /** Records seen of this incident. */
  records: number;
  flows: number;
  bytes: number;
  first_seen_ms: number;
  last_seen_ms: number;
}

/** Adds the record to the rows (newest incident first); returns the row it added or updated. */
export function foldIncidentRow(rows: IncidentRow[], a: Alert): IncidentRow {
  const key = a.incident_id == null ? a.alert_id : a.incident_id;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row.key !== key || a.incident_id == null) continue;
    row.latest = a;
    row.records += 1;
    row.flows += a.flow_count;
    row.bytes += a.bytes;
    row.first_seen_ms = Math.min(row.first_seen_ms, a.window_start_ms);
    row.last_seen_ms = Math.max(row.last_seen_ms, a.window_end_ms);
    return row;
  }
  const row: IncidentRow = { key, latest: a, records: 1, flows: a.flow_count, bytes: a.bytes, first_seen_ms: a.window_start_ms, last_seen_ms: a.window_end_ms };
  rows.unshift(row);
  return row;
}
