// Gathers the audit report's figures from the flows, the engine's window scores and the
// alerts. Pure and synchronous like the engine: the shell (src/cli/report-command.ts) reads
// the inputs and feeds them in, so the same inputs always give the same report.
import type { Config, DetectorKey } from '../config/types.js';
import { DestinationKeyer, InternalNetworks } from '../engine/keys.js';
import type { FlowContext } from '../detectors/detector.js';
import { flowDetectors, windowDetectors } from '../detectors/registry.js';
import { compilePolicy, type CompiledClass } from '../engine/policy.js';
import { ALERT_TYPES, SEVERITIES, type Alert, type AlertType, type FlowRecord, type Severity, type WindowScore } from '../engine/types.js';
import { POLICY_RULES, type ClassFigures, type DestinationSeries, type GatewayGap, type PolicyRule, type ReportData, type ReportInput, type Tally, type Violation } from './model.js';
import { listIncidents } from './incidents.js';

export const UNCLASSIFIED = '(unclassified)';
export const UNKNOWN = '(unknown)';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Alerted destinations charted, most alerts first. */
const MAX_CHARTED_DESTINATIONS = 12;

interface ClassAcc {
  flows: number;
  bytes: number;
  gatewayBytes: number;
  byCountry: Map<string, Tally>;
  byPrincipal: Map<string, Tally>;
}

export interface ReportRange {
  from_ms: number | null;
  to_ms: number | null;
}

export class ReportCollector {
  private readonly keyer: DestinationKeyer;
  private readonly internal: InternalNetworks;
  private readonly policy: Map<string, CompiledClass>;
  /** Flow detectors of policy rules (registry), run over every flow for the violations table. */
  private readonly policyDetectors = flowDetectors().filter((d) => d.siem.category === 'policy');
  /** Alert types of the window (volume) detectors: their destinations are charted. */
  private readonly volumeTypes = new Set<AlertType>(windowDetectors().map((d) => d.type));
  private readonly classes = new Map<string, ClassAcc>();
  private readonly violations: Violation[] = [];
  /** gateway -> hour-or-day bucket start -> flows; '' is "no gateway". */
  private readonly gatewayBuckets = new Map<string, Map<number, number>>();
  private readonly series = new Map<string, Series>();
  private records = 0;
  private flows = 0;
  private bytes = 0;
  private internalFlows = 0;
  private outsideRange = 0;
  private minMs = Infinity;
  private maxMs = -Infinity;

  constructor(
    private readonly config: Config,
    private readonly range: ReportRange,
  ) {
    this.keyer = new DestinationKeyer(config.baseline.key);
    this.internal = new InternalNetworks(config.policy.internal_networks);
    this.policy = compilePolicy(config);
  }

  private inRange(ms: number): boolean {
    return (this.range.from_ms === null || ms >= this.range.from_ms) && (this.range.to_ms === null || ms < this.range.to_ms);
  }

  /** Every valid flow record of the input, in input order. */
  observe(flow: FlowRecord): void {
    this.records++;
    if (!this.inRange(flow.end_ms)) {
      this.outsideRange++;
      return;
    }
    if (this.internal.contains(flow.dst_ip)) {
      this.internalFlows++;
      return;
    }
    this.flows++;
    this.bytes += flow.bytes_out;
    if (flow.end_ms < this.minMs) this.minMs = flow.end_ms;
    if (flow.end_ms > this.maxMs) this.maxMs = flow.end_ms;
    const gw = flow.gateway_id ?? '';
    let buckets = this.gatewayBuckets.get(gw);
    if (!buckets) this.gatewayBuckets.set(gw, (buckets = new Map()));
    const hour = Math.floor(flow.end_ms / HOUR) * HOUR; // re-bucketed to days at the end if the range is long
    buckets.set(hour, (buckets.get(hour) ?? 0) + 1);

    const cls = flow.data_class ?? UNCLASSIFIED;
    let acc = this.classes.get(cls);
    if (!acc) this.classes.set(cls, (acc = { flows: 0, bytes: 0, gatewayBytes: 0, byCountry: new Map(), byPrincipal: new Map() }));
    acc.flows++;
    acc.bytes += flow.bytes_out;
    if (flow.gateway_id !== null) acc.gatewayBytes += flow.bytes_out;
    tally(acc.byCountry, flow.dst_country ?? UNKNOWN, flow.bytes_out);
    tally(acc.byPrincipal, flow.principal ?? UNKNOWN, flow.bytes_out);

    const rule = flow.data_class === null ? undefined : this.policy.get(flow.data_class);
    if (rule === undefined) return;
    // The policy detectors of the registry judge the flow, whatever the config enables.
    const destination = this.keyer.keyOf(flow);
    const ctx: FlowContext = { flow, destination, policy: rule, firstEventMs: flow.end_ms, earlier: [] };
    for (const d of this.policyDetectors) {
      if (d.scoreOne(d.init(), ctx, this.config.detectors[d.key as DetectorKey] as never) === null) continue;
      this.violations.push({
        flow_id: flow.flow_id, end_ms: flow.end_ms, rule: d.type as PolicyRule, data_class: flow.data_class!, principal: flow.principal,
        destination, dst_country: flow.dst_country, gateway_id: flow.gateway_id, bytes: flow.bytes_out, alert_id: null,
      });
    }
  }

  /** The engine's closed windows (Engine option onWindowScore). */
  observeWindow(s: WindowScore): void {
    if (s.detector !== 'VOLUME_SPIKE' || !this.inRange(s.window_start_ms)) return;
    let d = this.series.get(s.destination);
    if (!d) this.series.set(s.destination, (d = emptySeries()));
    d.t.push(s.window_start_ms);
    d.observed.push(s.observed);
    d.expected.push(Math.round(s.expected));
    d.low.push(Math.round(s.expected_low ?? s.expected));
    d.high.push(Math.round(s.expected_high ?? s.expected));
    d.alerted.push(s.alerted);
  }

  /**
   * The figures. `engineAlerts` are the engine's over the same flows and config; `provided`
   * are the published alerts the auditor brought (--alerts), which the report ties the
   * violations to and reconciles with the engine's; without them the engine's are used.
   */
  finish(inputs: ReportInput[], engineAlerts: readonly Alert[], provided: readonly Alert[] | null, malformed = 0): ReportData {
    // Inputs read from several partitions at once arrive interleaved: order what order-sensitive.
    this.violations.sort((a, b) => a.end_ms - b.end_ms || compare(a.flow_id, b.flow_id) || compare(a.rule, b.rule));
    for (const s of this.series.values()) sortSeries(s);
    // An alert belongs to the period when its window overlaps it (a long fold may span it whole).
    const alerts = (provided ?? engineAlerts).filter(
      (a) => (this.range.from_ms === null || a.window_end_ms >= this.range.from_ms) && (this.range.to_ms === null || a.window_start_ms < this.range.to_ms),
    );
    tieViolations(this.violations, alerts);
    // Charts span the flows in the period: a far --from or --to must not make empty buckets by the million.
    const hasData = Number.isFinite(this.minMs);
    const from = hasData ? this.minMs : (this.range.from_ms ?? 0);
    const to = hasData ? this.maxMs + 1 : from + 1;
    const bucketMs = bucketFor(to - from);
    const buckets = bucketStarts(from, to, bucketMs);
    const index = (ms: number) => Math.min(buckets.length - 1, Math.max(0, Math.floor((ms - buckets[0]) / bucketMs)));

    const gatewaySeries = new Map<string, number[]>();
    for (const [gw, counts] of this.gatewayBuckets) {
      const arr = new Array<number>(buckets.length).fill(0);
      for (const [hour, n] of counts) arr[index(hour)] += n;
      gatewaySeries.set(gw, arr);
    }
    // Gaps are found hour by hour whatever the chart's buckets: a day bucket would hide a 23 h silence.
    const hours = bucketStarts(from, to, HOUR);
    const hourly = (counts: Map<number, number>) => hours.map((h) => counts.get(h) ?? 0);
    const named = [...gatewaySeries.keys()].filter((g) => g !== '').sort();
    const byRule = Object.fromEntries(POLICY_RULES.map((r) => [r, 0])) as Record<PolicyRule, number>;
    for (const v of this.violations) byRule[v.rule]++;

    const byType = Object.fromEntries(ALERT_TYPES.map((t) => [t, new Array<number>(buckets.length).fill(0)])) as Record<AlertType, number[]>;
    const byTypeSeverity = Object.fromEntries(
      ALERT_TYPES.map((t) => [t, Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>]),
    ) as Record<AlertType, Record<Severity, number>>;
    for (const a of alerts) {
      byType[a.type][index(a.detected_at_ms)]++;
      byTypeSeverity[a.type][a.severity]++;
    }

    return {
      meta: { generator: 'egress-watch', config_version: this.config.config_version, inputs, from_ms: this.range.from_ms, to_ms: this.range.to_ms, bucket_ms: bucketMs },
      totals: {
        records: this.records + malformed, malformed, flows: this.flows, bytes: this.bytes, internal: this.internalFlows, outside_range: this.outsideRange,
        outside_policy: this.violations.length, unalerted_violations: this.violations.filter((v) => v.alert_id === null).length, alerts: alerts.length,
      },
      classes: [...this.classes.entries()].sort(([a], [b]) => compare(a, b)).map(([name, acc]) => this.classFigures(name, acc)),
      violations: { by_rule: byRule, rows: this.violations },
      gateways: {
        buckets,
        series: named.map((gateway) => ({ gateway, flows: gatewaySeries.get(gateway)! })),
        no_gateway: gatewaySeries.get('') ?? new Array<number>(buckets.length).fill(0),
        gaps: findGaps(named.map((g) => [g, hourly(this.gatewayBuckets.get(g)!)] as const), hours, HOUR),
      },
      alerts: { buckets, by_type: byType, by_type_severity: byTypeSeverity },
      destinations: this.destinationSeries(alerts),
      incidents: listIncidents(alerts),
      reconciliation: provided === null ? null : reconcile(engineAlerts, provided),
    };
  }

  private classFigures(name: string, acc: ClassAcc): ClassFigures {
    return {
      data_class: name,
      in_policy: this.policy.has(name),
      flows: acc.flows,
      bytes: acc.bytes,
      gateway_bytes: acc.gatewayBytes,
      gateway_share: acc.bytes === 0 ? 1 : acc.gatewayBytes / acc.bytes,
      by_country: sortedTallies(acc.byCountry),
      by_principal: sortedTallies(acc.byPrincipal),
    };
  }

  private destinationSeries(alerts: readonly Alert[]): DestinationSeries[] {
    const volume = new Map<string, Alert[]>();
    for (const a of alerts) {
      if (!this.volumeTypes.has(a.type)) continue;
      const list = volume.get(a.destination);
      if (list) list.push(a);
      else volume.set(a.destination, [a]);
    }
    return [...volume.entries()]
      .sort(([da, a], [db, b]) => b.length - a.length || compare(da, db))
      .slice(0, MAX_CHARTED_DESTINATIONS)
      .map(([destination, list]) => {
        const s = this.series.get(destination) ?? emptySeries();
        const types = ALERT_TYPES.filter((t) => list.some((a) => a.type === t));
        return { destination, alerts: list.length, types, ...s };
      });
  }
}

type Series = Omit<DestinationSeries, 'destination' | 'alerts' | 'types'>;

function emptySeries(): Series {
  return { t: [], observed: [], expected: [], low: [], high: [], alerted: [] };
}

/** Hours up to 3 days, then days, then whole multiples of a day: at most about 2000 buckets. */
function bucketFor(spanMs: number): number {
  if (spanMs <= 3 * DAY) return HOUR;
  return DAY * Math.max(1, Math.ceil(spanMs / DAY / 2000));
}

function bucketStarts(from: number, to: number, bucketMs: number): number[] {
  const out: number[] = [];
  for (let b = Math.floor(from / bucketMs) * bucketMs; b < to; b += bucketMs) out.push(b);
  return out;
}

function sortSeries(s: Series): void {
  const order = s.t.map((_, i) => i).sort((a, b) => s.t[a] - s.t[b]);
  if (order.every((v, i) => v === i)) return;
  const pick = <T>(xs: T[]) => order.map((i) => xs[i]);
  [s.t, s.observed, s.expected, s.low, s.high, s.alerted] = [pick(s.t), pick(s.observed), pick(s.expected), pick(s.low), pick(s.high), pick(s.alerted)];
}

function tally(m: Map<string, Tally>, key: string, bytes: number): void {
  const t = m.get(key);
  if (t) {
    t.flows++;
    t.bytes += bytes;
  } else m.set(key, { key, flows: 1, bytes });
}

function sortedTallies(m: Map<string, Tally>): Tally[] {
  return [...m.values()].sort((a, b) => b.bytes - a.bytes || compare(a.key, b.key));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Each violating flow gets the alert of its rule that covers it: same type, destination,
 * data class and principal, with the flow's time inside the alert's window (a first alert's
 * window is its flow's time; a follow-up's spans the repeats it folds), or its flow id among
 * the alert's samples.
 */
function tieViolations(violations: Violation[], alerts: readonly Alert[]): void {
  const byKey = new Map<string, Alert[]>();
  for (const a of alerts) {
    const k = `${a.type}\u0000${a.destination}\u0000${a.data_class}\u0000${a.principal}`;
    const list = byKey.get(k);
    if (list) list.push(a);
    else byKey.set(k, [a]);
  }
  for (const v of violations) {
    const candidates = byKey.get(`${v.rule}\u0000${v.destination}\u0000${v.data_class}\u0000${v.principal}`) ?? [];
    const hit =
      candidates.find((a) => a.sample_flow_ids.includes(v.flow_id)) ??
      candidates.find((a) => a.window_start_ms <= v.end_ms && v.end_ms <= a.window_end_ms);
    v.alert_id = hit?.alert_id ?? null;
  }
}

/** Runs of buckets in which a gateway that had sent before sent nothing while others sent. */
function findGaps(series: ReadonlyArray<readonly [string, number[]]>, buckets: number[], bucketMs: number): GatewayGap[] {
  const total = new Array<number>(buckets.length).fill(0);
  for (const [, s] of series) s.forEach((n, i) => (total[i] += n));
  const gaps: GatewayGap[] = [];
  for (const [gateway, s] of series) {
    let started = false;
    let open: number | null = null;
    for (let i = 0; i < s.length; i++) {
      if (s[i] > 0) started = true;
      const silent = started && s[i] === 0 && total[i] > 0;
      if (silent && open === null) open = i;
      if (!silent && open !== null) {
        gaps.push({ gateway, from_ms: buckets[open], to_ms: buckets[i - 1] + bucketMs });
        open = null;
      }
    }
    if (open !== null) gaps.push({ gateway, from_ms: buckets[open], to_ms: buckets[s.length - 1] + bucketMs });
  }
  return gaps;
}

function reconcile(engine: readonly Alert[], provided: readonly Alert[]): ReportData['reconciliation'] {
  const engineIds = new Set(engine.map((a) => a.alert_id));
  const providedIds = new Set(provided.map((a) => a.alert_id));
  return {
    provided: providedIds.size,
    reproduced: [...providedIds].filter((id) => engineIds.has(id)).length,
    missing_from_file: [...engineIds].filter((id) => !providedIds.has(id)).sort(),
    not_reproduced: [...providedIds].filter((id) => !engineIds.has(id)).sort(),
  };
}
