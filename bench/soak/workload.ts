// The soak's workloads and event-time settings, shared by the soak (bench/soak.ts) and its
// unbroken-run reference (bench/soak-reference.ts), so both generate the very same flows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { ALERT_TYPES, type AlertType } from '../../src/engine/types.js';
import { GenerateOptionsError } from '../../src/generate/index.js';
import { packageRoot } from '../../src/io/schemas.js';
import { rateForRecords, soakTraffic, type SoakTraffic } from './traffic.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** A Monday, as the generator's default. */
export const SOAK_T0 = Date.UTC(2026, 0, 5);
/** 3.6 event hours per wall minute. */
export const EVENT_MS_PER_WALL_MS = 3.6 * 60;
/** Flows the capacity probe has ready: more than it can send in its time. */
const CAPACITY_PROBE_RECORDS = 3_000_000;
const PROBE_DURATION = 6 * HOUR;
/** Flows per event second at the least, whatever the wall-clock rate. */
const MIN_EVENT_RATE = 5;
const POLICY_TYPES: AlertType[] = ['RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS'];

/**
 * config/example.yaml with the soak's event-time settings (edited as YAML, so units stay).
 * Event time runs about 200x faster than the wall clock, and the repartition topic interleaves
 * the flows partitions a fetch batch (thousands of records) at a time: the documented 30 s of
 * lateness would be 0.14 s of wall time and most records would count as late; one hour is
 * about 17 s. The documented 5 minutes of idle_timeout would be 1.4 s, about one fetch:
 * 30 minutes (8 s) tolerate the read skew of a service that keeps up, and a rare stream (flows
 * outside any gateway) still stops holding the watermark back soon.
 */
export function soakConfigDocument(): Document {
  const doc = parseDocument(readFileSync(join(packageRoot(), 'config', 'example.yaml'), 'utf8'));
  doc.setIn(['windows', 'allowed_lateness'], '1h');
  doc.setIn(['windows', 'idle_timeout'], '30m');
  return doc;
}

/** The capacity probe's flows: 6 event hours from SOAK_T0, no incidents, more than it sends. */
export function capacityProbeTraffic(seed: number, destinations: number): SoakTraffic {
  const options = { seed, destinations, start_ms: SOAK_T0, duration_ms: PROBE_DURATION, incidents_per_type: 0, learning_ms: 0, types: [] as AlertType[] };
  return soakTraffic({ ...options, rate: rateForRecords(options, CAPACITY_PROBE_RECORDS) });
}

export interface SoakPhase {
  traffic: SoakTraffic;
  types: AlertType[];
  eventDuration: number;
  eventRate: number;
  /** Why the volume incidents were left out, when they were. */
  note?: string;
}

/** The soak phase's flows: `rate` wall-clock flows/s for `durationMs`, event time compressed from `startMs`. */
export function soakPhaseTraffic(o: { seed: number; destinations: number; startMs: number; durationMs: number; rate: number }): SoakPhase {
  const eventDuration = Math.round((o.durationMs * EVENT_MS_PER_WALL_MS) / MINUTE) * MINUTE;
  const full = eventDuration >= 30 * HOUR;
  const base = {
    seed: o.seed, destinations: o.destinations, start_ms: o.startMs, duration_ms: eventDuration,
    incidents_per_type: 1, learning_ms: full ? 26 * HOUR : Math.round(eventDuration / 4),
  };
  // At a low rate the seed flows alone (one per destination and data class) outlast the soak:
  // a floor keeps event time moving, and the event time covered comes out shorter.
  const eventRate = Math.max(MIN_EVENT_RATE, rateForRecords({ ...base, types: [] }, (o.rate * o.durationMs) / 1000));
  const types: AlertType[] = full ? [...ALERT_TYPES] : POLICY_TYPES;
  try {
    return { traffic: soakTraffic({ ...base, rate: eventRate, types }), types, eventDuration, eventRate };
  } catch (err) {
    if (!(err instanceof GenerateOptionsError)) throw err;
    const fewer = types.filter((t) => t !== 'VOLUME_SPIKE' && t !== 'SUSTAINED_INCREASE');
    return { traffic: soakTraffic({ ...base, rate: eventRate, types: fewer }), types: fewer, eventDuration, eventRate, note: `${err.message}: injecting no volume incidents` };
  }
}
