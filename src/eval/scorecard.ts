// Compares alerts with a ground truth of injected incidents: per alert type and for the
// volume types together, how many incidents were found (recall), how many alerts point at a
// real incident (precision), how long detection took, and how many alert records (and
// engine incident ids) each incident found cost the analyst. Also reads and writes the
// ground-truth JSON Lines file.
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatDuration as formatExactDuration } from '../config/units.js';
import { ALERT_TYPES, type Alert, type AlertType } from '../engine/types.js';
import { INCIDENT_SHAPES, LASTING_CHANGE_ALERTS, type Incident } from '../generate/types.js';

export interface ScoreRow {
  /** 'ALL' for the row over every type; 'VOLUME' for VOLUME_SPIKE and SUSTAINED_INCREASE together. */
  type: AlertType | 'ALL' | 'VOLUME';
  incidents: number;
  /** Incidents with at least one matching alert. */
  detected: number;
  alerts: number;
  /** Alerts that match at least one incident that still has room for them. */
  matched_alerts: number;
  /**
   * Alerts that match only incidents whose allowance is used up: a lasting change allows
   * LASTING_CHANGE_ALERTS (its onset and one final note); later ones are false alarms.
   */
  excess_alerts: number;
  /** Alerts that match no incident at all. */
  unmatched_alerts: number;
  /** matched_alerts / alerts; 1 when there are neither alerts nor incidents, 0 when there are incidents but no alerts. */
  precision: number;
  /** detected / incidents; 1 when there are no incidents. */
  recall: number;
  /** Median over detected incidents of (first matching alert's detected_at_ms - incident start_ms); null when none. */
  median_delay_ms: number | null;
  /** (matched_alerts + excess_alerts) / detected: alert records per incident found; null when none found. */
  alerts_per_incident: number | null;
  /**
   * The same counting only the records that call an analyst: OPEN and ESCALATED records, and
   * alerts of no incident (incidents off); a CLOSED record (an incident's end or an acceptance
   * note) updates what is already open. Null when none found.
   */
  pages_per_incident: number | null;
  /**
   * Mean over detected incidents of the distinct `incident_id`s their matching alerts carry
   * (the engine's own incidents per true one); null when no matching alert carries one.
   */
  ids_per_incident: number | null;
}

export interface Scorecard {
  /** One row per alert type, in ALERT_TYPES order. */
  rows: ScoreRow[];
  /** VOLUME_SPIKE and SUSTAINED_INCREASE together: an alert of either type matches an incident of either type. */
  volume: ScoreRow;
  total: ScoreRow;
  /** Alerts that match no incident (the total row's unmatched), by UTC day of their window's start, chronological. */
  unmatched_by_day: { day: string; alerts: number }[];
}

/** The volume types, scored together: which of the two a detector raises for a shape is its own business. */
export const VOLUME_TYPES: readonly AlertType[] = ['VOLUME_SPIKE', 'SUSTAINED_INCREASE'];

/** Alerts as the scorecard reads them: `incident_id` when the engine groups alerts into incidents. */
type ScoredAlert = Alert & { incident_id?: string | null };

/** Whether the alert's destination, time and window overlap the incident; both intervals closed. */
function overlaps(alert: Alert, incident: Incident): boolean {
  return (
    alert.destination === incident.destination &&
    alert.window_start_ms <= incident.end_ms &&
    incident.start_ms <= alert.window_end_ms
  );
}

/**
 * An alert matches an incident of its type and destination whose interval overlaps the
 * alert's window; both intervals are closed, so touching ends count as overlap.
 */
export function alertMatchesIncident(alert: Alert, incident: Incident): boolean {
  return alert.type === incident.type && overlaps(alert, incident);
}

function volumeMatch(alert: Alert, incident: Incident): boolean {
  return volumeKind(alert, incident) && overlaps(alert, incident);
}

/** Whether an alert of this type and destination can be about the incident, wherever its window lies. */
function sameType(alert: Alert, incident: Incident): boolean {
  return alert.type === incident.type && alert.destination === incident.destination;
}

function volumeKind(alert: Alert, incident: Incident): boolean {
  return VOLUME_TYPES.includes(alert.type) && VOLUME_TYPES.includes(incident.type) && alert.destination === incident.destination;
}

/** How many alerts an incident can take before further ones are false alarms. */
export function alertAllowance(incident: Incident): number {
  return incident.shape === 'lasting_change' ? LASTING_CHANGE_ALERTS : Infinity;
}

export function scoreAlerts(alerts: readonly Alert[], truth: readonly Incident[]): Scorecard {
  const engine = engineIncidents(alerts);
  const rows = ALERT_TYPES.map((type) =>
    scoreGroup(type, alerts.filter((a) => a.type === type), truth.filter((i) => i.type === type), alertMatchesIncident, sameType, engine).row,
  );
  const volume = scoreGroup(
    'VOLUME',
    alerts.filter((a) => VOLUME_TYPES.includes(a.type)),
    truth.filter((i) => VOLUME_TYPES.includes(i.type)),
    volumeMatch,
    volumeKind,
    engine,
  ).row;
  const total = scoreGroup('ALL', alerts, truth, alertMatchesIncident, sameType, engine);
  const unmatched = new Map<string, number>();
  for (const alert of total.unmatched) {
    const day = new Date(alert.window_start_ms).toISOString().slice(0, 10);
    unmatched.set(day, (unmatched.get(day) ?? 0) + 1);
  }
  const unmatched_by_day = [...unmatched].sort(([a], [b]) => a.localeCompare(b)).map(([day, count]) => ({ day, alerts: count }));
  return { rows, volume, total: total.row, unmatched_by_day };
}

/**
 * The engine incident each alert record belongs to, if it carries one, over all the alerts in
 * detection order. A CLOSED record that is an incident of its own (incident_id = its alert_id)
 * is a detector's final note that found no incident open: the run it ends began with an alert
 * whose incident the engine had already closed (a sparse destination sends no window for
 * alerts.suppress_for, so the quiet period ends it while the detector still holds its run). It
 * belongs to the destination's latest record of the same incident key: for the volume types
 * the destination's one volume incident (repeat-folding.ts VOLUME_KEY), whichever volume type
 * opened it and so types its records; a record without an id ends the link.
 */
function engineIncidents(alerts: readonly ScoredAlert[]): Map<Alert, string | undefined> {
  const latest = new Map<string, string>();
  const ids = new Map<Alert, string | undefined>();
  for (const alert of inDetectionOrder(alerts)) {
    const key = `${alert.destination}\u0000${VOLUME_TYPES.includes(alert.type) ? 'VOLUME' : alert.type}`;
    if (typeof alert.incident_id !== 'string') {
      latest.delete(key);
      ids.set(alert, undefined);
      continue;
    }
    const previous = latest.get(key);
    const own = alert.incident_state === 'CLOSED' && alert.incident_id === alert.alert_id;
    const id = own && previous !== undefined ? previous : alert.incident_id;
    latest.set(key, id);
    ids.set(alert, id);
  }
  return ids;
}

/** The alerts by detected_at_ms, ties in input order (a stable sort). */
function inDetectionOrder<T extends Alert>(alerts: readonly T[]): T[] {
  return [...alerts].sort((a, b) => a.detected_at_ms - b.detected_at_ms);
}

/**
 * One row: alerts are taken in detection order (detected_at_ms, ties in input order); each
 * counts once, as matched when it matches an incident with room left (every such incident
 * counts it), as excess when it matches only incidents that are full, else as unmatched.
 * An alert that carries the `incident_id` of an earlier alert also matches the incidents
 * that earlier one matched (`kind`: of its type and destination; `engine`: engineIncidents): it is a later record of
 * the same engine incident (a CLOSED record summarising the whole run, whose own window is
 * the run's last one, which can lie after the true incident ended).
 */
function scoreGroup(
  type: ScoreRow['type'],
  alerts: readonly ScoredAlert[],
  incidents: readonly Incident[],
  matches: (alert: Alert, incident: Incident) => boolean,
  kind: (alert: Alert, incident: Incident) => boolean,
  engine: Map<Alert, string | undefined>,
): { row: ScoreRow; unmatched: Alert[] } {
  const byDestination = new Map<string, Incident[]>();
  for (const incident of incidents) {
    const bucket = byDestination.get(incident.destination);
    if (bucket === undefined) byDestination.set(incident.destination, [incident]);
    else bucket.push(incident);
  }
  const firstDetection = new Map<Incident, number>();
  const taken = new Map<Incident, number>();
  const ids = new Map<Incident, Set<string>>();
  /** The incidents each engine incident's records matched so far. */
  const linked = new Map<string, Set<Incident>>();
  let matched = 0;
  let excess = 0;
  let pages = 0;
  const unmatched: Alert[] = [];
  for (const alert of inDetectionOrder(alerts)) {
    const engineId = engine.get(alert);
    const earlier = engineId === undefined ? undefined : linked.get(engineId);
    const candidates = (byDestination.get(alert.destination) ?? []).filter(
      (i) => matches(alert, i) || (earlier !== undefined && earlier.has(i) && kind(alert, i)),
    );
    if (candidates.length === 0) {
      unmatched.push(alert);
      continue;
    }
    if (engineId !== undefined) {
      const set = earlier ?? new Set<Incident>();
      for (const incident of candidates) set.add(incident);
      linked.set(engineId, set);
    }
    const open = candidates.filter((i) => (taken.get(i) ?? 0) < alertAllowance(i));
    if (open.length === 0) excess++;
    else matched++;
    if (alert.incident_state !== 'CLOSED') pages++;
    for (const incident of open) {
      taken.set(incident, (taken.get(incident) ?? 0) + 1);
      if (!firstDetection.has(incident)) firstDetection.set(incident, alert.detected_at_ms);
    }
    if (typeof alert.incident_id === 'string') {
      for (const incident of candidates) {
        const set = ids.get(incident) ?? new Set<string>();
        set.add(alert.incident_id);
        ids.set(incident, set);
      }
    }
  }

  const delays = incidents.flatMap((i) => {
    const detectedAt = firstDetection.get(i);
    return detectedAt === undefined ? [] : [detectedAt - i.start_ms];
  });
  const detected = delays.length;
  const withIds = [...ids.entries()].filter(([incident]) => firstDetection.has(incident));
  const row: ScoreRow = {
    type,
    incidents: incidents.length,
    detected,
    alerts: alerts.length,
    matched_alerts: matched,
    excess_alerts: excess,
    unmatched_alerts: alerts.length - matched - excess,
    precision: alerts.length === 0 ? (incidents.length === 0 ? 1 : 0) : matched / alerts.length,
    recall: incidents.length === 0 ? 1 : detected / incidents.length,
    median_delay_ms: median(delays),
    alerts_per_incident: detected === 0 ? null : (matched + excess) / detected,
    pages_per_incident: detected === 0 ? null : pages / detected,
    ids_per_incident: withIds.length === 0 ? null : withIds.reduce((sum, [, set]) => sum + set.size, 0) / withIds.length,
  };
  return { row, unmatched };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `450ms`, `2m 30s`, `1h 5m`, `1d 2h 3s` style: milliseconds below a second, else whole seconds. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '-';
  return formatExactDuration(Math.abs(ms) < 999.5 ? ms : Math.sign(ms) * Math.round(Math.abs(ms) / 1000) * 1000);
}

const COLUMNS: { title: string; width: number; cell: (r: ScoreRow) => string }[] = [
  { title: 'type', width: 22, cell: (r) => r.type },
  { title: 'incidents', width: 9, cell: (r) => String(r.incidents) },
  { title: 'detected', width: 8, cell: (r) => String(r.detected) },
  { title: 'alerts', width: 7, cell: (r) => String(r.alerts) },
  { title: 'matched', width: 7, cell: (r) => String(r.matched_alerts) },
  { title: 'excess', width: 6, cell: (r) => String(r.excess_alerts) },
  { title: 'unmatched', width: 9, cell: (r) => String(r.unmatched_alerts) },
  { title: 'precision', width: 9, cell: (r) => r.precision.toFixed(3) },
  { title: 'recall', width: 6, cell: (r) => r.recall.toFixed(3) },
  { title: 'median delay', width: 12, cell: (r) => formatDuration(r.median_delay_ms) },
  { title: 'alerts/inc', width: 10, cell: (r) => ratio(r.alerts_per_incident) },
  { title: 'pages/inc', width: 9, cell: (r) => ratio(r.pages_per_incident) },
  { title: 'ids/inc', width: 7, cell: (r) => ratio(r.ids_per_incident) },
];

function ratio(value: number | null): string {
  return value === null ? '-' : value.toFixed(2);
}

/**
 * A fixed-width text table, one line per type, then the volume types together and the total,
 * for the CLI and the docs. `excess`: alerts past a lasting change's allowance; `unmatched`:
 * alerts of no incident; `alerts/inc`, `pages/inc` and `ids/inc`: alert records, the records
 * of those that call an analyst (not CLOSED) and distinct incident ids per incident found (`-`
 * when none).
 */
export function formatScorecard(scorecard: Scorecard): string {
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(COLUMNS[i].width) : cell.padStart(COLUMNS[i].width))).join('  ').trimEnd();
  const rule = COLUMNS.map((c) => '-'.repeat(c.width)).join('  ');
  return [
    line(COLUMNS.map((c) => c.title)),
    rule,
    ...scorecard.rows.map((r) => line(COLUMNS.map((c) => c.cell(r)))),
    rule,
    line(COLUMNS.map((c) => c.cell(scorecard.volume))),
    line(COLUMNS.map((c) => c.cell(scorecard.total))),
    ...(scorecard.unmatched_by_day.length === 0
      ? []
      : [`alerts of no incident by day (UTC): ${scorecard.unmatched_by_day.map((d) => `${d.day} ${d.alerts}`).join(', ')}`]),
  ].join('\n');
}

// ---- ground-truth file: JSON Lines, one incident a line ----

export class TruthFileError extends Error {
  override name = 'TruthFileError';
}

const incidentSchema = z
  .strictObject({
    incident_id: z.string().min(1),
    type: z.enum(ALERT_TYPES),
    destination: z.string().min(1),
    data_class: z.string().nullable(),
    principal: z.string().nullable(),
    start_ms: z.int(),
    end_ms: z.int(),
    shape: z.enum(INCIDENT_SHAPES).optional(),
  })
  .refine((i) => i.end_ms >= i.start_ms, { message: 'end_ms must not be before start_ms', path: ['end_ms'] });

/** Reads a ground-truth file; a bad line is an error naming file:line and the field. Blank lines are skipped. */
export async function readTruth(path: string): Promise<Incident[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TruthFileError(`${path}: cannot read ground-truth file: ${(error as Error).message}`);
  }
  const incidents: Incident[] = [];
  const firstLineOf = new Map<string, number>();
  text.split('\n').forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === '') return;
    const where = `${path}:${lineNumber}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TruthFileError(`${where}: not valid JSON: ${(error as Error).message}`);
    }
    const parsed = incidentSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.length > 0 ? issue.path.join('.') : 'incident';
      const absent = issue.path.length === 1 && typeof value === 'object' && value !== null && !(String(issue.path[0]) in value);
      throw new TruthFileError(`${where}: ${field}: ${absent ? 'missing' : issue.message}`);
    }
    const first = firstLineOf.get(parsed.data.incident_id);
    if (first !== undefined) {
      throw new TruthFileError(`${where}: incident_id "${parsed.data.incident_id}" already used on line ${first}`);
    }
    firstLineOf.set(parsed.data.incident_id, lineNumber);
    incidents.push(parsed.data);
  });
  return incidents;
}

/** One JSON object per line, fields in the order of DESIGN.md. */
export function formatTruth(incidents: readonly Incident[]): string {
  return incidents
    .map((i) =>
      JSON.stringify({
        incident_id: i.incident_id,
        type: i.type,
        destination: i.destination,
        data_class: i.data_class,
        principal: i.principal,
        start_ms: i.start_ms,
        end_ms: i.end_ms,
        ...(i.shape === undefined ? {} : { shape: i.shape }),
      }) + '\n',
    )
    .join('');
}

export async function writeTruth(path: string, incidents: readonly Incident[]): Promise<void> {
  await writeFile(path, formatTruth(incidents), 'utf8');
}
