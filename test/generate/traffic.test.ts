import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../../src/engine/types.js';
import {
  defaultGenerateOptions,
  describeTraffic,
  generateFlows,
  generateTraffic,
  planIncidents,
  planTraffic,
  type GenerateOptions,
  type Incident,
  type TrafficPlan,
} from '../../src/generate/index.js';
import { seasonalFactor } from '../../src/generate/seasonality.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 0, 5);
const OPTIONS: Partial<GenerateOptions> = { seed: 7, duration_ms: 2 * DAY, rate: 3, destinations: 150 };
const LEARNING_MS = DAY + 2 * HOUR;

// ---- the policy of config/example.yaml, written out independently of the generator ----
const EEA = 'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO'.split(' ');
const POLICY: Record<string, { countries: Set<string>; principal: RegExp }> = {
  eu_user_data: { countries: new Set([...EEA, 'GB', 'CH']), principal: /^(svc-eu-.*|alice|bob)$/ },
  payment_data: { countries: new Set(EEA), principal: /^(svc-billing-.*|carol)$/ },
};
const INTERNAL = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8'].map((c) => ipaddr.parseCIDR(c));
const TEST_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '198.18.0.0/15', '2001:db8::/32'].map((c) =>
  ipaddr.parseCIDR(c),
);
function inRanges(ip: string, ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][]): boolean {
  const address = ipaddr.parse(ip);
  return ranges.some(([net, bits]) => address.kind() === net.kind() && address.match(net, bits));
}

/** The violations of the policy a flow commits, by alert type. */
function violations(flow: FlowRecord): string[] {
  const rule = flow.data_class === null ? undefined : POLICY[flow.data_class];
  if (rule === undefined) return [];
  const found: string[] = [];
  if (flow.dst_country === null || !rule.countries.has(flow.dst_country)) found.push('RESIDENCY_VIOLATION');
  if (flow.principal === null || !rule.principal.test(flow.principal)) found.push('UNAUTHORIZED_PRINCIPAL');
  if (flow.gateway_id === null) found.push('GATEWAY_BYPASS');
  return found;
}

const destinationKey = (f: FlowRecord) => f.dst_host ?? f.dst_ip;
const pairKey = (destination: string, dataClass: string | null) => `${destination}\u0000${dataClass}`;
const within = (f: FlowRecord, i: Incident) => f.start_ms >= i.start_ms && f.end_ms <= i.end_ms;
const plannedKey = (f: FlowRecord) => `${f.end_ms}|${f.dst_ip}|${f.src_port}|${f.bytes_out}`;

interface RunStats {
  count: number;
  firstIdMismatch: string | null;
  orderViolations: number;
  badFlows: { flow: FlowRecord; kinds: string[] }[];
  internalCount: number;
  pairFirstSeen: Map<string, number>;
  ipsByKey: Map<string, Set<string>>;
  keysByIp: Map<string, Set<string>>;
  outsideTestRanges: Set<string>;
  nonInternalSources: number;
  badPackets: number;
  badDurations: number;
  overCap: number;
  plannedFound: number;
  plannedMismatch: number;
  incidentFlows: Map<string, { flows: number; bytes: number }>;
}

function collect(plan: TrafficPlan, flows: Iterable<FlowRecord>): RunStats {
  const seed = plan.options.seed;
  const internalByIp = new Map<string, boolean>();
  const capByKey = new Map(plan.population.external.map((d) => [d.key, d.size.cap]));
  const planned = new Map(plan.incidents.flatMap((p) => p.flows).map((f) => [plannedKey(f), f]));
  const incidentsByKey = new Map<string, Incident[]>();
  for (const p of plan.incidents) incidentsByKey.set(p.incident.destination, [...(incidentsByKey.get(p.incident.destination) ?? []), p.incident]);
  const stats: RunStats = {
    count: 0, firstIdMismatch: null, orderViolations: 0, badFlows: [], internalCount: 0,
    pairFirstSeen: new Map(), ipsByKey: new Map(), keysByIp: new Map(), outsideTestRanges: new Set(),
    nonInternalSources: 0, badPackets: 0, badDurations: 0, overCap: 0, plannedFound: 0, plannedMismatch: 0,
    incidentFlows: new Map(),
  };
  let lastEnd = -Infinity;
  for (const flow of flows) {
    const expectedId = `f-${seed}-${stats.count.toString(16).padStart(8, '0')}`;
    if (flow.flow_id !== expectedId && stats.firstIdMismatch === null) stats.firstIdMismatch = `${flow.flow_id} != ${expectedId}`;
    stats.count++;
    if (flow.end_ms < lastEnd) stats.orderViolations++;
    lastEnd = flow.end_ms;
    // GATEWAY_SILENT incidents are keyed gateway:<id>: count the silent gateway's flows.
    for (const incident of incidentsByKey.get(`gateway:${flow.gateway_id}`) ?? []) {
      if (!within(flow, incident)) continue;
      const counter = stats.incidentFlows.get(incident.incident_id) ?? { flows: 0, bytes: 0 };
      counter.flows++;
      stats.incidentFlows.set(incident.incident_id, counter);
    }
    if (flow.packets_out !== Math.ceil(flow.bytes_out / 1200) + 1 || flow.packets_in !== Math.ceil(flow.bytes_in / 1200) + 1) stats.badPackets++;
    if (!(flow.start_ms <= flow.end_ms && flow.end_ms - flow.start_ms <= 600_000)) stats.badDurations++;
    let internalSource = internalByIp.get(flow.src_ip);
    if (internalSource === undefined) {
      internalSource = inRanges(flow.src_ip, INTERNAL);
      internalByIp.set(flow.src_ip, internalSource);
    }
    if (!internalSource) stats.nonInternalSources++;

    let internal = internalByIp.get(flow.dst_ip);
    if (internal === undefined) {
      internal = inRanges(flow.dst_ip, INTERNAL);
      internalByIp.set(flow.dst_ip, internal);
      if (!internal && !inRanges(flow.dst_ip, TEST_RANGES)) stats.outsideTestRanges.add(flow.dst_ip);
    }
    if (internal) {
      stats.internalCount++;
      if (violations(flow).length > 0) stats.badFlows.push({ flow, kinds: violations(flow) });
      continue;
    }
    const key = destinationKey(flow);
    if (!stats.ipsByKey.has(key)) stats.ipsByKey.set(key, new Set());
    stats.ipsByKey.get(key)!.add(flow.dst_ip);
    if (!stats.keysByIp.has(flow.dst_ip)) stats.keysByIp.set(flow.dst_ip, new Set());
    stats.keysByIp.get(flow.dst_ip)!.add(key);
    const pair = pairKey(key, flow.data_class);
    if (!stats.pairFirstSeen.has(pair)) stats.pairFirstSeen.set(pair, flow.end_ms);
    const kinds = violations(flow);
    if (kinds.length > 0) stats.badFlows.push({ flow, kinds });

    const incidents = incidentsByKey.get(key) ?? [];
    for (const incident of incidents) {
      if (!within(flow, incident)) continue;
      const counter = stats.incidentFlows.get(incident.incident_id) ?? { flows: 0, bytes: 0 };
      counter.flows++;
      counter.bytes += flow.bytes_out;
      stats.incidentFlows.set(incident.incident_id, counter);
    }
    // Planned flows go only to incident destinations.
    const plannedFlow = incidents.length > 0 ? planned.get(plannedKey(flow)) : undefined;
    if (plannedFlow !== undefined) {
      stats.plannedFound++;
      if (JSON.stringify({ ...flow, flow_id: '' }) !== JSON.stringify(plannedFlow)) stats.plannedMismatch++;
    } else if (!incidents.some((i) => i.type === 'VOLUME_SPIKE' && within(flow, i)) && flow.bytes_out > (capByKey.get(key) ?? 0)) {
      stats.overCap++;
    }
  }
  return stats;
}

function hashFirst(options: Partial<GenerateOptions>, n: number): string {
  const hash = createHash('sha256');
  let i = 0;
  for (const flow of generateFlows(options)) {
    hash.update(JSON.stringify(flow) + '\n');
    if (++i === n) break;
  }
  return hash.digest('hex');
}

describe('generateFlows: a two-day run with every incident type', () => {
  let plan: TrafficPlan;
  let truth: Incident[];
  let stats: RunStats;
  beforeAll(() => {
    plan = planTraffic(OPTIONS);
    truth = plan.incidents.map((p) => p.incident);
    stats = collect(plan, generateFlows(OPTIONS));
  });

  it('emits in event-time order with sequential deterministic flow ids', () => {
    expect(stats.count).toBeGreaterThan(400_000);
    expect(stats.orderViolations).toBe(0);
    expect(stats.firstIdMismatch).toBeNull();
  });

  it('plans 3 incidents of each type, after learning, an hour clear of the end, one per destination', () => {
    const perType: Record<string, number> = {};
    for (const i of truth) perType[i.type] = (perType[i.type] ?? 0) + 1;
    expect(perType).toEqual({
      RESIDENCY_VIOLATION: 3, UNAUTHORIZED_PRINCIPAL: 3, GATEWAY_BYPASS: 3,
      NEW_DESTINATION: 3, VOLUME_SPIKE: 3, SUSTAINED_INCREASE: 3, GATEWAY_SILENT: 3,
    });
    for (const i of truth) {
      expect(i.start_ms).toBeGreaterThanOrEqual(START + LEARNING_MS);
      expect(i.end_ms).toBeLessThanOrEqual(START + 2 * DAY - HOUR);
      expect(i.end_ms).toBeGreaterThanOrEqual(i.start_ms);
    }
    expect(new Set(truth.map((i) => i.destination)).size).toBe(truth.length);
    expect(truth.map((i) => i.incident_id)).toEqual(truth.map((_, k) => `inc-7-${String(k + 1).padStart(3, '0')}`));
    expect([...truth].sort((a, b) => a.start_ms - b.start_ms)).toEqual(truth);
  });

  it('commits no policy violation outside the policy incidents, and each such incident violates exactly its rule', () => {
    const unexplained = stats.badFlows.filter(({ flow, kinds }) => {
      const matching = truth.filter((i) => i.destination === destinationKey(flow) && within(flow, i));
      return !(matching.length === 1 && kinds.length === 1 && kinds[0] === matching[0].type && flow.data_class === matching[0].data_class && flow.principal === matching[0].principal);
    });
    expect(unexplained.map((b) => ({ ...b.flow, kinds: b.kinds }))).toEqual([]);
    for (const type of ['RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS']) {
      for (const incident of truth.filter((i) => i.type === type)) {
        const flagged = stats.badFlows.filter((b) => destinationKey(b.flow) === incident.destination);
        expect(flagged.length, incident.incident_id).toBeGreaterThanOrEqual(1);
        expect(flagged.length, incident.incident_id).toBeLessThanOrEqual(4);
      }
    }
  });

  it('introduces every normal (destination, data class) pair within the first 6 hours; later new pairs are incidents', () => {
    const lateNewPairs = [...stats.pairFirstSeen].filter(([, firstSeen]) => firstSeen >= START + 6 * HOUR).map(([pair]) => pair);
    const incidentPairs = truth
      .filter((i) => i.type === 'NEW_DESTINATION' || i.type === 'RESIDENCY_VIOLATION')
      .map((i) => pairKey(i.destination, i.data_class));
    expect(lateNewPairs.filter((pair) => !incidentPairs.includes(pair))).toEqual([]);
    // Each NEW_DESTINATION pair really is new when its incident starts.
    for (const incident of truth.filter((i) => i.type === 'NEW_DESTINATION')) {
      const firstSeen = stats.pairFirstSeen.get(pairKey(incident.destination, incident.data_class));
      expect(firstSeen, incident.incident_id).toBeGreaterThanOrEqual(incident.start_ms);
      expect(firstSeen, incident.incident_id).toBeLessThanOrEqual(incident.end_ms);
    }
    // Normal pairs (all but incident ones) number exactly the seed flows.
    expect(stats.pairFirstSeen.size - new Set(incidentPairs).size).toBe(plan.seedFlowCount);
  });

  it('emits every planned incident flow unchanged, within its incident interval', () => {
    const plannedCount = plan.incidents.reduce((sum, p) => sum + p.flows.length, 0);
    expect(plannedCount).toBeGreaterThan(0);
    expect(stats.plannedFound).toBe(plannedCount);
    expect(stats.plannedMismatch).toBe(0);
    for (const p of plan.incidents.filter((q) => q.incident.type !== 'GATEWAY_SILENT')) {
      for (const f of p.flows) expect(within(f, p.incident), p.incident.incident_id).toBe(true);
      expect(stats.incidentFlows.get(p.incident.incident_id)?.flows ?? 0, p.incident.incident_id).toBeGreaterThanOrEqual(Math.max(1, p.flows.length));
    }
  });

  it('GATEWAY_SILENT: each of the three gateways sends nothing for 2 hours, one at a time', () => {
    const silences = truth.filter((i) => i.type === 'GATEWAY_SILENT');
    expect(silences.map((i) => i.destination).sort()).toEqual(['gateway:gw-ams-1', 'gateway:gw-dub-1', 'gateway:gw-fra-1']);
    for (const [k, i] of silences.entries()) {
      expect(i.end_ms - i.start_ms).toBe(2 * HOUR);
      expect([i.data_class, i.principal]).toEqual([null, null]);
      expect(stats.incidentFlows.get(i.incident_id), i.incident_id).toBeUndefined();
      if (k > 0) expect(i.start_ms).toBeGreaterThan(silences[k - 1].end_ms);
    }
  });

  it('VOLUME_SPIKE: 1-3 minute bursts of 5x-50x the honest normal hourly bytes on busy destinations', () => {
    for (const p of plan.incidents.filter((q) => q.incident.type === 'VOLUME_SPIKE')) {
      const d = p.destination!;
      const volume = p.volume!;
      expect(d.ratePerMs * 60_000).toBeGreaterThanOrEqual(3);
      expect(volume.factor).toBeGreaterThanOrEqual(5);
      expect(volume.factor).toBeLessThanOrEqual(50);
      expect(p.flows.reduce((s, f) => s + f.bytes_out, 0)).toBe(volume.total_bytes);
      expect(p.incident.end_ms - p.incident.start_ms).toBeLessThanOrEqual(3 * 60_000);
      // Normal hourly bytes from the destination's parameters, recomputed here.
      const expectedHourly = d.ratePerMs * HOUR * seasonalFactor(p.incident.start_ms + d.phaseMs) * d.meanBytesOut;
      expect(volume.normal_hourly_bytes / expectedHourly).toBeGreaterThan(0.95);
      expect(volume.normal_hourly_bytes / expectedHourly).toBeLessThan(1.05); // start_ms is a little after the planned start
      expect(stats.incidentFlows.get(p.incident.incident_id)!.bytes).toBeGreaterThanOrEqual(volume.total_bytes);
    }
  });

  it('SUSTAINED_INCREASE: flows in the interval match the ramped rate (+30 %/h for 6 h, held 2 h)', () => {
    for (const p of plan.incidents.filter((q) => q.incident.type === 'SUSTAINED_INCREASE')) {
      const d = p.destination!;
      const { start_ms: s, end_ms: e } = p.incident;
      expect(e - s).toBe(8 * HOUR);
      // Expected flows ending in [s, e]: per one-minute slice, rate at the slice middle (as
      // generated) times the part of the slice inside the interval. Flows that end inside but
      // start before s (a few seconds' worth) are not counted: far below one standard deviation.
      let withRamp = 0;
      let without = 0;
      for (let t = START + Math.floor((s - START) / 60_000) * 60_000; t <= e; t += 60_000) {
        const middle = t + 30_000;
        const inside = (Math.min(t + 60_000, e + 1) - Math.max(t, s)) / 60_000;
        const base = d.ratePerMs * seasonalFactor(middle + d.phaseMs) * 60_000 * inside;
        const ramp = middle < s || middle >= e ? 1 : 1.3 ** (Math.min(middle - s, 6 * HOUR) / HOUR);
        without += base;
        withRamp += base * ramp;
      }
      const observed = stats.incidentFlows.get(p.incident.incident_id)!.flows;
      expect(Math.abs(observed - withRamp), p.incident.incident_id).toBeLessThan(4 * Math.sqrt(withRamp));
      expect(observed).toBeGreaterThan(2 * without);
    }
  });

  it('keeps one address per destination, from test ranges, sources internal, packets consistent, normal flows under 20x median', () => {
    expect([...stats.ipsByKey.values()].filter((ips) => ips.size !== 1)).toEqual([]);
    expect([...stats.keysByIp.values()].filter((keys) => keys.size !== 1)).toEqual([]);
    expect([...stats.outsideTestRanges]).toEqual([]);
    expect(stats.nonInternalSources).toBe(0);
    expect(stats.badPackets).toBe(0);
    expect(stats.badDurations).toBe(0);
    expect(stats.overCap).toBe(0);
  });

  it('produces about the record count describeTraffic expects', () => {
    const summary = describeTraffic(OPTIONS);
    expect(summary.destinations).toBe(150);
    expect(summary.seed_flows).toBe(plan.seedFlowCount);
    expect(Math.abs(stats.count - summary.expected_records)).toBeLessThan(4 * Math.sqrt(summary.expected_records));
    expect(summary.incidents.VOLUME_SPIKE).toBe(3);
  });
});

describe('generateFlows: internal share', () => {
  it('is 5 % of normal flows, within 4 binomial standard deviations', () => {
    const options: Partial<GenerateOptions> = { seed: 11, duration_ms: DAY, rate: 3, destinations: 150, types: [] };
    expect(planIncidents(options)).toEqual([]);
    const seedFlows = describeTraffic(options).seed_flows;
    let total = 0;
    let internal = 0;
    for (const flow of generateFlows(options)) {
      total++;
      if (inRanges(flow.dst_ip, INTERNAL)) internal++;
    }
    // Seed flows are extra external flows; conditional on the rest, internal ~ Binomial(n, 0.05).
    const n = total - seedFlows;
    const sd = Math.sqrt(n * 0.05 * 0.95);
    expect(Math.abs(internal - 0.05 * n)).toBeLessThan(4 * sd);
  });
});

describe('determinism and options', () => {
  const small: Partial<GenerateOptions> = { seed: 3, duration_ms: 2 * DAY, rate: 3, destinations: 150 };

  it('gives identical flows and truth for identical options', () => {
    expect(hashFirst(small, 20_000)).toBe(hashFirst({ ...small }, 20_000));
    expect(planIncidents(small)).toEqual(planIncidents({ ...small }));
    const { flows, truth } = generateTraffic(small);
    expect(truth).toEqual(planIncidents(small));
    const firstPass: string[] = [];
    for (const f of flows) { firstPass.push(f.flow_id + f.bytes_out); if (firstPass.length === 100) break; }
    const secondPass: string[] = [];
    for (const f of flows) { secondPass.push(f.flow_id + f.bytes_out); if (secondPass.length === 100) break; }
    expect(secondPass).toEqual(firstPass);
  });

  it('gives different flows for a different seed', () => {
    expect(hashFirst({ ...small, seed: 4 }, 20_000)).not.toBe(hashFirst(small, 20_000));
  });

  it('injects only the requested types', () => {
    const truth = planIncidents({ ...small, types: ['GATEWAY_BYPASS', 'VOLUME_SPIKE'], incidents_per_type: 2 });
    expect(truth.map((i) => i.type).sort()).toEqual(['GATEWAY_BYPASS', 'GATEWAY_BYPASS', 'VOLUME_SPIKE', 'VOLUME_SPIKE']);
  });

  it('has the documented defaults', () => {
    expect(defaultGenerateOptions()).toEqual({
      seed: 1, start_ms: Date.UTC(2026, 0, 5), duration_ms: 3 * DAY, rate: 5, destinations: 200,
      incidents_per_type: 3, learning_ms: LEARNING_MS,
      types: ['RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS', 'NEW_DESTINATION', 'VOLUME_SPIKE', 'SUSTAINED_INCREASE', 'GATEWAY_SILENT'],
      scenario: 'standard',
    });
    expect(new Date(defaultGenerateOptions().start_ms).getUTCDay()).toBe(1);
  });

  it('names the option at fault', () => {
    expect(() => planTraffic({ rate: -1 })).toThrow(/option 'rate' must be .*got -1/);
    expect(() => planTraffic({ seed: 1.5 })).toThrow(/option 'seed'/);
    expect(() => planTraffic({ types: ['NOPE' as never] })).toThrow(/option 'types'/);
    expect(() => planTraffic({ duration_ms: 30 * HOUR })).toThrow(/no room for SUSTAINED_INCREASE incidents/);
    expect(() => planTraffic({ rate: 0.2 })).toThrow(/too few busy destinations .* for VOLUME_SPIKE/);
  });
});
