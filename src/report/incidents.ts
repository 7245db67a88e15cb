// The report's incident list: every incident in the period, whatever its type (NEW_DESTINATION
// included), with its destination, state and totals. An incident's records each carry the
// evidence folded since the previous one (docs/incidents.md), so its totals are the sums over
// its records. An alert of no incident (written before incidents, or with alerts.suppress_for
// 0) is listed as an incident of one record with no state.
import { SEVERITIES, type Alert, type AlertType, type IncidentState, type Severity } from '../engine/types.js';

export interface IncidentFigures {
  /** incident_id; an alert of no incident: its alert_id. */
  incident_id: string;
  type: AlertType;
  destination: string;
  data_class: string | null;
  principal: string | null;
  /** The state of its latest record; null for an alert of no incident. */
  state: IncidentState | null;
  /** The highest severity of its records. */
  severity: Severity;
  records: number;
  first_seen_ms: number;
  last_seen_ms: number;
  flows: number;
  bytes: number;
  peak_score: number;
  /** Its records' alert_ids in detection order. */
  alert_ids: string[];
}

/** The incidents of the alerts, by first seen, then destination, then id. */
export function listIncidents(alerts: readonly Alert[]): IncidentFigures[] {
  const byId = new Map<string, IncidentFigures>();
  const ordered = [...alerts].sort((a, b) => a.detected_at_ms - b.detected_at_ms);
  for (const a of ordered) {
    const id = a.incident_id ?? a.alert_id;
    const known = byId.get(id);
    if (known === undefined) {
      byId.set(id, {
        incident_id: id, type: a.type, destination: a.destination, data_class: a.data_class, principal: a.principal,
        state: a.incident_state ?? null, severity: a.severity, records: 1, first_seen_ms: a.window_start_ms, last_seen_ms: a.window_end_ms,
        flows: a.flow_count, bytes: a.bytes, peak_score: a.score, alert_ids: [a.alert_id],
      });
      continue;
    }
    known.state = a.incident_state ?? known.state;
    if (SEVERITIES.indexOf(a.severity) > SEVERITIES.indexOf(known.severity)) known.severity = a.severity;
    known.records += 1;
    known.first_seen_ms = Math.min(known.first_seen_ms, a.window_start_ms);
    known.last_seen_ms = Math.max(known.last_seen_ms, a.window_end_ms);
    known.flows += a.flow_count;
    known.bytes += a.bytes;
    known.peak_score = Math.max(known.peak_score, a.score);
    known.alert_ids.push(a.alert_id);
  }
  return [...byId.values()].sort(
    (a, b) => a.first_seen_ms - b.first_seen_ms || (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0) || (a.incident_id < b.incident_id ? -1 : 1),
  );
}
