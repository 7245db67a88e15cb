// Incidents, not alert storms (alerts.suppress_for). An anomaly that goes on is one incident:
// its first alert goes out at once as the OPEN record (a CRITICAL must not wait); later alerts
// of the same key fold into it (totals, peak, last seen, samples) without a record each; one
// ESCALATED record goes out when it grows past its severity step; one CLOSED record carries
// what was folded since the last record when it ends. At most 3 records per incident, and
// nothing is dropped: every flow is counted in exactly one record of its incident.
//
// The key: a flow detector's alerts (policy types) by (type, data class, principal) of the
// destination; the window detectors' (volume types) share one incident per destination, since
// a volume anomaly belongs to the destination whatever its largest flow's class or principal,
// and whichever volume detector sees it (a lasting step trips both). An incident keeps the
// type of its opening alert on all its records.
// It ends: after suppress_for of event time with no alert of its key (the quiet period); window
// detectors that say whether their run is still open (Finding.hold) keep it open while one
// holds and end it at the first window none does (traffic back at baseline); a lasting change
// a detector accepts as the new normal (Finding.accepted) ends it with that note. A held run's
// detectors see no window while its destination sends nothing, so the silence decides by what
// the baseline expects: once it expected SILENCE_FLOWS flows in the silence (and suppress_for
// has passed), traffic is back down and the incident ends (a busy destination: suppress_for);
// before that the silence of a sparse destination means nothing and the incident waits for the
// next window's verdict, for at most baseline.idle_ttl (a destination silent that long is gone:
// idle expiry then forgets it, its detectors' run with it).
// suppress_for 0: no incidents, every alert goes out on its own (no incident fields).
//
// The seam: RepeatFolder decides, for each alert the detectors raise, emit or fold, and owns
// the per-destination state that decision needs (FoldState, serialised in the destination's
// changelog entry). The engine hands it alerts and window verdicts, tells it when event time
// reaches an incident's quiet end, and schedules the ends it returns. Pure and event-time only.
import { formatBytes, formatDuration, formatInstant as iso } from '../config/units.js';
import { windowDetectors } from '../detectors/registry.js';
import { alertId } from './alert-builder.js';
import { SEVERITIES, type Alert, type AlertType, type IncidentState, type Severity } from './types.js';
import { addCapped, MAX_SAMPLES } from './window.js';

/** One open incident of one key. */
export interface FoldInterval {
  /** Event time at which it closes unless another alert comes (a window boundary). */
  until: number;
  /** alert_id of its OPEN record: the incident_id of all its records. */
  firstAlertId: string;
  /** The type of its OPEN record, kept on all its records. */
  type: AlertType;
  /** Evidence folded since its last record: null when none. */
  folded: Alert | null;
  /** Alerts folded since its last record. */
  repeats: number;
  /** OPEN, or ESCALATED once its escalation record went out. */
  state: Exclude<IncidentState, 'CLOSED'>;
  /** Its alerts in all (records and folded), flows and bytes in all. */
  alerts: number;
  flows: number;
  bytes: number;
  /** Start of its earliest evidence and end of its latest. */
  firstSeen: number;
  lastSeen: number;
  /** The highest score of any of its alerts. */
  peak: number;
  /** observed/expected of the opening alert (NaN when expected is 0: policy types). */
  openRatio: number;
  severity: Severity;
  /**
   * End of the latest window a volume detector held it on (the start of any silence since);
   * undefined: never held (policy types, detectors that keep no run).
   */
  quietFrom?: number;
}

/** A destination's open incidents by key (insertion order is kept in its state text). */
export type FoldState = Map<string, FoldInterval>;

/** Where the alerts that go out are sent, in order. */
export type AlertSink = (alert: Alert) => void;

/**
 * The closed window a window detector's alert was raised on, with its own flows and bytes. A
 * volume incident counts each window once, however many detectors alert on it and whatever
 * span their evidence covers (SUSTAINED_INCREASE's covers its whole run): its totals stay exact.
 */
export interface AlertWindow {
  start_ms: number;
  end_ms: number;
  flows: number;
  bytes: number;
}

/**
 * How many flows the baseline must have expected in a held run's silence before the silence
 * means its traffic is back down: were flows to come at random at that rate, one given gap
 * would last that long 1 time in 400 (e^-6). A run held through a sparse night sees a hundred
 * gaps or so, and the longest of n gaps is about ln(n) flows' worth: at 3 (1 time in 20 a gap,
 * before 2026-12-06) a night's longest gap closed a held creep's incident most nights, and its
 * run's next alert opened a second one.
 */
export const SILENCE_FLOWS = 6;

/**
 * A destination whose windows carried traffic in this share of its history or more is busy
 * whatever its flows per window: a poller or beacon sends one flow in every window, so its
 * windows expect exactly one, as a sparse destination's do. Nearly all of its time busy, it
 * has no long sparse stretch (a night) that the share would hide.
 */
export const BUSY_SHARE = 0.9;

/** A volume anomaly belongs to the destination: the window detectors share one incident key. */
export const VOLUME_KEY = 'volume';

export function foldKey(a: Pick<Alert, 'type' | 'data_class' | 'principal'>): string {
  // The registry's window detectors as registered now (a detector added later counts too).
  if (windowDetectors().some((d) => d.type === a.type)) return VOLUME_KEY;
  return `${a.type}\u0000${a.data_class ?? ''}\u0000${a.principal ?? ''}`;
}

/**
 * The severity step: an incident escalates (once) when an alert's observed/expected reaches
 * this many times the opening alert's, i.e. the anomaly has grown to twice its size.
 */
export const ESCALATION_FACTOR = 2;

export class RepeatFolder {
  constructor(
    private readonly windowSize: number,
    private suppressFor: number,
    /** baseline.idle_ttl: the longest a held incident waits out a sparse destination's silence. */
    private idleTtl: number,
  ) {}

  /** A reloaded alerts.suppress_for and baseline.idle_ttl: quiet ends computed from now on follow them. */
  reconfigure(suppressFor: number, idleTtl: number): void {
    this.suppressFor = suppressFor;
    this.idleTtl = idleTtl;
  }

  /**
   * An alert that is a whole incident by itself (GATEWAY_SILENT raises one alert per silence and
   * has no destination to fold under): with incidents on, it goes out as the OPEN record of an
   * incident of its own, so a reader that selects incident records (`alerts --state OPEN`, a SIEM
   * rule on the finding's status) sees it like every other alert; the detector's CLOSED record
   * for it (the gateway sent again) goes out as it is.
   */
  single(alert: Alert, emit: AlertSink): void {
    // The detector's own CLOSED record (a silence that ended) names its incident already and
    // closes an incident that went out as one (the detector opens none with incidents off), even
    // if a reload has turned incidents off since: its readers would keep it open for ever.
    if (alert.incident_state === 'CLOSED') {
      emit(alert);
      return;
    }
    emit(this.suppressFor <= 0 ? alert : { ...alert, incident_id: alert.alert_id, incident_state: 'OPEN' });
  }

  /**
   * Emits the alert as an incident record or folds it into its open incident. `accepted`: the
   * detector accepts a lasting change as the new normal (the incident's final note). Returns the
   * event time at which the incident closes if quiet (the caller schedules closeDue), or null.
   */
  offer(folds: FoldState, alert: Alert, emit: AlertSink, accepted = false, window?: AlertWindow): number | null {
    if (this.suppressFor <= 0) {
      emit(alert);
      return null;
    }
    const key = foldKey(alert);
    let open = folds.get(key);
    if (open !== undefined && alert.detected_at_ms >= open.until && open.quietFrom === undefined) {
      // It went quiet in event time before the watermark said so: it closes now, before the
      // alert that opens the next one. (A held run's incident does not: this alert's window is
      // traffic that ends its silence, and the run goes on in it.)
      folds.delete(key);
      if (open.folded !== null) emit(closing(open, open.until, this.quietReason(open, open.until)));
      open = undefined;
    }
    if (open === undefined) {
      if (accepted) {
        // A detector's final note with no incident open: its run's incident ended on silence
        // (a busy destination that stopped sending, or one silent for baseline.idle_ttl), or
        // was opened before incidents existed. The note is an incident of one record, CLOSED,
        // and says so: there is nothing open to close and it is no new anomaly to open.
        emit({ ...alert, reason: `${alert.reason} ${LONE_NOTE}`, incident_id: alert.alert_id, incident_state: 'CLOSED' });
        return null;
      }
      open = openIncident(alert);
      folds.set(key, open);
      emit({ ...alert, incident_id: alert.alert_id, incident_state: 'OPEN' });
    } else {
      fold(open, alert, window);
      if (accepted) {
        folds.delete(key);
        emit(closing(open, alert.detected_at_ms, `${alert.reason} ${summary(open)} closed: accepted as the new normal.`));
        return null;
      }
      if (open.state === 'OPEN' && escalates(open, alert)) emit(escalation(open, alert));
    }
    open.until = this.quietEnd(alert.detected_at_ms);
    return open.until;
  }

  /**
   * The window detectors' verdict on a closed window, after their alerts. `hold` true: one of
   * them alerted or still holds its run open, so the incident stays open until the next
   * window's verdict, or until the silence after this window says the run is over (silenceEnd,
   * from `expectedFlows`, the flows the baseline expected in this window, and `busyShare`, the
   * share of the destination's history whose windows carried traffic). false: none holds,
   * traffic is back at baseline and the incident closes at the window's end; undefined
   * (detectors that keep no run): the quiet period decides.
   */
  settle(folds: FoldState, windowEnd: number, hold: boolean | undefined, expectedFlows: number, busyShare: number, emit: AlertSink): number | null {
    if (hold === undefined || this.suppressFor <= 0) return null;
    const type = VOLUME_KEY;
    const open = folds.get(type);
    // A quiet period that ended by this window's end closes as such (closeDue); a held run's wait
    // does not: this window carried traffic, so its silence did not last, and the verdict decides.
    if (open === undefined || (open.until <= windowEnd && open.quietFrom === undefined)) return null;
    if (hold) {
      // The latest window decides (a sparse stretch's long wait ends when the traffic is busy again).
      open.quietFrom = windowEnd;
      open.until = this.silenceEnd(windowEnd, Math.max(expectedFlows - 1, busyShare >= BUSY_SHARE ? busyShare : 0));
      return open.until;
    }
    folds.delete(type);
    if (open.folded !== null) {
      emit(closing(open, windowEnd, `${summary(open)} closed: the window ending ${iso(windowEnd)} is back at its baseline.`));
    }
    return null;
  }

  /**
   * Closes the incidents quiet at `at`; each with evidence folded since its last record sends its
   * CLOSED record. Returns true when one of them was a held volume run that its destination's
   * silence ended (traffic back down): the caller ends the detectors' run with it, or the run
   * would go on in the windows after the silence, outside any incident. The caller closes the
   * windows ending at `at` first: a held run whose window with traffic ends at `at` was never
   * silent until `at`, and that window's verdict (settle) has moved or closed it already.
   */
  closeDue(folds: FoldState, at: number, emit: AlertSink): boolean {
    let silenced = false;
    if (folds.size === 0) return silenced;
    for (const [key, s] of folds) {
      if (s.until > at) continue;
      folds.delete(key);
      if (s.quietFrom !== undefined) silenced = true;
      if (s.folded !== null) emit(closing(s, at, this.quietReason(s, at)));
    }
    return silenced;
  }

  /**
   * The end of a finite input (replay's final flush, after event time ran past every quiet
   * period): closes what is still open at `at`, held volume runs waiting out a sparse
   * destination's silence, whose next window will never come.
   */
  closeAll(folds: FoldState, at: number, emit: AlertSink): void {
    for (const [key, s] of folds) {
      folds.delete(key);
      if (s.folded !== null) emit(closing(s, at, `${summary(s)} closed: the input ended while its detectors still held the run (the final flush).`));
    }
  }

  /** The window boundary at or after `from` + suppress_for (due times step by window). */
  private quietEnd(from: number): number {
    return this.boundary(from + this.suppressFor);
  }

  /**
   * When the silence after a held window ending at `from` closes its incident: once the
   * baseline expected SILENCE_FLOWS flows in it, and not before suppress_for; never later than
   * baseline.idle_ttl. The baseline learns only windows with traffic, so `expectedFlows` is per
   * window that has any (at least one flow): the flows beyond that one are its rate per window
   * of time, or less (with flows at random, 1.45 expected means about 1 a window, 2 about 2).
   * A busy destination's rate of 0.2 or more a window gives suppress_for; one whose windows
   * expect a single flow (rate 0), or less (a quiet hour's seasonal low), waits for idle_ttl,
   * unless nearly all its history's windows carried traffic (BUSY_SHARE: the caller's rate is
   * then at least that share).
   */
  private silenceEnd(from: number, rate: number): number {
    const longest = Math.max(this.idleTtl, this.suppressFor);
    const wait = rate > 0 ? Math.max(this.suppressFor, Math.ceil(SILENCE_FLOWS / rate) * this.windowSize) : longest;
    return this.boundary(from + Math.min(wait, longest));
  }

  /** The window boundary at or after `at`. */
  private boundary(at: number): number {
    return Math.ceil(at / this.windowSize) * this.windowSize;
  }

  /** Why an incident quiet at `at` closes: no alert of its kind, or (a held volume run) its destination's silence. */
  private quietReason(s: FoldInterval, at: number): string {
    if (s.quietFrom === undefined) return `${summary(s)} closed: no alert of its kind for ${formatDuration(this.suppressFor)} (alerts.suppress_for).`;
    const since = `its destination has sent nothing since ${iso(s.quietFrom)}, for ${formatDuration(at - s.quietFrom)}`;
    if (at - s.quietFrom >= Math.max(this.idleTtl, this.suppressFor)) {
      return `${summary(s)} closed: ${since} (baseline.idle_ttl): its detectors still held the run, but the destination has gone quiet.`;
    }
    return (
      `${summary(s)} closed: ${since}, in which its baseline expected at least ${SILENCE_FLOWS} flows ` +
      '(and at least alerts.suppress_for): its traffic is back down.'
    );
  }
}

/** Appended to a detector's final note that found no incident open (RepeatFolder.offer). */
export const LONE_NOTE =
  'No incident of its run was still open (it ended on its destination\'s silence, or before incidents were kept): this record is an incident of its own, closed as it opens.';

function openIncident(a: Alert): FoldInterval {
  return {
    until: 0,
    firstAlertId: a.alert_id,
    type: a.type,
    folded: null,
    repeats: 0,
    state: 'OPEN',
    alerts: 1,
    flows: a.flow_count,
    bytes: a.bytes,
    firstSeen: a.window_start_ms,
    lastSeen: a.window_end_ms,
    peak: a.score,
    openRatio: a.expected > 0 ? a.observed / a.expected : Number.NaN,
    severity: a.severity,
  };
}

/** Whether the alert grew the incident past its severity step (ESCALATION_FACTOR). */
function escalates(s: FoldInterval, a: Alert): boolean {
  return s.openRatio > 0 && a.expected > 0 && a.observed / a.expected >= ESCALATION_FACTOR * s.openRatio;
}

/** One step up the severity ladder (CRITICAL stays CRITICAL). */
export function nextSeverity(s: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.indexOf(s) + 1, SEVERITIES.length - 1)];
}

/**
 * Folds an alert into the incident: its totals and the evidence since the last record. With
 * `window` (a window detector's alert) the evidence counted is that window's, once: nothing
 * when the incident already counts it (another detector alerted on it, or the opening alert's
 * span reaches it).
 */
export function fold(s: FoldInterval, a: Alert, window?: AlertWindow): void {
  const fresh = window === undefined || window.end_ms > s.lastSeen;
  const evidence =
    window === undefined
      ? { start_ms: a.window_start_ms, end_ms: a.window_end_ms, flows: a.flow_count, bytes: a.bytes }
      : fresh ? window : { start_ms: window.start_ms, end_ms: window.end_ms, flows: 0, bytes: 0 };
  s.repeats += 1;
  s.alerts += 1;
  s.flows = addCapped(s.flows, evidence.flows);
  s.bytes = addCapped(s.bytes, evidence.bytes);
  s.firstSeen = Math.min(s.firstSeen, evidence.start_ms);
  s.lastSeen = Math.max(s.lastSeen, evidence.end_ms);
  s.peak = Math.max(s.peak, a.score);
  const f = s.folded;
  if (f === null) {
    s.folded = {
      ...a, window_start_ms: evidence.start_ms, window_end_ms: evidence.end_ms, flow_count: evidence.flows, bytes: evidence.bytes,
      sample_flow_ids: a.sample_flow_ids.slice(0, MAX_SAMPLES),
    };
    return;
  }
  f.window_start_ms = Math.min(f.window_start_ms, evidence.start_ms);
  f.window_end_ms = Math.max(f.window_end_ms, evidence.end_ms);
  f.flow_count = addCapped(f.flow_count, evidence.flows);
  f.bytes = addCapped(f.bytes, evidence.bytes);
  // observed/expected/score describe the strongest repeat; flow_count and bytes the sum.
  if (a.score > f.score) {
    f.score = a.score;
    f.observed = a.observed;
    f.expected = a.expected;
    f.reason = a.reason;
  }
  for (const id of a.sample_flow_ids) {
    if (f.sample_flow_ids.length >= MAX_SAMPLES) break;
    f.sample_flow_ids.push(id);
  }
}

/** A record of the incident from the evidence folded since its last one (which it then resets). */
function record(s: FoldInterval, at: number, state: IncidentState, reason: string, base: Alert): Alert {
  const alert: Alert = { ...base, type: s.type, severity: s.severity, detected_at_ms: at, reason, incident_id: s.firstAlertId, incident_state: state };
  alert.alert_id = alertId(alert);
  s.folded = null;
  s.repeats = 0;
  return alert;
}

/** The ESCALATED record: the escalating alert's measure, the evidence folded since the last record. */
function escalation(s: FoldInterval, a: Alert): Alert {
  const f = s.folded!;
  s.state = 'ESCALATED';
  s.severity = nextSeverity(s.severity);
  const ratio = (r: number) => `${r.toFixed(1)}x`;
  const reason =
    `${summary(s)} escalated to ${s.severity}: ${ratio(a.observed / a.expected)} its expectation, ` +
    `at least ${ESCALATION_FACTOR} times the ${ratio(s.openRatio)} it opened with. ${a.reason}`;
  return record(s, a.detected_at_ms, 'ESCALATED', reason, { ...f, observed: a.observed, expected: a.expected, score: a.score });
}

/** The CLOSED record: what was folded since the last record, and the incident's totals in its reason. */
function closing(s: FoldInterval, at: number, why: string): Alert {
  const f = s.folded!;
  const repeats = s.repeats;
  const reason = `${why} This record carries ${repeats} more ${repeats === 1 ? 'alert' : 'alerts'} (${f.flow_count} ${f.flow_count === 1 ? 'flow' : 'flows'}, ${formatBytes(f.bytes)}); strongest: ${f.reason}`;
  return record(s, at, 'CLOSED', reason, f);
}

/** The incident in all, as its reasons word it. */
function summary(s: FoldInterval): string {
  return (
    `Incident ${s.firstAlertId} (${s.alerts} ${s.alerts === 1 ? 'alert' : 'alerts'}, ${s.flows} ${s.flows === 1 ? 'flow' : 'flows'}, ` +
    `${formatBytes(s.bytes)} from ${iso(s.firstSeen)} to ${iso(s.lastSeen)}, peak score ${round2(s.peak)})`
  );
}

const round2 = (n: number): string => String(Math.round(n * 100) / 100);

const nanToNull = (n: number): number | null => (Number.isNaN(n) ? null : n);

/** The folded evidence's fields, stored as a plain list in this order (no field names: a third of the entry saved). */
const FOLDED_FIELDS = [
  'alert_id', 'type', 'severity', 'destination', 'dst_country', 'data_class', 'principal', 'gateway_id', 'window_start_ms', 'window_end_ms',
  'flow_count', 'bytes', 'observed', 'expected', 'score', 'threshold', 'reason', 'sample_flow_ids', 'config_version', 'detected_at_ms',
] as const satisfies ReadonlyArray<keyof Alert>;

function foldedToJSON(a: Alert | null): unknown[] | null {
  return a === null ? null : FOLDED_FIELDS.map((k) => a[k]);
}

/** A list as foldedToJSON writes it, or an alert object as state written before incidents holds it. */
function foldedFromJSON(json: unknown): Alert | null {
  if (!Array.isArray(json)) return (json ?? null) as Alert | null;
  const a: Record<string, unknown> = {};
  FOLDED_FIELDS.forEach((k, i) => (a[k] = json[i]));
  return a as unknown as Alert;
}

export function foldStateToJSON(folds: FoldState): unknown {
  return [...folds].map(([k, s]) => [
    k,
    [
      s.until, s.firstAlertId, s.repeats, foldedToJSON(s.folded), s.state === 'ESCALATED' ? 1 : 0, s.alerts, s.flows, s.bytes, s.firstSeen, s.lastSeen, s.peak, nanToNull(s.openRatio), s.severity, s.type,
      // Only a held volume incident has it (entries written before it was kept end at the type).
      ...(s.quietFrom === undefined ? [] : [s.quietFrom]),
    ],
  ]);
}

type FoldJSON = [number, string, number, unknown, number?, number?, number?, number?, number?, number?, number?, (number | null)?, Severity?, AlertType?, number?];

export function foldStateFromJSON(json: unknown): FoldState {
  return new Map((json as Array<[string, FoldJSON]>).map(([k, entry]) => [k, incidentFromJSON(k, entry)]));
}

function incidentFromJSON(key: string, [until, firstAlertId, repeats, foldedJson, escalated, alerts, flows, bytes, firstSeen, lastSeen, peak, openRatio, severity, type, quietFrom]: FoldJSON): FoldInterval {
  const folded = foldedFromJSON(foldedJson);
  // Written before incidents: the interval's key begins with its type.
  const keyType = key.split('\u0000')[0] as AlertType;
  if (alerts === undefined) {
    // Written before incidents: a suppression interval. Its opening alert's counts are not in
    // it, so its totals start from the folded repeats.
    return {
      until, firstAlertId, type: keyType, folded, repeats, state: 'OPEN', alerts: 1 + repeats,
      flows: folded?.flow_count ?? 0, bytes: folded?.bytes ?? 0,
      firstSeen: folded?.window_start_ms ?? until, lastSeen: folded?.window_end_ms ?? until,
      peak: folded?.score ?? 0, openRatio: Number.NaN, severity: folded?.severity ?? 'LOW',
    };
  }
  return {
    until, firstAlertId, type: type!, folded, repeats, state: escalated === 1 ? 'ESCALATED' : 'OPEN', alerts,
    flows: flows!, bytes: bytes!, firstSeen: firstSeen!, lastSeen: lastSeen!, peak: peak!,
    openRatio: openRatio ?? Number.NaN, severity: severity!,
    ...(quietFrom === undefined ? {} : { quietFrom }),
  };
}
