// The soak's workload: more destinations than one generator run holds (the generator stops at
// 20,000, its address pool's comfortable size), made of several generator runs ("shards")
// with seeds of their own, merged in event-time order. Each shard's destination keys get a
// prefix of their own so the shards never share a destination.
import type { AlertType, FlowRecord } from '../../src/engine/types.js';
import { describeTraffic, generateTraffic, resolveGenerateOptions, type Incident } from '../../src/generate/index.js';

/** The generator's largest population. */
export const SHARD_DESTINATIONS = 20_000;

export interface SoakTrafficOptions {
  seed: number;
  /** External destinations in all; a multiple of SHARD_DESTINATIONS or less than it. */
  destinations: number;
  start_ms: number;
  duration_ms: number;
  /** Flows per event-time second over all shards (the generator's weekly mean). */
  rate: number;
  incidents_per_type: number;
  learning_ms: number;
  types: AlertType[];
  /** Destinations per generator run; default SHARD_DESTINATIONS (tests use fewer). */
  shard_destinations?: number;
}

export interface SoakTraffic {
  /** In non-decreasing end_ms order; regenerated on every iteration. */
  flows: Iterable<FlowRecord>;
  /** Injected incidents of every shard, destinations with the shard prefix. */
  truth: Incident[];
}

/** IPv4 ranges the generator hands to external destinations (RFC 5737 and RFC 2544). */
const EXTERNAL_V4 = /^(192\.0\.2|198\.51\.100|203\.0\.113|198\.1[89])\./;

/**
 * The flow as shard `shard` sends it: `s<shard>.` before the host name; an external IPv4
 * destination without a host name (its address is its key) moves to a shard-private IPv6
 * address 2001:db8:ffff:<shard+1>::<a.b>:<c.d> (canonical text), because shards draw their
 * addresses from the same small ranges. Internal and IPv6 addresses stay: the engine ignores
 * the first, and the second come from a space too large to collide.
 */
export function shardFlow(flow: FlowRecord, shard: number): FlowRecord {
  if (flow.dst_host !== null) flow.dst_host = `s${shard}.${flow.dst_host}`;
  else if (EXTERNAL_V4.test(flow.dst_ip)) flow.dst_ip = shardAddress(flow.dst_ip, shard);
  return flow;
}

export function shardAddress(ipv4: string, shard: number): string {
  const [a, b, c, d] = ipv4.split('.').map(Number);
  const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
  return `2001:db8:ffff:${(shard + 1).toString(16)}::${hex(a, b)}:${hex(c, d)}`;
}

/** The baseline key (dst_host, else dst_ip) of an incident destination, shard prefix applied. */
function shardKey(key: string, shard: number): string {
  if (/^[\d.]+$/.test(key)) return EXTERNAL_V4.test(key) ? shardAddress(key, shard) : key;
  return key.includes(':') ? key : `s${shard}.${key}`;
}

/** Merges streams that are each in non-decreasing end_ms order into one such stream. */
export function* mergeByEndMs(streams: Iterable<FlowRecord>[]): Generator<FlowRecord, void, undefined> {
  const iterators = streams.map((s) => s[Symbol.iterator]());
  const heads: (FlowRecord | undefined)[] = iterators.map((it) => it.next().value ?? undefined);
  for (;;) {
    // A linear scan: a handful of shards, so a heap would not pay for itself.
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h !== undefined && (best < 0 || h.end_ms < heads[best]!.end_ms)) best = i;
    }
    if (best < 0) return;
    yield heads[best]!;
    heads[best] = iterators[best].next().value ?? undefined;
  }
}

function shardCount(options: Pick<SoakTrafficOptions, 'destinations' | 'shard_destinations'>): number {
  const size = options.shard_destinations ?? SHARD_DESTINATIONS;
  if (options.destinations <= size) return 1;
  if (options.destinations % size !== 0) {
    throw new RangeError(`destinations: above ${size}, a multiple of it, got ${options.destinations}`);
  }
  return options.destinations / size;
}

function shardOptions(options: SoakTrafficOptions, shard: number, shards: number) {
  return resolveGenerateOptions({
    seed: options.seed + shard,
    destinations: options.destinations / shards,
    start_ms: options.start_ms,
    duration_ms: options.duration_ms,
    rate: options.rate / shards,
    incidents_per_type: options.incidents_per_type,
    learning_ms: options.learning_ms,
    types: options.types,
  });
}

export function soakTraffic(options: SoakTrafficOptions): SoakTraffic {
  const shards = shardCount(options);
  const runs = Array.from({ length: shards }, (_, s) => generateTraffic(shardOptions(options, s, shards)));
  const shardStream = (s: number): Iterable<FlowRecord> => ({
    *[Symbol.iterator]() {
      for (const flow of runs[s].flows) yield shards === 1 ? flow : shardFlow(flow, s);
    },
  });
  return {
    flows: { [Symbol.iterator]: () => mergeByEndMs(runs.map((_, s) => shardStream(s))) },
    truth: runs.flatMap((run, s) =>
      run.truth.map((i) => (shards === 1 ? i : { ...i, incident_id: `s${s}-${i.incident_id}`, destination: shardKey(i.destination, s) })),
    ),
  };
}

/**
 * The event-time rate (flows per event second) at which the workload holds about `records`
 * flows over `duration_ms`: the generator's expected count is linear in the rate, plus the
 * seed flows that introduce every destination (independent of it).
 */
export function rateForRecords(options: Omit<SoakTrafficOptions, 'rate'>, records: number): number {
  const shards = shardCount(options);
  const probe = { ...options, rate: shards, types: [] as AlertType[] };
  let fixed = 0;
  let perUnitRate = 0;
  for (let s = 0; s < shards; s++) {
    const summary = describeTraffic(shardOptions(probe, s, shards));
    fixed += summary.seed_flows;
    perUnitRate += summary.expected_external_flows + summary.expected_internal_flows; // at shard rate 1
  }
  const perShardRate = Math.max(0, records - fixed) / perUnitRate;
  return perShardRate * shards;
}
