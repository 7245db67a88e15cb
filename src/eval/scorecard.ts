// Compares alerts with a ground truth of injected incidents: per alert type, how many
// incidents were found (recall), how many alerts point at a real incident (precision) and
// how long detection took. Also reads and writes the ground-truth JSON Lines file.
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { formatDuration as formatExactDuration } from '../config/units.js';
import { ALERT_TYPES, type Alert, type AlertType } from '../engine/types.js';
import { INCIDENT_SHAPES, LASTING_CHANGE_ALERTS, type Incident } from '../generate/types.js';

export interface ScoreRow {
  /** 'ALL' for the row over every type. */
  type: AlertType | 'ALL';
  incidents: number;
  /** Incidents with at least one matching alert. */
  detected: number;
  alerts: number;
  /** Alerts that match at least one incident. */
  matched_alerts: number;
  /** matched_alerts / alerts; 1 when there are neither alerts nor incidents, 0 when there are incidents but no alerts. */
  precision: number;
  /** detected / incidents; 1 when there are no incidents. */
  recall: number;
  /** Median over detected incidents of (first matching alert's detected_at_ms - incident start_ms); null when none. */
  median_delay_ms: number | null;
}

export interface Scorecard {
  /** One row per alert type, in ALERT_TYPES order. */
  rows: ScoreRow[];
  total: ScoreRow;
}

/**
 * An alert matches an incident of its type and destination whose interval overlaps the
 * alert's window; both intervals are closed, so touching ends count as overlap.
 */
export function alertMatchesIncident(alert: Alert, incident: Incident): boolean {
  return (
    alert.type === incident.type &&
    alert.destination === incident.destination &&
    alert.window_start_ms <= incident.end_ms &&
    incident.start_ms <= alert.window_end_ms
  );
}

export function scoreAlerts(alerts: readonly Alert[], truth: readonly Incident[]): Scorecard {
  const byKey = new Map<string, Incident[]>();
  for (const incident of truth) {
    const key = `${incident.type}\u0000${incident.destination}`;
    const bucket = byKey.get(key);
    if (bucket === undefined) byKey.set(key, [incident]);
    else bucket.push(incident);
  }

  const firstDetection = new Map<Incident, number>();
  const matchedAlerts = new Map<AlertType, number>();
  const alertCounts = new Map<AlertType, number>();
  for (const alert of alerts) {
    alertCounts.set(alert.type, (alertCounts.get(alert.type) ?? 0) + 1);
    const candidates = byKey.get(`${alert.type}\u0000${alert.destination}`) ?? [];
    let matched = false;
    for (const incident of candidates) {
      if (!alertMatchesIncident(alert, incident)) continue;
      matched = true;
      const previous = firstDetection.get(incident);
      if (previous === undefined || alert.detected_at_ms < previous) firstDetection.set(incident, alert.detected_at_ms);
    }
    if (matched) matchedAlerts.set(alert.type, (matchedAlerts.get(alert.type) ?? 0) + 1);
  }

  const delaysOf = (incidents: readonly Incident[]): number[] =>
    incidents.flatMap((i) => {
      const detectedAt = firstDetection.get(i);
      return detectedAt === undefined ? [] : [detectedAt - i.start_ms];
    });

  const rows = ALERT_TYPES.map((type) => {
    const incidents = truth.filter((i) => i.type === type);
    return row(type, incidents.length, alertCounts.get(type) ?? 0, matchedAlerts.get(type) ?? 0, delaysOf(incidents));
  });
  const total = row(
    'ALL',
    truth.length,
    alerts.length,
    rows.reduce((sum, r) => sum + r.matched_alerts, 0),
    delaysOf(truth),
  );
  return { rows, total };
}

function row(type: AlertType | 'ALL', incidents: number, alerts: number, matched: number, delays: number[]): ScoreRow {
  const detected = delays.length;
  return {
    type,
    incidents,
    detected,
    alerts,
    matched_alerts: matched,
    precision: alerts === 0 ? (incidents === 0 ? 1 : 0) : matched / alerts,
    recall: incidents === 0 ? 1 : detected / incidents,
    median_delay_ms: median(delays),
  };
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
  { title: 'precision', width: 9, cell: (r) => r.precision.toFixed(3) },
  { title: 'recall', width: 6, cell: (r) => r.recall.toFixed(3) },
  { title: 'median delay', width: 12, cell: (r) => formatDuration(r.median_delay_ms) },
];

/** A fixed-width text table, one line per type and a total line, for the CLI and the README. */
export function formatScorecard(scorecard: Scorecard): string {
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(COLUMNS[i].width) : cell.padStart(COLUMNS[i].width))).join('  ').trimEnd();
  const rule = COLUMNS.map((c) => '-'.repeat(c.width)).join('  ');
  return [
    line(COLUMNS.map((c) => c.title)),
    rule,
    ...scorecard.rows.map((r) => line(COLUMNS.map((c) => c.cell(r)))),
    rule,
    line(COLUMNS.map((c) => c.cell(scorecard.total))),
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
