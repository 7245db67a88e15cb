// Flighting a config: the alerts of a candidate config beside those of the config in
// force, over the same traffic. An operator reads what a threshold or policy change would
// gain and lose, per alert type and destination, and which past incidents each still
// catches, before deploying it.
//
// Alerts of the two runs cannot be paired by alert_id: the id hashes the evidence, which
// includes config_version. They are paired by what an analyst would call "the same alert":
// type, destination, data class, principal and window start.
import { ALERT_TYPES, type Alert, type AlertType } from '../engine/types.js';
import type { Incident } from '../generate/types.js';
import { alertMatchesIncident } from './scorecard.js';

export interface FlightRow {
  type: AlertType;
  destination: string;
  baseline: number;
  candidate: number;
  /** Alerts the candidate gives that the baseline does not. */
  gained: number;
  /** Alerts the baseline gives that the candidate does not. */
  lost: number;
}

export interface FlightIncident {
  incident_id: string;
  type: AlertType;
  destination: string;
  baseline: boolean;
  candidate: boolean;
}

export interface FlightDiff {
  baseline: { config_version: string | null; alerts: number; byType: Record<AlertType, number> };
  candidate: { config_version: string | null; alerts: number; byType: Record<AlertType, number> };
  /** Every (type, destination) whose alerts differ, by type order then destination. */
  changed: FlightRow[];
  /** Every truth incident with which run caught it; null without --truth. */
  incidents: FlightIncident[] | null;
}

export function sameAlertKey(a: Alert): string {
  return [a.type, a.destination, a.data_class ?? '', a.principal ?? '', a.window_start_ms].join('\u0000');
}

export function diffFlight(baseline: readonly Alert[], candidate: readonly Alert[], truth: readonly Incident[] | null = null): FlightDiff {
  const baseKeys = countKeys(baseline);
  const candKeys = countKeys(candidate);
  const rows = new Map<string, FlightRow>();
  const rowFor = (a: Alert): FlightRow => {
    const k = `${a.type}\u0000${a.destination}`;
    let r = rows.get(k);
    if (!r) rows.set(k, (r = { type: a.type, destination: a.destination, baseline: 0, candidate: 0, gained: 0, lost: 0 }));
    return r;
  };
  for (const a of baseline) {
    const r = rowFor(a);
    r.baseline++;
    if (!take(candKeys, sameAlertKey(a))) r.lost++;
  }
  for (const a of candidate) {
    const r = rowFor(a);
    r.candidate++;
    if (!take(baseKeys, sameAlertKey(a))) r.gained++;
  }
  const typeOrder = (t: AlertType) => ALERT_TYPES.indexOf(t);
  const changed = [...rows.values()]
    .filter((r) => r.gained > 0 || r.lost > 0)
    .sort((x, y) => typeOrder(x.type) - typeOrder(y.type) || compare(x.destination, y.destination));
  return {
    baseline: side(baseline),
    candidate: side(candidate),
    changed,
    incidents: truth
      ? truth.map((i) => ({
          incident_id: i.incident_id,
          type: i.type,
          destination: i.destination,
          baseline: baseline.some((a) => alertMatchesIncident(a, i)),
          candidate: candidate.some((a) => alertMatchesIncident(a, i)),
        }))
      : null,
  };
}

/** Multiset of keys; each side's alert consumes one match so repeats are counted right. */
function countKeys(alerts: readonly Alert[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of alerts) {
    const k = sameAlertKey(a);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function take(m: Map<string, number>, k: string): boolean {
  const n = m.get(k) ?? 0;
  if (n === 0) return false;
  m.set(k, n - 1);
  return true;
}

function side(alerts: readonly Alert[]): FlightDiff['baseline'] {
  const byType = Object.fromEntries(ALERT_TYPES.map((t) => [t, 0])) as Record<AlertType, number>;
  for (const a of alerts) byType[a.type]++;
  return { config_version: alerts[0]?.config_version ?? null, alerts: alerts.length, byType };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `${n}` : '0');

export function formatFlight(d: FlightDiff, names: { baseline: string; candidate: string }): string[] {
  const lines = [
    `flight: ${names.candidate} (candidate) against ${names.baseline} (in force), same traffic`,
    `  alerts: ${d.baseline.alerts} -> ${d.candidate.alerts} (${signed(d.candidate.alerts - d.baseline.alerts)})`,
  ];
  for (const t of ALERT_TYPES) {
    const b = d.baseline.byType[t];
    const c = d.candidate.byType[t];
    if (b > 0 || c > 0) lines.push(`    ${t.padEnd(24)} ${String(b).padStart(6)} -> ${String(c).padStart(6)} (${signed(c - b)})`);
  }
  if (d.changed.length === 0) lines.push('  no alert gained or lost');
  else {
    lines.push(`  changed (type, destination: gained/lost):`);
    for (const r of d.changed) lines.push(`    ${r.type.padEnd(24)} ${r.destination}: +${r.gained} -${r.lost}`);
  }
  if (d.incidents) {
    const caught = (f: (i: FlightIncident) => boolean) => d.incidents!.filter(f).length;
    const n = d.incidents.length;
    lines.push(`  incidents caught: ${caught((i) => i.baseline)}/${n} in force, ${caught((i) => i.candidate)}/${n} candidate`);
    for (const i of d.incidents) {
      if (i.baseline && !i.candidate) lines.push(`    no longer caught: ${i.incident_id} ${i.type} ${i.destination}`);
      if (!i.baseline && i.candidate) lines.push(`    newly caught:     ${i.incident_id} ${i.type} ${i.destination}`);
    }
  }
  return lines;
}
