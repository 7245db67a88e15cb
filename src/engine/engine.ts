// The functional core: flows and watermarks in, alerts and state changes out.
// Pure and synchronous: no I/O, no clock, no randomness. Event time comes from the
// records; a window closes when the watermark passes its end. The Kafka service, the
// file replay, the benchmarks and the tests all drive this one class.
import { createHash } from 'node:crypto';
import type { Config, DetectorSettings } from '../config/types.js';
import { formatKeyPath } from '../config/errors.js';
import { changedKeys, ENGINE_FIXED_KEYS } from '../config/live-reload.js';
import { resolveDetectorSettings } from '../config/overrides.js';
import { formatBytes } from '../config/units.js';
import {
  baselineFromJSON,
  baselineToJSON,
  learnedHours,
  learnedWindows,
  acceptLevel,
  learnWindow,
  learningWeight,
  newBaseline,
  newVerdict,
  scoreWindow,
  type BaselineState,
  type WindowObservation,
} from '../detectors/baseline/seasonal-baseline.js';
import type { FlowContext, FlowDetector, Finding, WindowContext, WindowDetector } from '../detectors/detector.js';
import { GatewaySilence } from '../detectors/gateway-silent.js';
import { DETECTORS } from '../detectors/registry.js';
import { Calendar } from './calendar.js';
import { EventClock, type EventClockJSON } from './event-clock.js';
import { DestinationKeyer, InternalNetworks } from './keys.js';
import { flowIdHash, RecentIds } from './recent-ids.js';
import { compilePolicy, type CompiledClass } from './policy.js';
import { fold, suppressionFromJSON, suppressionKey, suppressionToJSON, type Suppression } from './suppression.js';
import type { Alert, AlertType, FlowRecord, StateChange, WindowScore } from './types.js';
import { addFlow, openWindow, windowFromJSON, windowToJSON, type OpenWindow } from './window.js';

/** Everything the engine knows about one destination: one changelog entry. */
interface DestinationState {
  lastSeen: number;
  baseline: BaselineState;
  detectors: Record<string, unknown>;
  windows: OpenWindow[];
  suppressions: Map<string, Suppression>;
  /** Flow ids seen within windows.dedup_horizon (absent: none). */
  ids?: RecentIds;
  /** Detector settings with overrides applied, per data class (derived, not serialised). */
  settings?: Map<string | null, DetectorSettings>;
}

export interface EngineCounters {
  records: number;
  late: number;
  /** Earlier than an event time their gateway had already reported, but not late. */
  outOfOrder: number;
  /** The same flow_id at the same destination again within windows.dedup_horizon: ignored. */
  duplicates: number;
  internal: number;
  alerts: Partial<Record<AlertType, number>>;
  windowsClosed: number;
  expired: number;
}

export interface EngineOptions {
  /** Called for every closed window and enabled volume detector (replay --scores). */
  onWindowScore?: (score: WindowScore) => void;
}

/**
 * The baseline band of bytes for the report's charts: the seasonal expectation ± threshold
 * standard deviations in log space, i.e. where a window differing in bytes alone would
 * reach the VOLUME_SPIKE threshold. Only computed when someone listens for window scores.
 */
function bytesBand(b: WindowContext['baseline'], threshold: number): { expected_low: number; expected_high: number } {
  const mu = Math.log1p(b.expectedBytes);
  const spread = threshold * b.sigma[0];
  return { expected_low: Math.max(0, Math.expm1(mu - spread)), expected_high: Math.expm1(mu + spread) };
}

/** Returned when nothing alerted; callers must not push into it. */
const NO_ALERTS: Alert[] = Object.freeze([]) as unknown as Alert[];
const DEST_PREFIX = 'd:';
const META_KEY = 'm:engine';
const HOUR_MS = 3_600_000;

const flowDetectors = DETECTORS.filter((d): d is FlowDetector => d.kind === 'flow');
const windowDetectors = DETECTORS.filter((d): d is WindowDetector => d.kind === 'window');
const flowDetectorsNeedClass = flowDetectors.every((d) => d.dataClassOnly);

export class Engine {
  readonly counters: EngineCounters = { records: 0, late: 0, outOfOrder: 0, duplicates: 0, internal: 0, alerts: {}, windowsClosed: 0, expired: 0 };
  /** Latest event time per gateway: the Pipeline's watermark follows its active gateways. */
  readonly clock: EventClock;
  /** GATEWAY_SILENT: per-gateway quiet periods, judged as the watermark moves. */
  private readonly silence: GatewaySilence;

  private readonly size: number;
  private readonly keyer: DestinationKeyer;
  // Replaced by reconfigure().
  private internal: InternalNetworks;
  private policy: Map<string, CompiledClass>;
  private readonly calendar: Calendar;
  private readonly dests = new Map<string, DestinationState>();
  /** Window boundary -> destinations with a window closing or a suppression ending there. */
  private readonly due = new Map<number, Set<string>>();
  private readonly dirty = new Set<string>();
  private metaDirty = false;
  private readonly flowCtx: FlowContext = { flow: null!, destination: '', policy: undefined, firstEventMs: 0, earlier: [] };
  private readonly found: AlertType[] = [];
  // Scratch of closeWindow, reused from window to window.
  private readonly windowObs: WindowObservation = { start_ms: 0, end_ms: 0, bytes: 0, flows: 0, packets: 0, sources: 0, hour: 0, weekday: 0 };
  private readonly verdict = newVerdict();
  private readonly windowCtx: WindowContext = {
    destination: '', window: this.windowObs, baseline: this.verdict, learnedWindows: 0, learnedHours: 0, warmupWindows: 0, config: null!,
  };
  private readonly oneClosing: OpenWindow[] = [];

  private watermark = -Infinity;
  private maxEventMs = -Infinity;
  private firstEventMs = Infinity;
  private nextDue = Infinity;
  private nextSweep = -Infinity;

  constructor(
    /** The config in force; replace it only through reconfigure(). */
    public config: Config,
    private readonly options: EngineOptions = {},
  ) {
    this.size = config.windows.size;
    this.keyer = new DestinationKeyer(config.baseline.key);
    this.internal = new InternalNetworks(config.policy.internal_networks);
    this.policy = compilePolicy(config);
    this.calendar = new Calendar(config.baseline.timezone);
    this.clock = new EventClock(config.windows.idle_timeout);
    this.silence = new GatewaySilence(config, this.calendar, alertId);
  }

  /**
   * Swaps in a reloaded config and keeps every destination's state (baselines, learnt data
   * classes, open windows, suppressions): policy, detector settings and overrides, internal
   * networks, warm-up, idle TTL and suppress_for apply from the next record; later alerts carry
   * the new config_version. Settings that shape the state itself cannot change (live-reload.ts).
   */
  reconfigure(config: Config): void {
    const fixed = changedKeys(this.config, config, ENGINE_FIXED_KEYS);
    if (fixed.length > 0) throw new Error(`cannot change without a restart: ${fixed.map(formatKeyPath).join(', ')}`);
    this.config = config;
    this.internal = new InternalNetworks(config.policy.internal_networks);
    this.policy = compilePolicy(config);
    this.silence.reconfigure(config);
    // Resolved overrides came from the old config: resolved again on next use.
    for (const state of this.dests.values()) state.settings = undefined;
  }

  get currentWatermark(): number {
    return this.watermark;
  }

  /** The latest event time processed (restored with the state). */
  get maxEventTime(): number {
    return this.maxEventMs;
  }

  get destinationCount(): number {
    return this.dests.size;
  }

  /** Destinations changed since the last commit(): how many entries the next one returns (about). */
  get pendingChanges(): number {
    return this.dirty.size;
  }

  /** Runs the per-flow detectors and adds the flow to its destination's window. */
  process(flow: FlowRecord): Alert[] {
    this.counters.records++;
    if (flow.end_ms > this.maxEventMs) {
      this.maxEventMs = flow.end_ms;
      this.metaDirty = true;
    }
    const gatewayLatest = this.clock.observe(flow.gateway_id, flow.end_ms);
    if (this.clock.moved) this.metaDirty = true;
    this.silence.observe(flow.gateway_id, flow.end_ms, flow.flow_id);
    if (this.internal.contains(flow.dst_ip)) {
      this.counters.internal++;
      return NO_ALERTS;
    }
    if (flow.end_ms < this.firstEventMs) {
      this.firstEventMs = flow.end_ms;
      this.metaDirty = true;
    }
    const destination = this.keyer.keyOf(flow);
    const state = this.stateOf(destination);
    const horizon = this.config.windows.dedup_horizon;
    const idHash = horizon > 0 ? flowIdHash(flow.flow_id) : 0;
    // Ids count while no more than the horizon behind the watermark (which one stray record cannot move).
    const idsValidFrom = this.watermark - horizon;
    if (horizon > 0 && state.ids !== undefined && state.ids.has(idHash, flow.end_ms, horizon, idsValidFrom)) {
      // Delivered twice: counted once, so a copy neither feeds the baseline nor alerts again.
      this.counters.duplicates++;
      return NO_ALERTS;
    }
    state.lastSeen = Math.max(state.lastSeen, flow.end_ms);
    if (horizon > 0) {
      if (state.ids === undefined) state.ids = RecentIds.of(idHash, flow.end_ms);
      else state.ids.add(idHash, flow.end_ms, idsValidFrom);
    }
    this.dirty.add(destination);

    // Most flows carry no data class, and then no flow detector has anything to do.
    const alerts = flow.data_class === null && flowDetectorsNeedClass ? NO_ALERTS : this.runFlowDetectors(state, destination, flow);

    const windowStart = Math.floor(flow.end_ms / this.size) * this.size;
    if (windowStart + this.size <= this.watermark) {
      // Its window has closed: the policy detectors above still saw it, the volume
      // baseline cannot. Counted, never silently lost.
      this.counters.late++;
    } else {
      if (flow.end_ms < gatewayLatest) this.counters.outOfOrder++;
      let w: OpenWindow | undefined;
      for (const x of state.windows) if (x.start === windowStart) w = x;
      if (w === undefined) {
        w = openWindow(windowStart);
        state.windows.push(w);
        this.schedule(windowStart + this.size, destination);
      }
      addFlow(w, flow);
    }
    return alerts;
  }

  private runFlowDetectors(state: DestinationState, destination: string, flow: FlowRecord): Alert[] {
    // The context and findings list are reused across flows: the engine is synchronous
    // and detectors do not keep them, so the hot path allocates nothing it need not.
    const ctx = this.flowCtx;
    ctx.flow = flow;
    ctx.destination = destination;
    ctx.policy = flow.data_class === null ? undefined : this.policy.get(flow.data_class);
    ctx.firstEventMs = this.firstEventMs;
    const found = this.found;
    found.length = 0;
    ctx.earlier = found;
    const classless = flow.data_class === null;
    const settings = this.settings(state, destination, flow.data_class);
    let alerts = NO_ALERTS;
    for (const d of flowDetectors) {
      if (classless && d.dataClassOnly) continue;
      const s = settings[d.key];
      if (!s.enabled) continue;
      const finding = d.scoreOne(state.detectors[d.key], ctx, s);
      if (finding !== null) {
        found.push(d.type);
        if (alerts === NO_ALERTS) alerts = [];
        this.emit(state, destination, this.flowAlert(d.type, s.severity, destination, flow, finding), alerts);
      }
    }
    for (const d of flowDetectors) if (!(classless && d.dataClassOnly)) d.learnOne(state.detectors[d.key], ctx);
    return alerts;
  }

  /** Moves event time forward: closes windows and suppression intervals ending at or before it. */
  advance(watermark: number): Alert[] {
    if (!(watermark > this.watermark)) return NO_ALERTS;
    this.watermark = watermark;
    this.metaDirty = true;
    if (watermark < this.nextDue && watermark < this.nextSweep && watermark < this.silence.nextCheck) return NO_ALERTS; // the common case
    const alerts: Alert[] = [];
    while (this.due.size > 0 && this.nextDue <= watermark) {
      const at = this.nextDue;
      const dests = this.due.get(at);
      if (dests !== undefined) {
        this.due.delete(at);
        for (const destination of dests) this.onDue(destination, at, alerts);
      }
      // Jump to the next time something is due (few distinct keys: open windows and
      // suppression ends), not window by window: a far-future record must not stall us.
      this.nextDue = this.due.size > 0 ? Math.min(...this.due.keys()) : Infinity;
    }
    if (watermark >= this.nextSweep) this.expireIdle(watermark);
    if (watermark >= this.silence.nextCheck) {
      for (const alert of this.silence.check(watermark)) {
        this.count(alert);
        alerts.push(alert);
      }
    }
    // Destinations due at one boundary are visited in insertion order, which a restore
    // changes; a canonical order keeps the output identical with or without a restart.
    return alerts.sort(byEventTimeThenKey);
  }

  /** State changes since the last commit: what the changelog must receive before offsets move. */
  commit(): StateChange[] {
    const changes: StateChange[] = [];
    for (const destination of this.dirty) {
      const state = this.dests.get(destination);
      changes.push({ key: DEST_PREFIX + destination, value: state ? this.serialise(state) : null });
    }
    this.dirty.clear();
    this.silence.commit(changes);
    if (this.metaDirty) {
      changes.push({ key: META_KEY, value: this.serialiseMeta() });
      this.metaDirty = false;
    }
    return changes;
  }

  /** The whole state, as the changelog would hold it after compaction. */
  snapshot(): StateChange[] {
    const out: StateChange[] = [{ key: META_KEY, value: this.serialiseMeta() }];
    for (const [destination, state] of this.dests) out.push({ key: DEST_PREFIX + destination, value: this.serialise(state) });
    this.silence.snapshot(out);
    return out;
  }

  /** Rebuilds state from changelog entries (later entries win; null deletes). */
  restore(entries: Iterable<StateChange>): void {
    for (const { key, value } of entries) {
      if (key === META_KEY) {
        if (value !== null) this.restoreMeta(value);
      } else if (key.startsWith(DEST_PREFIX)) {
        const destination = key.slice(DEST_PREFIX.length);
        if (value === null) this.dests.delete(destination);
        else this.dests.set(destination, this.deserialise(value));
      } else if (!this.silence.restoreEntry(key, value)) {
        throw new Error(`state entry with unknown key ${JSON.stringify(key)}`);
      }
    }
    this.due.clear();
    this.nextDue = Infinity;
    for (const [destination, state] of this.dests) {
      for (const w of state.windows) this.schedule(w.start + this.size, destination);
      for (const s of state.suppressions.values()) this.schedule(s.until, destination);
    }
  }

  // ---- internals ----

  private stateOf(destination: string): DestinationState {
    let state = this.dests.get(destination);
    if (state === undefined) {
      const detectors: Record<string, unknown> = {};
      for (const d of DETECTORS) detectors[d.key] = d.init();
      state = { lastSeen: -Infinity, baseline: newBaseline(), detectors, windows: [], suppressions: new Map(), ids: undefined };
      this.dests.set(destination, state);
    }
    return state;
  }

  /** Overrides resolved once per destination and data class, kept beside its state. */
  private settings(state: DestinationState, destination: string, dataClass: string | null): DetectorSettings {
    if (this.config.detectors.overrides.length === 0) return this.config.detectors;
    state.settings ??= new Map();
    let s = state.settings.get(dataClass);
    if (s === undefined) {
      s = {} as DetectorSettings;
      for (const d of DETECTORS) {
        (s as unknown as Record<string, unknown>)[d.key] = resolveDetectorSettings(this.config, d.key, destination, dataClass);
      }
      state.settings.set(dataClass, s);
    }
    return s;
  }

  private schedule(at: number, destination: string): void {
    let set = this.due.get(at);
    if (set === undefined) {
      set = new Set();
      this.due.set(at, set);
    }
    set.add(destination);
    if (at < this.nextDue) this.nextDue = at;
  }

  private onDue(destination: string, at: number, alerts: Alert[]): void {
    const state = this.dests.get(destination);
    if (state === undefined) return;
    // Intervals ending here first: a window alert detected at `at` opens a new one.
    if (state.suppressions.size > 0) {
      for (const [key, s] of state.suppressions) {
        if (s.until > at) continue;
        state.suppressions.delete(key);
        if (s.folded !== null) alerts.push(this.followUp(s, at));
      }
    }
    const closing = this.takeClosing(state, at);
    if (closing !== null) {
      for (const w of closing) this.closeWindow(destination, state, w, alerts);
      state.ids?.trim();
    }
    this.dirty.add(destination);
  }

  /** Takes the windows ending at or before `at` out of the state, oldest first; null: none. */
  private takeClosing(state: DestinationState, at: number): OpenWindow[] | null {
    const windows = state.windows;
    if (windows.length === 1) {
      // The usual case (one open window, closing now), without allocating.
      if (windows[0].start + this.size > at) return null;
      this.oneClosing[0] = windows[0];
      windows.length = 0;
      return this.oneClosing;
    }
    if (!windows.some((w) => w.start + this.size <= at)) return null;
    const closing = windows.filter((w) => w.start + this.size <= at).sort((a, b) => a.start - b.start);
    state.windows = windows.filter((w) => w.start + this.size > at);
    return closing;
  }

  private closeWindow(destination: string, state: DestinationState, w: OpenWindow, alerts: Alert[]): void {
    this.counters.windowsClosed++;
    const local = this.calendar.at(w.start);
    // Observation, verdict and context are reused from window to window (the engine is
    // synchronous and detectors keep none of them): a busy boundary closes thousands.
    const obs = this.windowObs;
    obs.start_ms = w.start;
    obs.end_ms = w.start + this.size;
    obs.bytes = w.bytes;
    obs.flows = w.flows;
    obs.packets = w.packets;
    obs.sources = w.sources.size;
    obs.hour = local.hour;
    obs.weekday = local.weekday;
    const verdict = scoreWindow(state.baseline, obs, this.verdict);
    const ctx = this.windowCtx;
    ctx.destination = destination;
    ctx.learnedWindows = learnedWindows(state.baseline);
    ctx.learnedHours = learnedHours(state.baseline);
    ctx.warmupWindows = this.config.baseline.warmup_windows;
    ctx.config = this.config;
    const all = this.settings(state, destination, null);
    let held = false;
    let accepted = false;
    for (const d of windowDetectors) {
      const settings = all[d.key];
      if (!settings.enabled) continue;
      const finding = d.scoreOne(state.detectors[d.key], ctx, settings);
      this.options.onWindowScore?.({
        destination,
        window_start_ms: obs.start_ms,
        window_end_ms: obs.end_ms,
        detector: d.type as WindowScore['detector'],
        observed: finding.observed,
        expected: finding.expected,
        score: finding.score,
        threshold: finding.threshold,
        alerted: finding.alert,
        ...(d.type === 'VOLUME_SPIKE' ? bytesBand(ctx.baseline, finding.threshold) : {}),
      });
      if (finding.hold === true) held = true;
      if (finding.accepted === true) accepted = true;
      if (finding.alert) {
        held = true;
        this.emit(state, destination, this.windowAlert(d.type, settings.severity, destination, w, obs, finding), alerts);
      }
    }
    for (const d of windowDetectors) {
      const settings = all[d.key];
      if (settings.enabled) d.learnOne(state.detectors[d.key], ctx, settings);
    }
    learnWindow(state.baseline, obs, verdict, learningWeight(verdict.distance, held), local.hourBucket, local.dayBucket);
    if (accepted) acceptLevel(state.baseline);
  }

  /** Sends an alert, or folds it into the open suppression interval of its key. */
  private emit(state: DestinationState, destination: string, alert: Alert, out: Alert[]): void {
    const key = suppressionKey(alert);
    const open = state.suppressions.get(key);
    if (open !== undefined) {
      if (alert.detected_at_ms < open.until) {
        fold(open, alert);
        return;
      }
      // The interval ended in event time before the watermark said so: its folded
      // repeats go out now, before the alert that opens the next interval.
      state.suppressions.delete(key);
      if (open.folded !== null) out.push(this.followUp(open, open.until));
    }
    if (this.config.alerts.suppress_for > 0) {
      const end = alert.detected_at_ms + this.config.alerts.suppress_for;
      const until = Math.ceil(end / this.size) * this.size; // a window boundary: due times step by window
      state.suppressions.set(key, { until, firstAlertId: alert.alert_id, folded: null, repeats: 0 });
      this.schedule(until, destination);
    }
    this.count(alert);
    out.push(alert);
  }

  private followUp(s: Suppression, at: number): Alert {
    const f = s.folded!;
    const alert: Alert = {
      ...f,
      detected_at_ms: at,
      reason: `${s.repeats} more like alert ${s.firstAlertId} until ${new Date(at).toISOString()} ` +
        `(${f.flow_count} flows, ${formatBytes(f.bytes)} in all); strongest: ${f.reason}`,
    };
    alert.alert_id = alertId(alert);
    this.count(alert);
    return alert;
  }

  private count(alert: Alert): void {
    this.counters.alerts[alert.type] = (this.counters.alerts[alert.type] ?? 0) + 1;
  }

  private flowAlert(type: AlertType, severity: Alert['severity'], destination: string, flow: FlowRecord, f: Finding): Alert {
    const alert: Alert = {
      alert_id: '',
      type,
      severity,
      destination,
      dst_country: flow.dst_country,
      data_class: flow.data_class,
      principal: flow.principal,
      gateway_id: flow.gateway_id,
      window_start_ms: flow.start_ms,
      window_end_ms: flow.end_ms,
      flow_count: 1,
      bytes: flow.bytes_out,
      observed: f.observed,
      expected: f.expected,
      score: f.score,
      threshold: f.threshold,
      reason: f.reason,
      sample_flow_ids: [flow.flow_id],
      config_version: this.config.config_version,
      detected_at_ms: flow.end_ms,
    };
    alert.alert_id = alertId(alert);
    return alert;
  }

  private windowAlert(
    type: AlertType,
    severity: Alert['severity'],
    destination: string,
    w: OpenWindow,
    obs: WindowObservation,
    f: Finding,
  ): Alert {
    const alert: Alert = {
      alert_id: '',
      type,
      severity,
      destination,
      dst_country: w.top?.dst_country ?? null,
      data_class: w.top?.data_class ?? null,
      principal: w.top?.principal ?? null,
      gateway_id: w.top?.gateway_id ?? null,
      window_start_ms: f.span?.start_ms ?? obs.start_ms,
      window_end_ms: obs.end_ms,
      flow_count: f.span?.flow_count ?? obs.flows,
      bytes: f.span?.bytes ?? obs.bytes,
      observed: f.observed,
      expected: f.expected,
      score: f.score,
      threshold: f.threshold,
      reason: f.reason,
      sample_flow_ids: [...w.samples],
      config_version: this.config.config_version,
      detected_at_ms: obs.end_ms,
    };
    alert.alert_id = alertId(alert);
    return alert;
  }

  /** Drops destinations idle longer than baseline.idle_ttl; checked once an hour of event time. */
  private expireIdle(watermark: number): void {
    this.nextSweep = Math.floor(watermark / HOUR_MS) * HOUR_MS + HOUR_MS;
    const ttl = this.config.baseline.idle_ttl;
    const idsBefore = watermark - this.config.windows.dedup_horizon;
    for (const [destination, state] of this.dests) {
      if (state.lastSeen + ttl <= watermark && state.windows.length === 0 && state.suppressions.size === 0) {
        this.dests.delete(destination);
        this.dirty.add(destination);
        this.counters.expired++;
      } else if (state.ids !== undefined && state.ids.forgetBefore(idsBefore)) {
        // Event time has moved past their horizon: a quiet destination lets its ids go.
        if (state.ids.size === 0) state.ids = undefined;
        this.dirty.add(destination);
      }
    }
  }

  private serialise(s: DestinationState): string {
    const detectors: Record<string, unknown> = {};
    for (const d of DETECTORS) detectors[d.key] = d.toJSON(s.detectors[d.key]);
    return JSON.stringify({
      v: 1,
      seen: s.lastSeen,
      base: baselineToJSON(s.baseline),
      det: detectors,
      win: s.windows.map(windowToJSON),
      sup: [...s.suppressions].map(([k, v]) => [k, suppressionToJSON(v)]),
      ...(s.ids !== undefined && s.ids.size > 0 ? { ids: s.ids.toJSON(s.lastSeen) } : {}),
    });
  }

  private deserialise(text: string): DestinationState {
    const j = JSON.parse(text);
    const detectors: Record<string, unknown> = {};
    for (const d of DETECTORS) detectors[d.key] = j.det[d.key] === undefined ? d.init() : d.fromJSON(j.det[d.key]);
    return {
      lastSeen: j.seen,
      baseline: baselineFromJSON(j.base),
      detectors,
      windows: (j.win as unknown[]).map(windowFromJSON),
      suppressions: new Map((j.sup as Array<[string, unknown]>).map(([k, v]) => [k, suppressionFromJSON(v)])),
      ids: Array.isArray(j.ids) && j.ids.length > 0 ? RecentIds.fromJSON(j.ids, j.seen) : undefined,
    };
  }

  private serialiseMeta(): string {
    return JSON.stringify({ v: 1, wm: finiteOrNull(this.watermark), max: finiteOrNull(this.maxEventMs), first: finiteOrNull(this.firstEventMs), sweep: finiteOrNull(this.nextSweep), clock: this.clock.toJSON() });
  }

  private restoreMeta(text: string): void {
    const j = JSON.parse(text);
    this.watermark = j.wm ?? -Infinity;
    this.maxEventMs = j.max ?? -Infinity;
    this.firstEventMs = j.first ?? Infinity;
    this.nextSweep = j.sweep ?? -Infinity;
    // Older snapshots have no per-gateway clock: it starts afresh (the watermark never goes back).
    if (j.clock !== undefined) this.clock.restore(j.clock as EventClockJSON);
  }
}

function byEventTimeThenKey(a: Alert, b: Alert): number {
  return (
    a.detected_at_ms - b.detected_at_ms ||
    (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0) ||
    (a.alert_id < b.alert_id ? -1 : a.alert_id > b.alert_id ? 1 : 0)
  );
}

function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** Deterministic id: a hash of the evidence (not of the config, so a reload keeps ids). */
export function alertId(a: Alert): string {
  const evidence = JSON.stringify([
    a.type,
    a.destination,
    a.data_class,
    a.principal,
    a.window_start_ms,
    a.window_end_ms,
    a.detected_at_ms,
    a.flow_count,
    a.bytes,
    a.sample_flow_ids,
  ]);
  return createHash('sha256').update(evidence).digest('hex').slice(0, 32);
}
