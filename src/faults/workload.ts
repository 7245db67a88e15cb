// The fault suite's input: generated gateway traffic with incidents of all seven types, a few
// deliberately malformed records (the dead-letter path must count them), and a tail of internal
// flows per partition that moves every partition's event time past its last window. Pure.
//
// Keying: each record is keyed by its destination key (baseline.key) and placed with kafkajs's
// DefaultPartitioner over the same partition count as the repartition topic. The service's
// forwarder re-keys with that same key and partitioner, so flows partition p feeds exactly
// engine partition p, in the same order: the reference replay of partition p is then simply
// the valid records of flows partition p in offset order (see reference.ts).
import kafkajs from 'kafkajs';
import type { Config } from '../config/types.js';
import { DestinationKeyer } from '../engine/keys.js';
import type { FlowRecord } from '../engine/types.js';
import { generateTraffic, Prng, resolveGenerateOptions, type GenerateOptions, type Incident } from '../generate/index.js';
import { tailFlow as internalTailFlow, tailTime } from '../generate/tail.js';
import { encodeFlowAvro, encodeFlowJson } from '../io/wire.js';

const HOUR = 3_600_000;

export type WorkloadSize = 'full' | 'short';

/**
 * Sizes: 36 h of event time is the least that leaves room for a SUSTAINED_INCREASE after the
 * 26 h learning period (its baseline needs a full day of hourly profile, then the 8 h creep).
 */
export function workloadOptions(seed: number, size: WorkloadSize): GenerateOptions {
  return size === 'full'
    ? resolveGenerateOptions({ seed, duration_ms: 36 * HOUR, rate: 1, destinations: 40, incidents_per_type: 2, learning_ms: 26 * HOUR })
    : resolveGenerateOptions({ seed, duration_ms: 36 * HOUR, rate: 0.5, destinations: 30, incidents_per_type: 1, learning_ms: 26 * HOUR });
}

/** One record as produced to the flows topic. */
export interface WorkloadRecord {
  key: string;
  partition: number;
  value: Buffer | null;
  /** The decoded flow; null for a malformed record (it must end on the dead-letter topic). */
  flow: FlowRecord | null;
}

export interface Workload {
  partitions: number;
  /** Everything to produce, in order (event time order, malformed records interspersed, tail last). */
  records: WorkloadRecord[];
  truth: Incident[];
  malformed: number;
  tail: number;
}

/** Stream of the generator's Prng for the malformed records' positions. */
const MALFORMED_STREAM = 72;

export interface BuildWorkloadOptions {
  seed: number;
  size: WorkloadSize;
  partitions: number;
  malformed: number;
  config: Config;
}

export function buildWorkload(o: BuildWorkloadOptions): Workload {
  const { flows, truth } = generateTraffic(workloadOptions(o.seed, o.size));
  const place = partitionerFor(o.partitions);
  const keyer = new DestinationKeyer(o.config.baseline.key);
  const records: WorkloadRecord[] = [];
  const gateways = new Set<string | null>();
  let lastEventMs = -Infinity;
  for (const flow of flows) {
    const key = keyer.keyOf(flow);
    records.push({ key, partition: place(key), value: encodeFlowAvro(flow), flow });
    gateways.add(flow.gateway_id);
    if (flow.end_ms > lastEventMs) lastEventMs = flow.end_ms;
  }

  // Malformed records at seeded positions, none in the first or last 5%.
  const prng = Prng.fromSeed(o.seed, MALFORMED_STREAM);
  const bad = malformedRecords(o.malformed, place);
  const positions = bad.map(() => prng.int(Math.floor(records.length * 0.05), Math.floor(records.length * 0.95)));
  positions.sort((a, b) => b - a); // back to front, so earlier positions stay valid
  positions.forEach((at, i) => records.splice(at, 0, bad[i]));

  const tail = tailRecords(o.config, lastEventMs, [...gateways], o.partitions, (f) => keyer.keyOf(f), place);
  records.push(...tail);
  return { partitions: o.partitions, records, truth, malformed: bad.length, tail: tail.length };
}

/** The partition kafkajs's DefaultPartitioner (murmur2, as the Java client) gives a key. */
export function partitionerFor(partitions: number): (key: string) => number {
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
  return (key) => partitioner({ topic: 'flows', partitionMetadata, message: { key, value: null } });
}

/** Four kinds in turn: bad JSON, an empty value, truncated Avro, and a JSON record failing validation. */
function malformedRecords(count: number, place: (key: string) => number): WorkloadRecord[] {
  const sample: FlowRecord = {
    flow_id: 'malformed',
    gateway_id: 'gw-fra-1',
    start_ms: Date.UTC(2026, 0, 5, 12),
    end_ms: Date.UTC(2026, 0, 5, 12, 0, 1),
    src_ip: '10.10.1.10',
    dst_ip: '198.51.100.9',
    src_port: 40000,
    dst_port: 443,
    protocol: 6,
    dst_host: 'malformed.example.com',
    dst_country: 'DE',
    bytes_out: 1000,
    bytes_in: 100,
    packets_out: 2,
    packets_in: 1,
    data_class: null,
    principal: null,
  };
  const out: WorkloadRecord[] = [];
  for (let i = 0; i < count; i++) {
    const key = `malformed-${i}`;
    const flowId = `malformed-${i}`;
    let value: Buffer | null;
    switch (i % 4) {
      case 0:
        value = Buffer.from(`{"flow_id": "${flowId}", "bytes_out": `);
        break;
      case 1:
        value = null;
        break;
      case 2:
        value = encodeFlowAvro({ ...sample, flow_id: flowId }).subarray(0, 12);
        break;
      default:
        value = encodeFlowJson({ ...sample, flow_id: flowId, bytes_out: -5 });
    }
    out.push({ key, partition: place(key), value, flow: null });
  }
  return out;
}

/**
 * Internal flows (not egress: the engine ignores them but its event time moves) later than
 * every window, suppression interval and allowed lateness, one per gateway (null included)
 * per partition: every partition's last windows close, whatever watermark rule applies.
 */
function tailRecords(
  config: Config,
  lastEventMs: number,
  gateways: (string | null)[],
  partitions: number,
  keyOf: (flow: FlowRecord) => string,
  place: (key: string) => number,
): WorkloadRecord[] {
  const endMs = tailTime(config, lastEventMs);
  const tailFlow = (ip: string, id: string, gateway: string | null, port: number): FlowRecord => internalTailFlow(id, ip, gateway, port, endMs);
  // One internal address per partition (10.255.0.0/16 is inside the example's 10.0.0.0/8).
  const ipFor = new Map<number, string>();
  for (let i = 1; ipFor.size < partitions && i < 65_000; i++) {
    const ip = `10.255.${i >> 8}.${i & 255}`;
    const p = place(keyOf(tailFlow(ip, 'probe', null, 0)));
    if (!ipFor.has(p)) ipFor.set(p, ip);
  }
  const out: WorkloadRecord[] = [];
  for (const [partition, ip] of [...ipFor].sort((x, y) => x[0] - y[0])) {
    for (const [g, gateway] of gateways.entries()) {
      const flow = tailFlow(ip, `tail-${partition}-${g}`, gateway, 40000 + g);
      out.push({ key: keyOf(flow), partition, value: encodeFlowAvro(flow), flow });
    }
  }
  return out;
}
