// One interface for every detector, in the manner of River's online models:
// a detector owns a small per-destination state, scores an observation against it
// (score_one) and then learns from it (learn_one). The engine never switches on the
// detector type: adding a detector is a new file plus one line in registry.ts.
import type { Config, DetectorKey, DetectorSettings } from '../config/types.js';
import type { CompiledClass } from '../engine/policy.js';
import type { AlertType, FlowRecord } from '../engine/types.js';
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

export interface FlowContext {
  flow: FlowRecord;
  destination: string;
  /** The policy entry of flow.data_class, if the class has one. */
  policy: CompiledClass | undefined;
  /** Event time of the engine's first record: learning periods count from it. */
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
  warmupWindows: number;
  config: Config;
}

interface DetectorCommon<K extends DetectorKey, S> {
  readonly type: AlertType;
  readonly key: K;
  /** A fresh per-destination state; `undefined` for stateless detectors. */
  init(): S;
  toJSON(state: S): unknown;
  fromJSON(json: unknown): S;
}

export interface FlowDetector<K extends DetectorKey = DetectorKey, S = unknown> extends DetectorCommon<K, S> {
  readonly kind: 'flow';
  /**
   * True when the detector has nothing to do with a flow that carries no data class (its
   * scoreOne returns null and its learnOne false for one): the engine then does not call
   * it for such flows, which are most of the traffic.
   */
  readonly dataClassOnly: boolean;
  scoreOne(state: S, ctx: FlowContext, settings: DetectorSettings[K]): Finding | null;
  /** Returns true when the state changed (so the engine writes it to the changelog). */
  learnOne(state: S, ctx: FlowContext): boolean;
}

export interface WindowDetector<K extends DetectorKey = DetectorKey, S = unknown> extends DetectorCommon<K, S> {
  readonly kind: 'window';
  /** Scores every closed window (alerting or not) so `replay --scores` can show it. */
  scoreOne(state: S, ctx: WindowContext, settings: DetectorSettings[K]): Finding & { alert: boolean };
  /** Learns from the window (after every window detector has scored it). */
  learnOne(state: S, ctx: WindowContext, settings: DetectorSettings[K]): void;
}

export type Detector = FlowDetector<any, any> | WindowDetector<any, any>;

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
