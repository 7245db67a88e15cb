// The functional core: flows and watermarks in, alerts and state changes out.
// Pure and synchronous: no I/O, no clock, no randomness. Event time comes from the
// records; a window closes when the watermark passes its end. The Kafka service, the
// file replay, the benchmarks and the tests all drive this one class.
//
// What stays here is routing (a flow to its destination, the detectors, its window), the
// windows and the scheduling of what is due in event time. The parts it drives each live in
// a file of their own: dedup.ts, state-store.ts (every changelog key and entry layout),
// alert-builder.ts (alerts and ids), repeat-folding.ts (incidents),
// idle-expiry.ts, live-config.ts (reload) and chart-band.ts (the report's band).
import type { Config } from '../config/types.js';
import { alertId, byEventTimeThenKey } from './alert-builder.js';
import { Calendar } from './calendar.js';
import { DayZones } from './day-zones.js';
import { countAlert, newCounters, type EngineCounters } from './counters.js';
import { FlowDedup } from './dedup.js';
import { FlowDispatch, WindowDispatch } from './dispatch.js';
import { DueSchedule } from './due-schedule.js';
import { EventClock } from './event-clock.js';
import { GatewayJudges } from './gateway-judges.js';
import { expireIdle } from './idle-expiry.js';
import { DestinationKeyer, ownCopy } from './keys.js';
import { LiveConfig } from './live-config.js';
import { RepeatFolder, type AlertWindow } from './repeat-folding.js';
import * as store from './state-store.js';
import type { Alert, FlowRecord, StateChange, WindowScore } from './types.js';
import { addFlow, openWindow, type OpenWindow } from './window.js';

export type { EngineCounters } from './counters.js';

export interface EngineOptions {
  /** Called for every closed window and enabled volume detector (replay --scores). */
  onWindowScore?: (score: WindowScore) => void;
}

/** Returned when nothing alerted; callers must not push into it. */
const NO_ALERTS: Alert[] = Object.freeze([]) as unknown as Alert[];

export class Engine {
  readonly counters: EngineCounters = newCounters();
  /** Latest event time per gateway: the Pipeline's watermark follows its active gateways. */
  readonly clock: EventClock;
  /** The gateway detectors (GATEWAY_SILENT): per-gateway state, judged as the watermark moves. */
  private readonly gateways: GatewayJudges;

  private readonly size: number;
  private readonly keyer: DestinationKeyer;
  private readonly live: LiveConfig;
  private readonly dedup: FlowDedup;
  private readonly folder: RepeatFolder;
  private readonly dests = new Map<string, store.DestinationState>();
  private readonly due = new DueSchedule();
  private readonly dirty = new Set<string>();
  private metaDirty = false;
  private readonly flows: FlowDispatch;
  private readonly windows: WindowDispatch;
  private readonly oneClosing: OpenWindow[] = [];
  /** Where the alerts of the current process()/advance() call go, counted. */
  private out: Alert[] = NO_ALERTS;
  private readonly sink = (alert: Alert): void => {
    countAlert(this.counters, alert);
    if (this.out === NO_ALERTS) this.out = [];
    this.out.push(alert);
  };
  /** Where a gateway detector's alerts go: each an incident of its own (repeat-folding.ts single). */
  private readonly gatewaySink = (alert: Alert): void => this.folder.single(alert, this.sink);

  /** Watermark, first and latest event time, next idle sweep: the `m:engine` entry. */
  private readonly time = store.newEventTimes();

  constructor(config: Config, options: EngineOptions = {}) {
    this.size = config.windows.size;
    this.keyer = new DestinationKeyer(config.baseline.key);
    this.live = new LiveConfig(config);
    const calendar = new Calendar(config.baseline.timezone);
    this.clock = new EventClock(config.windows.idle_timeout);
    this.dedup = new FlowDedup(config.windows.dedup_horizon);
    this.folder = new RepeatFolder(this.size, config.alerts.suppress_for, config.baseline.idle_ttl);
    this.gateways = new GatewayJudges(this.live, calendar, alertId);
    const offer = this.offer.bind(this);
    this.flows = new FlowDispatch(this.live, offer);
    this.windows = new WindowDispatch(this.live, calendar, new DayZones(config.baseline.day_zones, calendar), this.size, offer, options.onWindowScore, this.settle.bind(this));
  }

  /** The config in force; replace it only through reconfigure(). */
  get config(): Config {
    return this.live.config;
  }

  /**
   * Swaps in a reloaded config and keeps every destination's state (baselines, learnt data
   * classes, open windows, folding intervals): policy, detector settings and overrides, internal
   * networks, warm-up, idle TTL and suppress_for apply from the next record; later alerts carry
   * the new config_version. Settings that shape the state itself cannot change (live-reload.ts).
   */
  reconfigure(config: Config): void {
    this.live.reconfigure(config);
    this.folder.reconfigure(config.alerts.suppress_for, config.baseline.idle_ttl);
    this.gateways.reconfigure(this.live);
    for (const state of this.dests.values()) state.settings = undefined;
  }

  get currentWatermark(): number {
    return this.time.watermark;
  }

  /** The latest event time processed (restored with the state). */
  get maxEventTime(): number {
    return this.time.maxEventMs;
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
    if (flow.end_ms > this.time.maxEventMs) {
      this.time.maxEventMs = flow.end_ms;
      this.metaDirty = true;
    }
    const gatewayLatest = this.clock.observe(flow.gateway_id, flow.end_ms);
    if (this.clock.moved) this.metaDirty = true;
    this.gateways.observe(flow.gateway_id, flow.end_ms, flow.flow_id);
    if (this.live.internal.contains(flow.dst_ip)) {
      this.counters.internal++;
      return NO_ALERTS;
    }
    // Learning periods count from the first record's event time. A later record moves that back
    // only when it is within allowed_lateness of the newest (records out of order at the start):
    // a stale one (a gateway flushing a buffer of days ago) must not end a learning period.
    if (flow.end_ms < this.time.firstEventMs && (this.time.firstEventMs === Infinity || flow.end_ms >= this.time.maxEventMs - this.config.windows.allowed_lateness)) {
      this.time.firstEventMs = flow.end_ms;
      this.metaDirty = true;
    }
    const destination = this.keyer.keyOf(flow);
    const state = this.stateOf(destination);
    if (this.dedup.seenBefore(state, flow.flow_id, flow.end_ms, this.time.watermark)) {
      this.counters.duplicates++;
      return NO_ALERTS;
    }
    state.lastSeen = Math.max(state.lastSeen, flow.end_ms);
    this.dirty.add(destination);

    this.out = NO_ALERTS;
    // Most flows carry no data class, and then no flow detector has anything to do.
    if (!(flow.data_class === null && this.flows.needClass)) this.flows.run(state, destination, flow, this.time.firstEventMs);
    const alerts = this.out;
    this.out = NO_ALERTS;

    const windowStart = Math.floor(flow.end_ms / this.size) * this.size;
    if (windowStart + this.size <= this.time.watermark) {
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
        this.due.add(windowStart + this.size, destination);
      }
      addFlow(w, flow);
    }
    return alerts;
  }

  /** Moves event time forward: closes windows and folding intervals ending at or before it. */
  advance(watermark: number): Alert[] {
    if (!(watermark > this.time.watermark)) return NO_ALERTS;
    this.time.watermark = watermark;
    this.metaDirty = true;
    if (watermark < this.due.next && watermark < this.time.nextSweep && watermark < this.gateways.nextCheck) return NO_ALERTS; // the common case
    this.out = [];
    for (let d = this.due.takeDue(watermark); d !== undefined; d = this.due.takeDue(watermark)) {
      if (d.destinations !== undefined) for (const destination of d.destinations) this.onDue(destination, d.at);
    }
    if (watermark >= this.time.nextSweep) {
      const { idle_ttl: ttl, dormant_ttl: dormantTtl } = this.config.baseline;
      const detectors = this.config.detectors as unknown as Record<string, { enabled: boolean } | undefined>;
      const rule = { ttl, dormantTtl, enabled: (key: string) => detectors[key]?.enabled === true };
      const swept = expireIdle(this.dests, watermark, rule, this.dedup, (dest) => this.dirty.add(dest));
      this.time.nextSweep = swept.nextSweep;
      this.counters.expired += swept.expired;
    }
    this.gateways.check(watermark, this.gatewaySink);
    const alerts = this.out;
    this.out = NO_ALERTS;
    // Destinations due at one boundary are visited in insertion order, which a restore
    // changes; a canonical order keeps the output identical with or without a restart.
    return alerts.sort(byEventTimeThenKey);
  }

  /**
   * The end of a finite input (Pipeline.finish, after advance): closes the incidents still open
   * at `at`, the held volume runs of sparse destinations (repeat-folding.ts closeAll). Never
   * called by the service, whose input does not end.
   */
  closeOpenIncidents(at: number): Alert[] {
    this.out = [];
    for (const [destination, state] of this.dests) {
      if (state.folds === undefined || state.folds.size === 0) continue;
      this.folder.closeAll(state.folds, at, this.sink);
      store.dropEmptyFolds(state);
      this.dirty.add(destination);
    }
    const alerts = this.out;
    this.out = NO_ALERTS;
    return alerts.sort(byEventTimeThenKey);
  }

  /** State changes since the last commit: what the changelog must receive before offsets move. */
  commit(): StateChange[] {
    const changes: StateChange[] = [];
    for (const destination of this.dirty) {
      const state = this.dests.get(destination);
      changes.push({ key: store.destinationKey(destination), value: state ? store.serialiseDestination(state) : null });
    }
    this.dirty.clear();
    this.gateways.commit(changes);
    if (this.metaDirty) {
      changes.push({ key: store.STATE_KEYS.engine, value: this.serialiseMeta() });
      this.metaDirty = false;
    }
    return changes;
  }

  /** The whole state, as the changelog would hold it after compaction. */
  snapshot(): StateChange[] {
    const out: StateChange[] = [{ key: store.STATE_KEYS.engine, value: this.serialiseMeta() }];
    for (const [destination, state] of this.dests) out.push({ key: store.destinationKey(destination), value: store.serialiseDestination(state) });
    this.gateways.snapshot(out);
    return out;
  }

  /** Rebuilds state from changelog entries (later entries win; null deletes). */
  restore(entries: Iterable<StateChange>): void {
    for (const { key, value } of entries) {
      const k = store.parseStateKey(key, this.gateways.keys);
      if (k?.kind === 'engine') {
        // Older snapshots have no per-gateway clock: it starts afresh (the watermark never goes back).
        const clock = value === null ? undefined : store.restoreMeta(value, this.time);
        if (clock !== undefined) this.clock.restore(clock);
      } else if (k?.kind === 'destination') {
        if (value === null) this.dests.delete(k.id);
        else this.dests.set(ownCopy(k.id), store.deserialiseDestination(value));
      } else if (k?.kind === 'gateway') {
        this.gateways.restoreEntry(k.detector, k.id, value);
      } else {
        throw new Error(`state entry with unknown key ${JSON.stringify(key)}`);
      }
    }
    this.due.clear();
    for (const [destination, state] of this.dests) {
      for (const w of state.windows) this.due.add(w.start + this.size, destination);
      if (state.folds !== undefined) for (const s of state.folds.values()) this.due.add(s.until, destination);
    }
  }

  // ---- internals ----

  private stateOf(destination: string): store.DestinationState {
    let state = this.dests.get(destination);
    // Keyed by a copy of its own: the flow's string may keep its whole input line alive (keys.ts).
    if (state === undefined) this.dests.set(ownCopy(destination), (state = store.newDestinationState()));
    return state;
  }

  private onDue(destination: string, at: number): void {
    const state = this.dests.get(destination);
    if (state === undefined) return;
    // The windows ending here first: a held run's silence is not over if one of them carried
    // traffic, and its verdict decides (held on, back at baseline or accepted); a window alert on
    // an incident whose quiet period ended by now closes it and opens the next (RepeatFolder.offer).
    // Then what is still due closes.
    const closing = this.takeClosing(state, at);
    if (closing !== null) {
      for (const w of closing) {
        this.counters.windowsClosed++;
        this.windows.close(destination, state, w);
      }
      state.ids?.trim();
    }
    if (state.folds !== undefined && this.folder.closeDue(state.folds, at, this.sink)) this.windows.endRuns(state);
    store.dropEmptyFolds(state); // incidents closed here (quiet, back at baseline, accepted)
    this.dirty.add(destination);
  }

  /** Takes the windows ending at or before `at` out of the state, oldest first; null: none. */
  private takeClosing(state: store.DestinationState, at: number): OpenWindow[] | null {
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

  /** Sends an alert as an incident record, or folds it into its open incident (repeat-folding.ts). */
  private offer(state: store.DestinationState, destination: string, alert: Alert, accepted = false, window?: AlertWindow): void {
    const until = this.folder.offer(store.foldsOf(state), alert, this.sink, accepted, window);
    store.dropEmptyFolds(state); // suppress_for 0 keeps none
    if (until !== null) this.due.add(until, destination);
  }

  /** A closed window's verdict: the destination's open volume incident holds on or closes (repeat-folding.ts). */
  private settle(state: store.DestinationState, destination: string, windowEnd: number, hold: boolean | undefined, expectedFlows: number, busyShare: number): void {
    if (state.folds === undefined) return; // no incident open (onDue lets an emptied map go)
    const until = this.folder.settle(state.folds, windowEnd, hold, expectedFlows, busyShare, this.sink);
    if (until !== null) this.due.add(until, destination);
  }

  private serialiseMeta(): string {
    return store.serialiseMeta(this.time, this.clock.toJSON());
  }
}
