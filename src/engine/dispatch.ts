// The detectors run over what the engine routes to them: each flow through the flow
// detectors (registry order, so a later one sees what an earlier one found), each closed
// window through the shared seasonal baseline and the window detectors. Findings become
// alerts here and go to the engine's offer (folding, then out); scores go to the listener.
import { dailySpread, heldWindows, historyMs, learnedHours, learnedWindows, learnWindow, learningWeight, newVerdict, scoreWindow, type WindowObservation } from '../detectors/baseline/seasonal-baseline.js';
import { acceptLevel } from '../detectors/baseline/give-back.js';
import type { FlowContext, FlowDetector, WindowContext, WindowDetector } from '../detectors/detector.js';
import { flowDetectors, windowDetectors } from '../detectors/registry.js';
import { flowAlert, windowAlert } from './alert-builder.js';
import type { Calendar } from './calendar.js';
import type { DayZones } from './day-zones.js';
import { windowScore } from './chart-band.js';
import type { LiveConfig } from './live-config.js';
import type { AlertWindow } from './repeat-folding.js';
import type { DestinationState } from './state-store.js';
import type { Alert, AlertType, FlowRecord, WindowScore } from './types.js';
import type { OpenWindow } from './window.js';


/** Where an alert raised for a destination goes next (the engine: folding, then out); `accepted`: the detector's final note on a lasting change. */
export type Offer = (state: DestinationState, destination: string, alert: Alert, accepted?: boolean, window?: AlertWindow) => void;
/** The window detectors' verdict on a closed window: whether an anomaly still holds it, and the flows the baseline expected in it (repeat-folding.ts settle). */
export type Settle = (state: DestinationState, destination: string, windowEnd: number, hold: boolean | undefined, expectedFlows: number, busyShare: number) => void;

export class FlowDispatch {
  // The context and findings list are reused across flows: the engine is synchronous
  // and detectors do not keep them, so the hot path allocates nothing it need not.
  private readonly ctx: FlowContext = { flow: null!, destination: '', policy: undefined, firstEventMs: 0, earlier: [] };
  private readonly found: AlertType[] = [];
  /** The registry's flow detectors when the engine was built. */
  private readonly detectors: readonly FlowDetector[] = flowDetectors();
  /** When every flow detector needs a data class, a flow without one has nothing to run. */
  readonly needClass = this.detectors.every((d) => d.dataClassOnly);

  constructor(
    private readonly live: LiveConfig,
    private readonly offer: Offer,
  ) {}

  run(state: DestinationState, destination: string, flow: FlowRecord, firstEventMs: number): void {
    const ctx = this.ctx;
    ctx.flow = flow;
    ctx.destination = destination;
    ctx.policy = flow.data_class === null ? undefined : this.live.policy.get(flow.data_class);
    ctx.firstEventMs = firstEventMs;
    const found = this.found;
    found.length = 0;
    ctx.earlier = found;
    const classless = flow.data_class === null;
    const settings = this.live.settings(state, destination, flow.data_class);
    for (const d of this.detectors) {
      if (classless && d.dataClassOnly) continue;
      const s = settings[d.key];
      if (!s.enabled) continue;
      const finding = d.scoreOne(state.detectors[d.key], ctx, s);
      if (finding !== null) {
        found.push(d.type);
        const head = { type: d.type, severity: s.severity, destination, config_version: this.live.config.config_version };
        this.offer(state, destination, flowAlert(head, flow, finding));
      }
    }
    for (const d of this.detectors) if (!(classless && d.dataClassOnly)) d.learnOne(state.detectors[d.key], ctx);
  }
}

export class WindowDispatch {
  // Observation, verdict and context are reused from window to window (the engine is
  // synchronous and detectors keep none of them): a busy boundary closes thousands.
  private readonly obs: WindowObservation = { start_ms: 0, end_ms: 0, bytes: 0, flows: 0, packets: 0, sources: 0, hour: 0, weekday: 0, dayHour: 0 };
  private readonly verdict = newVerdict();
  private readonly ctx: WindowContext = {
    destination: '', window: this.obs, baseline: this.verdict, learnedWindows: 0, learnedHours: 0, historyMs: 0, dailySpread: 0, warmupWindows: 0,
  };
  /** The registry's window detectors when the engine was built. */
  private readonly detectors: readonly WindowDetector[] = windowDetectors();

  constructor(
    private readonly live: LiveConfig,
    private readonly calendar: Calendar,
    private readonly dayZones: DayZones,
    private readonly size: number,
    private readonly offer: Offer,
    private readonly onWindowScore: ((score: WindowScore) => void) | undefined,
    private readonly settle?: Settle,
  ) {}

  /** The destination's held volume incident ended on its silence: every window detector's run ends with it. */
  endRuns(state: DestinationState): void {
    for (const d of this.detectors) d.endRun?.(state.detectors[d.key]);
  }

  /** Scores a closed window against the destination's baseline and detectors, then learns it. */
  close(destination: string, state: DestinationState, w: OpenWindow): void {
    const config = this.live.config;
    const local = this.calendar.at(w.start);
    const obs = this.obs;
    obs.start_ms = w.start;
    obs.end_ms = w.start + this.size;
    obs.bytes = w.bytes;
    obs.flows = w.flows;
    obs.packets = w.packets;
    obs.sources = w.sources.size;
    // Hours in baseline.timezone; the day (weekday, day bucket, the midnight the allowance reads) in the zone whose week the destination keeps.
    const days = this.dayZones.calendarFor(state, destination);
    const day = days === this.calendar ? local : days.at(w.start);
    obs.hour = local.hour;
    obs.weekday = day.weekday;
    obs.dayHour = day.hour;
    const verdict = scoreWindow(state.baseline, obs, this.verdict);
    const ctx = this.ctx;
    ctx.destination = destination;
    ctx.learnedWindows = learnedWindows(state.baseline);
    ctx.learnedHours = learnedHours(state.baseline);
    ctx.historyMs = historyMs(state.baseline, obs.start_ms);
    ctx.dailySpread = dailySpread(state.baseline);
    ctx.warmupWindows = config.baseline.warmup_windows;
    const all = this.live.settings(state, destination, null);
    let held = false;
    let accepted = false;
    /** Some detector said whether the window is held (detectors that keep a run do). */
    let judged = false;
    let acceptedNotes: Alert[] | undefined;
    /** This window's own evidence, counted once in a volume incident whichever detectors alert on it (made on the first alert: most windows raise none). */
    let own: AlertWindow | undefined;
    for (const d of this.detectors) {
      const settings = all[d.key];
      if (!settings.enabled) continue;
      const finding = d.scoreOne(state.detectors[d.key], ctx, settings);
      this.onWindowScore?.(windowScore(d.type, ctx, finding));
      if (finding.hold !== undefined) judged = true;
      if (finding.hold === true) held = true;
      if (finding.accepted === true) accepted = true;
      if (finding.alert) {
        held = true;
        const head = { type: d.type, severity: settings.severity, destination, config_version: config.config_version };
        const alert = windowAlert(head, w, obs, finding);
        own ??= { start_ms: obs.start_ms, end_ms: obs.end_ms, flows: obs.flows, bytes: obs.bytes };
        // A detector's acceptance note goes last: another detector's alert on the same window
        // is about the same change, and folds into the incident the note then closes.
        if (finding.accepted === true) (acceptedNotes ??= []).push(alert);
        else this.offer(state, destination, alert, false, own);
      }
    }
    for (const d of this.detectors) {
      const settings = all[d.key];
      if (settings.enabled) d.learnOne(state.detectors[d.key], ctx, settings);
    }
    if (acceptedNotes !== undefined) for (const note of acceptedNotes) this.offer(state, destination, note, true, own);
    // The share of the destination's history whose windows carried traffic (a poller's 1, a sparse destination's less):
    // the windows learnt and those of the run held now (a rise is not learnt, but its windows carried traffic).
    const seen = ctx.learnedWindows + heldWindows(state.baseline);
    const busyShare = ctx.historyMs > 0 ? Math.min(1, (seen * this.size) / ctx.historyMs) : 0;
    this.settle?.(state, destination, obs.end_ms, held ? true : judged ? false : undefined, verdict.expectedFlows, busyShare);
    learnWindow(state.baseline, obs, verdict, learningWeight(verdict.distance, held), local.hourBucket, day.dayBucket, config.baseline.return_after);
    if (accepted) acceptLevel(state.baseline);
  }
}

