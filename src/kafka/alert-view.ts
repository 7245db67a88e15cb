// How an analyst sees alerts on a terminal (`alerts`, `demo`): one line per alert, the
// severity coloured, and the filters of the `alerts` command. Pure: no Kafka, no clock.
import picomatch from 'picomatch';
import { parseDuration } from '../config/units.js';
import { ALERT_TYPES, INCIDENT_STATES, SEVERITIES, type Alert, type AlertType, type IncidentState, type Severity } from '../engine/types.js';

export interface AlertFilter {
  /** Only these types; undefined: all. */
  types?: ReadonlySet<AlertType>;
  /** Only this severity and above. */
  minSeverity?: Severity;
  /** Glob (picomatch) on the destination. */
  destination?: string;
  /** Only alerts with detected_at_ms at or after this (epoch ms). */
  sinceMs?: number;
  /** Only records of incidents in these states (alerts of no incident never match). */
  states?: ReadonlySet<IncidentState>;
}

export interface AlertFilterText {
  type?: string;
  minSeverity?: string;
  destination?: string;
  since?: string;
  state?: string;
}

/** A filter from the command-line texts; a bad value throws naming the option and the value. */
export function parseAlertFilter(text: AlertFilterText, nowMs: number): AlertFilter {
  const filter: AlertFilter = {};
  if (text.type !== undefined) {
    const types = text.type.split(',').map((t) => t.trim().toUpperCase()).filter((t) => t !== '');
    const bad = types.filter((t) => !(ALERT_TYPES as readonly string[]).includes(t));
    if (bad.length > 0 || types.length === 0) {
      throw new Error(`--type: unknown alert type ${bad.join(', ') || JSON.stringify(text.type)}; expected some of ${ALERT_TYPES.join(', ')}`);
    }
    filter.types = new Set(types as AlertType[]);
  }
  if (text.minSeverity !== undefined) {
    const severity = text.minSeverity.trim().toUpperCase();
    if (!(SEVERITIES as readonly string[]).includes(severity)) {
      throw new Error(`--min-severity: unknown severity ${JSON.stringify(text.minSeverity)}; expected one of ${SEVERITIES.join(', ')}`);
    }
    filter.minSeverity = severity as Severity;
  }
  if (text.destination !== undefined) {
    if (text.destination.trim() === '') throw new Error('--destination: expected a glob such as *.example.com, got an empty text');
    filter.destination = text.destination;
  }
  if (text.since !== undefined) filter.sinceMs = parseSince(text.since, nowMs);
  if (text.state !== undefined) {
    const states = text.state.split(',').map((t) => t.trim().toUpperCase()).filter((t) => t !== '');
    const bad = states.filter((t) => !(INCIDENT_STATES as readonly string[]).includes(t));
    if (bad.length > 0 || states.length === 0) {
      throw new Error(`--state: unknown incident state ${bad.join(', ') || JSON.stringify(text.state)}; expected some of ${INCIDENT_STATES.join(', ')}`);
    }
    filter.states = new Set(states as IncidentState[]);
  }
  return filter;
}

/** `1h` (that long before now) or an ISO 8601 time. */
export function parseSince(text: string, nowMs: number): number {
  if (/^\s*\d+(\.\d+)?\s*[a-z]+\s*$/i.test(text)) {
    try {
      return nowMs - parseDuration(text.trim());
    } catch (err) {
      throw new Error(`--since: ${(err as Error).message}`);
    }
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new Error(`--since: expected a duration such as 1h or an ISO 8601 time such as 2026-01-06T00:00:00Z, got ${JSON.stringify(text)}`);
  }
  return ms;
}

/** The filter as a predicate; the destination glob is compiled once. */
export function alertPredicate(filter: AlertFilter): (alert: Alert) => boolean {
  const destinationMatches = filter.destination === undefined ? () => true : picomatch(filter.destination, { dot: true });
  const minRank = filter.minSeverity === undefined ? 0 : SEVERITIES.indexOf(filter.minSeverity);
  return (alert) =>
    (filter.types === undefined || filter.types.has(alert.type)) &&
    SEVERITIES.indexOf(alert.severity) >= minRank &&
    (filter.sinceMs === undefined || alert.detected_at_ms >= filter.sinceMs) &&
    (filter.states === undefined || (alert.incident_state != null && filter.states.has(alert.incident_state))) &&
    destinationMatches(alert.destination);
}

const RESET = '\x1b[0m';
const SEVERITY_STYLE: Record<Severity, string> = {
  CRITICAL: '\x1b[1;31m', // red, bold
  HIGH: '\x1b[31m', // red
  MEDIUM: '\x1b[33m', // yellow
  LOW: '\x1b[2m', // dim
};

/** Longest type name, so the columns after it line up. */
const TYPE_WIDTH = Math.max(...ALERT_TYPES.map((t) => t.length));
const SEVERITY_WIDTH = Math.max(...SEVERITIES.map((s) => s.length));

/**
 * `CRITICAL 2026-01-06T03:04:00.000Z RESIDENCY_VIOLATION    api.example.com  <reason>`:
 * severity, detection time (event time), type, destination, the reason sentence; a record of an
 * incident names its state and id before the reason (`OPEN incident <id>  <reason>`).
 */
export function formatAlertLine(alert: Alert, color: boolean): string {
  const severity = alert.severity.padEnd(SEVERITY_WIDTH);
  const shown = color ? `${SEVERITY_STYLE[alert.severity]}${severity}${RESET}` : severity;
  const time = new Date(alert.detected_at_ms).toISOString();
  const incident = alert.incident_id == null ? '' : `${alert.incident_state ?? 'OPEN'} incident ${alert.incident_id}  `;
  return `${shown} ${time} ${alert.type.padEnd(TYPE_WIDTH)} ${alert.destination}  ${incident}${alert.reason}`;
}

/** One alert as one JSON line (for pipes: jq, grep). */
export function formatAlertJson(alert: Alert): string {
  return JSON.stringify(alert);
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}
