// One interface for every detector, in the manner of River's online models: a detector owns
// a small state, scores an observation against it (score_one) and then learns from it
// (learn_one). A detector is one file that owns everything about it: its alert type, config
// key and kind, its settings with their defaults, the words check-config explains it with,
// its SIEM fields, its state serialisation, score and learn. The engine, the config schema,
// explain, the SIEM mappings and the report read them from registry.ts: adding a detector is
// a new file plus one line there (see docs/architecture.md).
//
// Three kinds, by what a detector judges:
// - flow: each flow of a destination, as it comes (policy rules, first-seen);
// - window: each closed window of a destination, against its seasonal baseline (volume);
// - gateway: each gateway of the stream, as event time moves (GATEWAY_SILENT); one instance
//   per engine keeps its own per-gateway state.
import type { z } from 'zod';
import type { Alert, AlertType, FlowRecord, Severity } from '../model/contract.js';
import type { CompiledClass } from '../model/policy.js';
import type { BaselineVerdict, WindowObservation } from './baseline/seasonal-baseline.js';

/** What a detector found; the engine turns it into an alert (ids, suppression, samples). */
export interface Finding {
  observed: number;
  expected: number;
  score: number;
  threshold: number;
  reason: string;
  /** Window detectors whose evidence spans several windows say so (else: the closing window). */
  span?: { start_ms: number; flow_count: number; bytes: number };
  /** Window detectors: the window belongs to an open anomaly, so the baseline must not learn from it. */
  hold?: boolean;
  /** Window detectors: a lasting change outlasted accept_after and is now the new normal (the run's final note). */
  accepted?: boolean;
}

/** The settings every detector has (detectors.<key>.enabled and .severity). */
export interface DetectorBase {
  enabled: boolean;
  severity: Severity;
}

/**
 * Each detector's settings type by config key. Every detector file adds its own entry by
 * declaration merging (`declare module './detector.js' { interface DetectorSettingsMap {...} }`);
 * config/types.ts's DetectorSettings is this map.
 */
export interface DetectorSettingsMap {}
export type DetectorKey = keyof DetectorSettingsMap;

/** The settings type of a block declared by `fields` (SettingsSpec): enabled, severity and its own. */
export type SettingsOf<F extends z.ZodRawShape> = DetectorBase & { [K in keyof F]: z.output<F[K]> };

/** A detector's settings block in the config, beside `enabled` (default true) and `severity`. */
export interface SettingsSpec {
  /** The severity of its alerts when the config names none. */
  severity: Severity;
  /**
   * Its own settings, each a zod schema with its default (`.default(6)`, or `.prefault('1d')`
   * for a value the schema parses). Overrides take the same schemas without the defaults.
   */
  fields: z.ZodRawShape;
}

/** How a SIEM sees the detector (OCSF finding_info/analytic, ECS rule). */
export interface SiemKind {
  /** A short title for finding_info.title and rule.description. */
  title: string;
  /** 'policy' rules, the 'first-seen' rule, the 'volume baseline', or the gateways' 'evidence gap'. */
  category: 'policy' | 'first-seen' | 'volume baseline' | 'evidence gap';
  /** OCSF analytic type_id: 1 Rule, 2 Behavioral, 3 Statistical. */
  analyticTypeId: 1 | 2 | 3;
  analyticType: 'Rule' | 'Behavioral' | 'Statistical';
}

/** What every detector declares, whatever its kind. */
export interface DetectorInfo<K extends DetectorKey = DetectorKey> {
  readonly type: AlertType;
  readonly key: K;
  readonly settings: SettingsSpec;
  /** When it alerts, in plain words that follow "SEVERITY when" (check-config). */
  explain(settings: DetectorSettingsMap[K]): string;
  readonly siem: SiemKind;
}

export interface FlowContext {
  flow: FlowRecord;
  destination: string;
  /** The policy entry of flow.data_class, if the class has one. */
  policy: CompiledClass | undefined;
  /** Event time of the engine's first record (never moved back by a stale one): learning periods count from it. */
  firstEventMs: number;
  /** Findings of detectors that ran earlier for this flow (registry order). */
  earlier: readonly AlertType[];
}

export interface WindowContext {
  destination: string;
  window: WindowObservation;
  /** The destination's shared volume baseline, already scored for this window. */
  baseline: BaselineVerdict;
  /** Windows the baseline had learnt before this one: volume alerts wait for warmup. */
  learnedWindows: number;
  /** Whole hours folded into the baseline's hour-of-day profile (24 = a full day). */
  learnedHours: number;
  /** Event time since the baseline learnt its first window (the hour it began): how much history it has seen. */
  historyMs: number;
  /** How far apart (ln) the mean bytes of the whole days seen so far sit: a weekly rhythm shows here. */
  dailySpread: number;
  warmupWindows: number;
}

/** Per-destination state plumbing of flow and window detectors. */
interface DestinationDetector<K extends DetectorKey, S> extends DetectorInfo<K> {
  /**
   * A fresh per-destination state; `undefined` for stateless detectors. A typed-array state is
   * moved into its destination's slot of a slab (engine/packed-state.ts), which another
   * destination reuses once this destination's state is collected: write into it in place, and
   * keep no reference to it beyond a call.
   */
  init(): S;
  toJSON(state: S): unknown;
  fromJSON(json: unknown): S;
  /**
   * True when this state is worth keeping after its destination goes idle (baseline.idle_ttl):
   * the destination is then kept dormant, with only such states (idle-expiry.ts). Absent: never.
   */
  keepWhenIdle?(state: S): boolean;
}

export interface FlowDetector<K extends DetectorKey = DetectorKey, S = unknown> extends DestinationDetector<K, S> {
  readonly kind: 'flow';
  /**
   * True when the detector has nothing to do with a flow that carries no data class (its
   * scoreOne returns null and its learnOne false for one): the engine then does not call
   * it for such flows, which are most of the traffic.
   */
  readonly dataClassOnly: boolean;
  scoreOne(state: S, ctx: FlowContext, settings: DetectorSettingsMap[K]): Finding | null;
  /** Returns true when the state changed. */
  learnOne(state: S, ctx: FlowContext): boolean;
}

export interface WindowDetector<K extends DetectorKey = DetectorKey, S = unknown> extends DestinationDetector<K, S> {
  readonly kind: 'window';
  /** Scores every closed window (alerting or not) so `replay --scores` can show it. */
  scoreOne(state: S, ctx: WindowContext, settings: DetectorSettingsMap[K]): Finding & { alert: boolean };
  /** Learns from the window (after every window detector has scored it). */
  learnOne(state: S, ctx: WindowContext, settings: DetectorSettingsMap[K]): void;
  /**
   * A detector that keeps a run (Finding.hold): the run ended without it, because its
   * destination fell silent long enough that traffic is back down (the incident's silence rule,
   * repeat-folding.ts). It forgets the run in place, so no later window continues it: a burst
   * that ended is not accepted as the new normal by the quiet windows after it.
   */
  endRun?(state: S): void;
}

/** What a gateway detector reads of the config in force (a fresh view after each reload). */
export interface GatewayView<T> {
  /** Its settings block, no override applied. */
  settings: T;
  /** Its settings for one gateway: overrides matching destination `gateway:<id>` applied. */
  settingsFor(gateway: string): T;
  allowedLateness: number;
  idleTtl: number;
  configVersion: string;
  /** Alerts become incidents (alerts.suppress_for above 0s): a detector that closes its own incidents records which it opened. */
  incidents: boolean;
}

/** Local time as the baseline's time zone reads it. */
export interface LocalClock {
  readonly timeZone: string;
  at(ms: number): { hour: number };
}

/** Receives one entry of a gateway detector's state: a gateway's, or the stream's (gateway null); null value deletes. */
export type GatewayEntryWriter = (gateway: string | null, value: string | null) => void;

/** The running instance of a gateway detector: one per engine, judged as the watermark moves. */
export interface GatewayJudge<T = unknown> {
  /** Do not call check() before the watermark reaches this (a lower bound of every due time). */
  readonly nextCheck: number;
  /** One record (any gateway, null included). */
  observe(gateway: string | null, eventMs: number, flowId: string): void;
  check(watermark: number): Alert[];
  reconfigure(view: GatewayView<T>): void;
  /** Entries changed since the last commit (the engine's state store keys them). */
  commit(write: GatewayEntryWriter): void;
  snapshot(write: GatewayEntryWriter): void;
  restoreEntry(gateway: string | null, value: string | null): void;
}

export interface GatewayDetector<K extends DetectorKey = DetectorKey> extends DetectorInfo<K> {
  readonly kind: 'gateway';
  create(view: GatewayView<DetectorSettingsMap[K]>, clock: LocalClock, alertId: (alert: Alert) => string): GatewayJudge<DetectorSettingsMap[K]>;
}

export type Detector = FlowDetector<any, any> | WindowDetector<any, any> | GatewayDetector<any>;

/** The state plumbing of a detector that keeps none. */
export const STATELESS = {
  init: (): undefined => undefined,
  toJSON: (): null => null,
  fromJSON: (): undefined => undefined,
};

/** A policy rule hit on one flow: bytes observed where none were allowed. */
export function ruleHit(flow: FlowRecord, reason: string): Finding {
  return { observed: flow.bytes_out, expected: 0, score: 1, threshold: 1, reason };
}
