// GATEWAY_SILENT: a gateway stops sending while the others go on. Missing evidence is itself
// an incident: a dead gateway, broken log shipping, or traffic that now leaves by a route that
// bypasses it. A gateway detector (detector.ts): not per destination, one instance per engine
// keeps one small state per gateway of the stream (a file, or one engine partition), fed every
// record and asked to judge as the watermark moves.
//
// Judged in event time, never the wall clock: a gateway is silent when the watermark (which
// the other gateways' records move; see event-clock.ts) has passed its last record by more
// than max(min_silence, factor x its longest quiet period learnt for that local hour of day).
//
// The baseline: for each local hour of day (baseline.timezone), the longest gap between two
// consecutive records of the gateway that covered any part of that hour. Gaps tile the
// timeline, so after a day every hour has one; a quiet night that starts at 23:58 is learnt
// in hour 23 too, so a silence starting then is judged against it. A silence that alerted is
// not learnt (an outage must not become normal); nothing is forgotten otherwise.
//
// A reported silence is an incident of its own (the engine makes the alert its OPEN record).
// It ends when the gateway sends again: the next judgement emits its CLOSED record, which
// bounds the blind spot (from its last record before the silence to its first after), so a
// reader of the alerts alone knows for which interval the gateway's traffic went unseen. A
// gateway silent for baseline.idle_ttl is forgotten, and its incident closes saying so.
//
// "While the others go on": silence counts only from when the stream itself last resumed
// after a stream-wide gap longer than min_silence, so when every gateway falls quiet nobody is
// reported, neither then nor when they come back one by one. And only as far as the records
// go: the end-of-input flush that runs the watermark past the last record judges nothing.
//
// Per flow: one Map lookup and a few comparisons; the calendar is asked once per gateway per
// quarter hour (every local hour boundary, in any zone, lies on a quarter hour of UTC).
import { duration, positiveNumber } from '../values/fields.js';
import { formatDuration, formatInstant as iso } from '../values/units.js';
import { GATEWAY_DESTINATION_PREFIX, type Alert } from '../model/contract.js';
import type { GatewayDetector, GatewayEntryWriter, GatewayJudge, GatewayView, LocalClock, SettingsOf } from './detector.js';

export { GATEWAY_DESTINATION_PREFIX };
const SLOT_MS = 15 * 60_000;
const HOURS_PER_DAY = 24;
/** A gap this long covers every local hour, a 25-hour daylight-saving day included. */
const MAX_SLOTS = 25 * 4;

/** Where a gateway's silence stands since its last record. */
const Judged = {
  Open: 0,
  /** Alerted: the gap is an outage, not learnt. */
  Reported: 1,
  /** Passed its threshold while learning (or disabled): learnt as usual. */
  Passed: 2,
} as const;
type Judged = (typeof Judged)[keyof typeof Judged];

interface GatewayState {
  /** Event time of its first and latest record. */
  first: number;
  last: number;
  lastFlowId: string;
  /** Longest gap (ms) that covered each local hour of day; 0: none yet. */
  quiet: number[];
  judged: Judged;
  /** The reported silence still open: its OPEN alert's id and the event time its silence began. */
  open: { id: string; since: number } | null;
  /** The gateway sent again after its reported silence (event time and flow id): the incident's close is due. */
  resumed: { at: number; flowId: string } | null;
  // Derived, not serialised:
  /** End of the quarter hour (UTC grid) holding `last`, and the local hour of that quarter. */
  slotEnd: number;
  hour: number;
  /** Settings with overrides for `gateway:<id>` applied (undefined: resolve on next use). */
  settings: GatewaySilentSettings | undefined;
}

interface GatewayJSON {
  v: 1;
  first: number;
  last: number;
  id: string;
  quiet: number[];
  judged: Judged;
  /** Written from 2026-12-06 on, while a reported silence is open: its OPEN alert's id and start. */
  open?: string;
  since?: number;
  /** And once the gateway sent again, before the close went out: when, and the flow. */
  back?: number;
  backId?: string;
}

const fields = {
  min_silence: duration('positive').prefault('15m'),
  factor: positiveNumber.default(3),
  learning_period: duration('zero').prefault('1d'),
};
/** Per gateway, not per destination (overrides match `gateway:<id>`). */
export type GatewaySilentSettings = SettingsOf<typeof fields>;
declare module './detector.js' {
  interface DetectorSettingsMap {
    gateway_silent: GatewaySilentSettings;
  }
}

export const gatewaySilent: GatewayDetector<'gateway_silent'> = {
  kind: 'gateway',
  type: 'GATEWAY_SILENT',
  key: 'gateway_silent',
  settings: { severity: 'HIGH', fields },
  explain: (g) =>
    `a gateway sends nothing while others go on for longer than ${formatDuration(g.min_silence)} and ${g.factor} times ` +
    `its longest quiet period learnt for that hour of the day (alert destination gateway:<id>), ` +
    `once it has been seen for ${formatDuration(g.learning_period)}`,
  siem: { title: 'A security gateway stopped sending flow records while others continued', category: 'evidence gap', analyticTypeId: 2, analyticType: 'Behavioral' },
  create: (view, clock, alertId) => new GatewaySilence(view, clock, alertId),
};

class GatewaySilence implements GatewayJudge<GatewaySilentSettings> {
  /** Do not call check() before the watermark reaches this (a lower bound of every due time). */
  nextCheck = Infinity;

  private readonly gateways = new Map<string, GatewayState>();
  private readonly dirty = new Set<string>();
  private streamDirty = false;
  /** Latest event time of any record, and when the stream last resumed after a stream-wide gap. */
  private streamLatest = -Infinity;
  private evidenceSince = -Infinity;

  constructor(
    private view: GatewayView<GatewaySilentSettings>,
    private readonly calendar: LocalClock,
    private readonly alertId: (alert: Alert) => string,
  ) {}

  reconfigure(view: GatewayView<GatewaySilentSettings>): void {
    this.view = view;
    for (const g of this.gateways.values()) g.settings = undefined;
    this.nextCheck = -Infinity; // thresholds may have moved either way
  }

  /** One record (any gateway, null included: those move the stream's time only). */
  observe(gateway: string | null, eventMs: number, flowId: string): void {
    if (eventMs > this.streamLatest) {
      if (eventMs - this.streamLatest > this.view.settings.min_silence) this.evidenceSince = eventMs;
      this.streamLatest = eventMs;
      this.streamDirty = true;
    }
    if (gateway === null) return;
    const g = this.gateways.get(gateway);
    if (g === undefined) {
      this.add(gateway, eventMs, flowId);
      return;
    }
    if (eventMs <= g.last) return; // out of order: the gap it closed was already learnt
    if (eventMs < g.slotEnd && g.judged === Judged.Open) {
      // The common case: within the quarter hour of its previous record.
      const gap = eventMs - g.last;
      if (gap > g.quiet[g.hour]) g.quiet[g.hour] = gap;
      g.last = eventMs;
    } else {
      this.resume(gateway, g, eventMs, flowId);
    }
    g.lastFlowId = flowId;
    this.dirty.add(gateway);
  }

  /** Gateways silent beyond their threshold at this watermark: one alert per silence. */
  check(watermark: number): Alert[] {
    if (watermark < this.nextCheck) return [];
    // Only as far as the records go (the end-of-input flush runs the watermark further).
    const now = Math.min(watermark, this.streamLatest - this.view.allowedLateness);
    const ttl = this.view.idleTtl;
    const alerts: Alert[] = [];
    let next = Infinity;
    for (const [gateway, g] of this.gateways) {
      if (g.resumed !== null && g.open !== null) {
        alerts.push(this.backClosing(gateway, g, now));
        g.open = g.resumed = null;
        this.dirty.add(gateway);
      }
      if (g.judged !== Judged.Open) {
        // Gone for good: forgotten after baseline.idle_ttl, like a destination.
        if (g.last + ttl <= now) {
          if (g.open !== null) alerts.push(this.goneClosing(gateway, g, ttl, now));
          this.gateways.delete(gateway);
          this.dirty.add(gateway);
        } else {
          next = Math.min(next, g.last + ttl);
        }
        continue;
      }
      const s = this.settingsOf(gateway, g);
      const since = Math.max(g.last, this.evidenceSince);
      const due = since + threshold(s, g);
      if (!(now > due)) {
        next = Math.min(next, due);
        continue;
      }
      const warm = g.last - g.first >= s.learning_period;
      g.judged = s.enabled && warm ? Judged.Reported : Judged.Passed;
      this.dirty.add(gateway);
      next = Math.min(next, g.last + ttl);
      if (g.judged === Judged.Reported) {
        const opening = this.alert(gateway, g, s, now, now - since);
        // An incident to close later only if it goes out as one: the close follows the OPEN
        // record whatever a reload does to alerts.suppress_for meanwhile.
        if (this.view.incidents) g.open = { id: opening.alert_id, since: g.last };
        alerts.push(opening);
      }
    }
    this.nextCheck = next;
    return alerts;
  }

  /**
   * Entries changed since the last commit: each changed gateway's (null: forgotten), then the
   * stream's (gateway null). The engine's state store (engine/state-store.ts) keys them.
   */
  commit(write: GatewayEntryWriter): void {
    for (const gateway of this.dirty) {
      const g = this.gateways.get(gateway);
      write(gateway, g === undefined ? null : gatewayToJSON(g));
    }
    this.dirty.clear();
    if (this.streamDirty) {
      write(null, this.streamToJSON());
      this.streamDirty = false;
    }
  }

  /** Every entry: the stream's first, then each gateway's. */
  snapshot(write: GatewayEntryWriter): void {
    write(null, this.streamToJSON());
    for (const [gateway, g] of this.gateways) write(gateway, gatewayToJSON(g));
  }

  /** One entry read back: a gateway's (null value: forgotten), or the stream's (gateway null). */
  restoreEntry(gateway: string | null, value: string | null): void {
    if (gateway === null) {
      if (value !== null) {
        const j = JSON.parse(value);
        this.streamLatest = j.latest ?? -Infinity;
        this.evidenceSince = j.since ?? -Infinity;
      }
    } else if (value === null) {
      this.gateways.delete(gateway);
    } else {
      this.gateways.set(gateway, this.gatewayFromJSON(JSON.parse(value) as GatewayJSON));
    }
    this.nextCheck = -Infinity; // derived: the next check recomputes it
  }

  // ---- internals ----

  private add(gateway: string, eventMs: number, flowId: string): void {
    const g: GatewayState = {
      first: eventMs,
      last: eventMs,
      lastFlowId: flowId,
      quiet: new Array<number>(HOURS_PER_DAY).fill(0),
      judged: Judged.Open,
      open: null,
      resumed: null,
      slotEnd: 0,
      hour: 0,
      settings: undefined,
    };
    this.placeSlot(g, eventMs);
    this.gateways.set(gateway, g);
    this.dirty.add(gateway);
    this.nextCheck = Math.min(this.nextCheck, this.dueOf(gateway, g));
  }

  /** A record in a later quarter hour, or after a judged silence: learn the gap hour by hour. */
  private resume(gateway: string, g: GatewayState, eventMs: number, flowId: string): void {
    if (g.open !== null && g.resumed === null) {
      // Back after a reported silence: the next judgement closes its incident.
      g.resumed = { at: eventMs, flowId };
      this.nextCheck = -Infinity;
    }
    if (g.judged !== Judged.Reported) {
      const gap = eventMs - g.last;
      let slot = Math.floor(g.last / SLOT_MS) * SLOT_MS;
      for (let i = 0; i < MAX_SLOTS && slot < eventMs; i++, slot += SLOT_MS) {
        const hour = this.calendar.at(slot).hour;
        if (gap > g.quiet[hour]) g.quiet[hour] = gap;
      }
    }
    g.judged = Judged.Open;
    g.last = eventMs;
    this.placeSlot(g, eventMs);
    // The new hour's threshold may be lower than the last one's: its due time may be earlier.
    this.nextCheck = Math.min(this.nextCheck, this.dueOf(gateway, g));
  }

  private placeSlot(g: GatewayState, eventMs: number): void {
    const slot = Math.floor(eventMs / SLOT_MS) * SLOT_MS;
    g.slotEnd = slot + SLOT_MS;
    g.hour = this.calendar.at(slot).hour;
  }

  private dueOf(gateway: string, g: GatewayState): number {
    return Math.max(g.last, this.evidenceSince) + threshold(this.settingsOf(gateway, g), g);
  }

  private settingsOf(gateway: string, g: GatewayState): GatewaySilentSettings {
    g.settings ??= this.view.settingsFor(gateway);
    return g.settings;
  }

  private alert(gateway: string, g: GatewayState, s: GatewaySilentSettings, now: number, silence: number): Alert {
    const expected = g.quiet[g.hour];
    const hour = String(g.hour).padStart(2, '0');
    const nextHour = String((g.hour + 1) % HOURS_PER_DAY).padStart(2, '0');
    const usual = expected > 0 ? `a longest quiet period of ${formatDuration(expected)}` : 'no quiet period yet';
    const alert = this.silenceRecord(
      gateway, s, g.last, now, silence, expected, g.lastFlowId, now,
      `Gateway silence rule detectors.gateway_silent: gateway ${gateway} has sent no flow record for ` +
        `${formatDuration(silence)} while other gateways kept reporting (its last at ${iso(g.last)}), ` +
        `against ${usual} learnt for ${hour}:00-${nextHour}:00 ${this.calendar.timeZone} (threshold: ${s.factor}x that and at least ` +
        `${formatDuration(s.min_silence)}). Check that ${gateway} is up and its flow log shipping works, and whether ` +
        `traffic now leaves by a route that bypasses it.`,
    );
    alert.alert_id = this.alertId(alert);
    return alert;
  }

  /**
   * The CLOSED record of a reported silence, detected at `at`: the blind spot from its last
   * record before the silence to `end` (its first record after, or when it was forgotten).
   */
  private closing(gateway: string, g: GatewayState, at: number, end: number, sample: string, why: string): Alert {
    const open = g.open!;
    const expected = g.quiet[this.calendar.at(Math.floor(open.since / SLOT_MS) * SLOT_MS).hour];
    const s = this.settingsOf(gateway, g);
    const base = this.silenceRecord(gateway, s, open.since, end, end - open.since, expected, sample, at, `Incident ${open.id} closed: ${why}`);
    const alert: Alert = { ...base, incident_id: open.id, incident_state: 'CLOSED' };
    alert.alert_id = this.alertId(alert);
    return alert;
  }

  /**
   * A silence's record, its window from `since` (the gateway's last record before it) to `end`,
   * `silence` the silence measured (from the stream's return, if that came later); its alert_id
   * still to set.
   */
  private silenceRecord(
    gateway: string, s: GatewaySilentSettings, since: number, end: number, silence: number, expected: number, sample: string, detectedAt: number, reason: string,
  ): Alert {
    return {
      alert_id: '',
      type: 'GATEWAY_SILENT',
      severity: s.severity,
      destination: GATEWAY_DESTINATION_PREFIX + gateway,
      dst_country: null,
      data_class: null,
      principal: null,
      gateway_id: gateway,
      window_start_ms: since,
      window_end_ms: end,
      flow_count: 0,
      bytes: 0,
      observed: silence,
      expected,
      // A quiet period of 0 (an hour not learnt yet) counts as 1 ms, so the score stays finite.
      score: silence / Math.max(expected, 1),
      threshold: s.factor,
      reason,
      sample_flow_ids: [sample],
      config_version: this.view.configVersion,
      detected_at_ms: detectedAt,
    };
  }

  /** The gateway sent again: its silence ends, and with it the interval whose traffic went unseen. */
  private backClosing(gateway: string, g: GatewayState, now: number): Alert {
    const { at, flowId } = g.resumed!;
    const since = g.open!.since;
    return this.closing(
      gateway, g, Math.max(now, at), at, flowId,
      `gateway ${gateway} sent flow records again at ${iso(at)} (the first is this record's sample), after ${formatDuration(at - since)} ` +
        `with none (its last before at ${iso(since)}). What left through ${gateway} from ${iso(since)} to ${iso(at)} was not ` +
        `seen by egress-watch: recover its flow logs for that interval, or account for it otherwise.`,
    );
  }

  /**
   * Silent for baseline.idle_ttl: the gateway is forgotten, and its silence never ended in the
   * records. Dated by the watermark that forgot it (`now`, at or after since + ttl), not
   * since + ttl: an idle_ttl lowered by a reload, or shorter than the silence threshold, would
   * otherwise date the close before the decision, even before its OPEN record.
   */
  private goneClosing(gateway: string, g: GatewayState, ttl: number, now: number): Alert {
    const since = g.open!.since;
    return this.closing(
      gateway, g, now, since + ttl, g.lastFlowId,
      `gateway ${gateway} has sent nothing since ${iso(since)}, for ${formatDuration(ttl)} (baseline.idle_ttl), and is ` +
        `forgotten. If it was taken out of service on purpose, nothing is left to do; otherwise nothing that left through it ` +
        `since ${iso(since)} was seen.`,
    );
  }

  private streamToJSON(): string {
    return JSON.stringify({ v: 1, latest: finiteOrNull(this.streamLatest), since: finiteOrNull(this.evidenceSince) });
  }

  private gatewayFromJSON(j: GatewayJSON): GatewayState {
    const g: GatewayState = {
      first: j.first,
      last: j.last,
      lastFlowId: j.id,
      quiet: j.quiet.slice(),
      judged: j.judged,
      open: j.open === undefined ? null : { id: j.open, since: j.since ?? j.last },
      resumed: j.open === undefined || j.back === undefined ? null : { at: j.back, flowId: j.backId ?? '' },
      slotEnd: 0,
      hour: 0,
      settings: undefined,
    };
    this.placeSlot(g, g.last);
    return g;
  }
}

/** The silence a gateway must exceed: min_silence, and factor x its quiet period at the hour of its last record. */
function threshold(s: GatewaySilentSettings, g: GatewayState): number {
  return Math.max(s.min_silence, s.factor * g.quiet[g.hour]);
}

function gatewayToJSON(g: GatewayState): string {
  const j: GatewayJSON = { v: 1, first: g.first, last: g.last, id: g.lastFlowId, quiet: g.quiet, judged: g.judged };
  if (g.open !== null) {
    j.open = g.open.id;
    j.since = g.open.since;
    if (g.resumed !== null) {
      j.back = g.resumed.at;
      j.backId = g.resumed.flowId;
    }
  }
  return JSON.stringify(j);
}

function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}
