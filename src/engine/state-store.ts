// The changelog's key space and the layout of each entry, in one place. Every key the state
// topic holds is named here: the engine's destinations and meta entry, GATEWAY_SILENT's
// gateways and stream entry, and the Kafka task's progress marker. A module that writes or
// reads the changelog asks this one for its keys; detectors serialise only their own payload.
import type { Calendar } from './calendar.js';
import { newBaseline } from '../detectors/baseline/seasonal-baseline.js';
import type { BaselineState } from '../detectors/baseline/layout.js';
import { baselineFromJSON, baselineToJSON } from '../detectors/baseline/state-json.js';
import type { DetectorSettings } from '../config/types.js';
import { destinationDetectors } from '../detectors/registry.js';
import type { EventClockJSON } from './event-clock.js';
import { packTypedStates } from './packed-state.js';
import { RecentIds } from './recent-ids.js';
import { foldStateFromJSON, foldStateToJSON, type FoldState } from './repeat-folding.js';
import { windowFromJSON, windowToJSON, type OpenWindow } from './window.js';

/** Prefixes and names of every changelog key. */
export const STATE_KEYS = {
  /** `d:<destination>`: one destination's state (DestinationState). */
  destination: 'd:',
  /** The engine's event time: watermark, first and latest event, per-gateway clock. */
  engine: 'm:engine',
  /** `g:<gateway>`: one gateway's GATEWAY_SILENT state (other gateway detectors: GATEWAY_DETECTOR_KEYS). */
  gateway: 'g:',
  /** GATEWAY_SILENT's stream-wide entry. */
  silence: 'm:silence',
  /** The Kafka task's progress marker (kafka/progress.ts): never the engine's. */
  progress: 'x:progress',
} as const;

export const PROGRESS_KEY = STATE_KEYS.progress;

/** A gateway detector's keys: one entry per gateway (prefix), one for the stream. */
interface GatewayDetectorKeys {
  gateway: string;
  stream: string;
}

/** GATEWAY_SILENT keeps the keys it always had; a later gateway detector gets `g.<key>:` and `m:<key>`. */
function gatewayKeysOf(detector: string): GatewayDetectorKeys {
  return detector === 'gateway_silent' ? { gateway: STATE_KEYS.gateway, stream: STATE_KEYS.silence } : { gateway: `g.${detector}:`, stream: `m:${detector}` };
}

export type ParsedStateKey =
  | { kind: 'destination'; id: string }
  /** A gateway detector's entry: one gateway's (id), or the stream's (id null). */
  | { kind: 'gateway'; detector: string; id: string | null }
  | { kind: 'engine' | 'progress' };

export const destinationKey = (destination: string): string => STATE_KEYS.destination + destination;

/** The key of a gateway detector's entry: a gateway's, or the stream's (gateway null). */
export function gatewayEntryKey(detector: string, gateway: string | null): string {
  const keys = gatewayKeysOf(detector);
  return gateway === null ? keys.stream : keys.gateway + gateway;
}

/** What a changelog key names, given the gateway detectors' keys; null: no key of ours. */
export function parseStateKey(key: string, gatewayDetectors: readonly string[]): ParsedStateKey | null {
  if (key === STATE_KEYS.engine) return { kind: 'engine' };
  if (key.startsWith(STATE_KEYS.destination)) return { kind: 'destination', id: key.slice(STATE_KEYS.destination.length) };
  for (const detector of gatewayDetectors) {
    const keys = gatewayKeysOf(detector);
    if (key === keys.stream) return { kind: 'gateway', detector, id: null };
    if (key.startsWith(keys.gateway)) return { kind: 'gateway', detector, id: key.slice(keys.gateway.length) };
  }
  if (key === STATE_KEYS.progress) return { kind: 'progress' };
  return null;
}

/**
 * Everything the engine knows about one destination: one changelog entry. Kept small (the
 * 2 KB per destination budget, docs/benchmarks.md): what most destinations do not use (open
 * incidents, recent flow ids) is absent rather than an empty Map, and the detector settings
 * are a reference to a profile shared by destinations (live-config.ts).
 */
export interface DestinationState {
  lastSeen: number;
  baseline: BaselineState;
  detectors: Record<string, unknown>;
  windows: OpenWindow[];
  /** alerts.suppress_for: the open folding intervals (repeat-folding.ts); absent: none open. */
  folds: FoldState | undefined;
  /** Flow ids seen within windows.dedup_horizon (absent: none). */
  ids: RecentIds | undefined;
  /** Detector settings with overrides applied, per data class (derived, not serialised; shared). */
  settings: Map<string | null, DetectorSettings> | undefined;
  /** The calendar whose days it keeps (baseline.day_zones, day-zones.ts), resolved on first use (derived, not serialised; shared). */
  days: Calendar | undefined;
}

/**
 * One shape for new and restored states (all fields set at once: no hidden-class
 * transitions), the typed-array states in one slot of a slab (packed-state.ts).
 */
function destinationState(
  lastSeen: number,
  baseline: BaselineState,
  detectors: Record<string, unknown>,
  windows: OpenWindow[],
  folds: FoldState | undefined,
  ids: RecentIds | undefined,
): DestinationState {
  return {
    lastSeen,
    baseline: packTypedStates(baseline, detectors),
    detectors,
    windows,
    folds: folds !== undefined && folds.size > 0 ? folds : undefined,
    ids,
    settings: undefined,
    days: undefined,
  };
}

export function newDestinationState(): DestinationState {
  const detectors: Record<string, unknown> = {};
  for (const d of destinationDetectors()) detectors[d.key] = d.init();
  return destinationState(-Infinity, newBaseline(), detectors, [], undefined, undefined);
}

/**
 * What idle expiry keeps of an idle destination some detector still needs (idle-expiry.ts): a
 * fresh state (baseline, windows, incidents, flow ids, the other detectors' states) holding the
 * states of the `kept` detectors, its last-seen time unchanged.
 */
export function dormantDestinationState(s: DestinationState, kept: readonly string[]): DestinationState {
  const detectors: Record<string, unknown> = {};
  for (const d of destinationDetectors()) detectors[d.key] = kept.includes(d.key) ? s.detectors[d.key] : d.init();
  return destinationState(s.lastSeen, newBaseline(), detectors, [], undefined, undefined);
}

/** The destination's open incidents, made on first use (repeat-folding.ts fills it). */
export function foldsOf(s: DestinationState): FoldState {
  return (s.folds ??= new Map());
}

/** Lets an emptied incident map go: most destinations have none open most of the time. */
export function dropEmptyFolds(s: DestinationState): void {
  if (s.folds !== undefined && s.folds.size === 0) s.folds = undefined;
}

export function serialiseDestination(s: DestinationState): string {
  const detectors: Record<string, unknown> = {};
  for (const d of destinationDetectors()) detectors[d.key] = d.toJSON(s.detectors[d.key]);
  return JSON.stringify({
    v: 1,
    seen: s.lastSeen,
    base: baselineToJSON(s.baseline),
    det: detectors,
    win: s.windows.map(windowToJSON),
    sup: s.folds === undefined ? [] : foldStateToJSON(s.folds),
    ...(s.ids !== undefined && s.ids.size > 0 ? { ids: s.ids.toJSON(s.lastSeen) } : {}),
  });
}

export function deserialiseDestination(text: string): DestinationState {
  const j = JSON.parse(text);
  const detectors: Record<string, unknown> = {};
  for (const d of destinationDetectors()) detectors[d.key] = j.det[d.key] === undefined ? d.init() : d.fromJSON(j.det[d.key]);
  return destinationState(
    j.seen,
    baselineFromJSON(j.base),
    detectors,
    (j.win as unknown[]).map(windowFromJSON),
    foldStateFromJSON(j.sup),
    Array.isArray(j.ids) && j.ids.length > 0 ? RecentIds.fromJSON(j.ids, j.seen) : undefined,
  );
}

/** The engine's event time, as the `m:engine` entry holds it (infinities as null). */
export interface EventTimes {
  watermark: number;
  maxEventMs: number;
  firstEventMs: number;
  /** When idle expiry sweeps next. */
  nextSweep: number;
}

export function newEventTimes(): EventTimes {
  return { watermark: -Infinity, maxEventMs: -Infinity, firstEventMs: Infinity, nextSweep: -Infinity };
}

export function serialiseMeta(t: EventTimes, clock: EventClockJSON): string {
  return JSON.stringify({ v: 1, wm: finiteOrNull(t.watermark), max: finiteOrNull(t.maxEventMs), first: finiteOrNull(t.firstEventMs), sweep: finiteOrNull(t.nextSweep), clock });
}

/** Reads the entry into `into`; returns the per-gateway clock, undefined in older snapshots. */
export function restoreMeta(text: string, into: EventTimes): EventClockJSON | undefined {
  const j = JSON.parse(text);
  into.watermark = j.wm ?? -Infinity;
  into.maxEventMs = j.max ?? -Infinity;
  into.firstEventMs = j.first ?? Infinity;
  into.nextSweep = j.sweep ?? -Infinity;
  return j.clock;
}

export function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}
