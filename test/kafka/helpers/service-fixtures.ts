// Shared pieces of the service integration tests: configs with topic names of their own,
// producing and reading topics on the real test broker, hand-made traffic, polling.
import { randomUUID } from 'node:crypto';
import kafkajs, { type Kafka, type Message } from 'kafkajs';
import { parseConfig } from '../../../src/config/load.js';
import { createTopicsAndWait } from '../../../src/kafka/create-topics.js';
import { groupProgress } from '../../../src/kafka/group-progress.js';
import { flow as engineFlow } from '../../engine/fixtures.js';
import { mulberry32 } from '../../helpers/mulberry32.js';
import { readTopic, type TopicRecord } from '../../../src/faults/read-back.js';
import { parseProgress, PROGRESS_KEY } from '../../../src/kafka/progress.js';
import type { Config } from '../../../src/config/types.js';
import { Pipeline } from '../../../src/engine/pipeline.js';
import type { Alert, FlowRecord } from '../../../src/engine/types.js';
import { decodeAlert } from '../../../src/io/wire.js';

const { Kafka: KafkaClient, logLevel, Partitioners } = kafkajs;

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0); // a Monday, 09:00 UTC
export const SEC = 1000;

export interface TopicNames {
  flows: string;
  alerts: string;
  dead_letter: string;
  changelog: string;
  group: string;
}

export function uniqueTopics(label: string): TopicNames {
  const id = `${label}-${randomUUID().slice(0, 8)}`;
  return {
    flows: `${id}.flows`,
    alerts: `${id}.alerts`,
    dead_letter: `${id}.dlq`,
    changelog: `${id}.state`,
    group: `${id}.group`,
  };
}

/**
 * The YAML of a small-window test config; `extra` is appended (more top-level sections),
 * `kafka` is more lines of the kafka section (e.g. `  ssl: {ca: ca.pem}`).
 */
export function serviceYaml(
  bootstrap: string,
  t: TopicNames,
  opts: { repartition?: boolean; alertsFormat?: 'json' | 'avro'; extra?: string; kafka?: string } = {},
): string {
  return `
kafka:
  brokers: [${bootstrap}]
  client_id: ew-test
  group_id: ${t.group}
  topics: {flows: ${t.flows}, alerts: ${t.alerts}, dead_letter: ${t.dead_letter}, changelog: ${t.changelog}}
  format: auto
  repartition: ${opts.repartition ?? true}
${opts.kafka ?? ''}
# idle_timeout: the test traffic's rare flows without a gateway hold the watermark back only briefly.
windows: {size: 10s, allowed_lateness: 0s, idle_timeout: 20s}
baseline: {key: dst_host, warmup_windows: 3}
policy:
  internal_networks: [10.0.0.0/8]
  data_classes:
    eu_user_data:
      allowed_countries: [EEA, GB]
      principals: ["svc-eu-*"]
      require_gateway: true
detectors:
  new_destination: {learning_period: 30s}
  volume_spike: {threshold: 6, min_bytes: 1KB}
  sustained_increase: {enabled: false}
alerts: {suppress_for: 0s, format: ${opts.alertsFormat ?? 'json'}}
service: {http_host: 127.0.0.1, http_port: 0}
${opts.extra ?? ''}
`;
}

export function serviceConfig(bootstrap: string, t: TopicNames, opts: Parameters<typeof serviceYaml>[2] = {}): Config {
  return parseConfig(serviceYaml(bootstrap, t, opts), 'service-test.yaml');
}

export function testKafka(bootstrap: string): Kafka {
  return new KafkaClient({ clientId: 'ew-test-client', brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsAndWait(admin, [{ topic, numPartitions: partitions }]);
  } finally {
    await admin.disconnect();
  }
}

/** Produces in order; returns each message's offset (as a number) in the order given. */
export async function produce(kafka: Kafka, topic: string, messages: Message[]): Promise<number[]> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const offsets: number[] = [];
    // One message a request where partitions are given explicitly keeps offsets easy to know.
    for (const m of messages) {
      const [meta] = await producer.send({ topic, acks: -1, messages: [m] });
      offsets.push(Number(meta.baseOffset));
    }
    return offsets;
  } finally {
    await producer.disconnect();
  }
}

/** Faster than produce() for bulk: one request per chunk. */
export async function produceBulk(kafka: Kafka, topic: string, messages: Message[], chunk = 500): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + chunk) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** A record read back; the fault suite's reader (src/faults/read-back.ts) serves the tests too. */
export type ReadMessage = TopicRecord;
export { readTopic };

export async function readAlerts(kafka: Kafka, topic: string): Promise<Alert[]> {
  const out: Alert[] = [];
  for (const m of await readTopic(kafka, topic)) {
    const decoded = decodeAlert(m.value ?? Buffer.alloc(0));
    if (!decoded.ok) throw new Error(`alert at ${topic}/${m.partition}/${m.offset}: ${decoded.reason}`);
    out.push(decoded.alert);
  }
  return out;
}

/** Whether the group has committed, on every partition of each topic, the topic's end offset. */
export async function groupCaughtUp(kafka: Kafka, groupId: string, topics: string[]): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      for (const p of await groupProgress(admin, groupId, topic)) if (p.high > 0 && p.committed < p.high) return false;
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Whether the changelog shows, on every engine partition, the state transaction that committed
 * the group's offset there: its latest progress marker reaches the committed offset. A state
 * write commits both in one transaction, but the broker makes a committed transaction visible
 * partition by partition (the group coordinator completes the __consumer_offsets side on a
 * thread of its own, the changelog's commit marker is appended apart from it), so the offset
 * can be seen first. A test that reads the changelog after groupCaughtUp waits for this.
 */
export async function changelogShowsCommits(kafka: Kafka, groupId: string, input: string, changelog: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  let committed: Array<{ partition: number; offset: string }>;
  try {
    [{ partitions: committed }] = await admin.fetchOffsets({ groupId, topics: [input] });
  } finally {
    await admin.disconnect();
  }
  const reached = new Map<number, number>();
  for (const m of await readTopic(kafka, changelog)) {
    const progress = m.key === PROGRESS_KEY && m.value !== null ? parseProgress(m.value.toString()) : null;
    if (progress !== null && typeof progress !== 'string') reached.set(m.partition, progress.next);
  }
  return committed.every((c) => Number(c.offset) <= 0 || reached.get(c.partition) === Number(c.offset));
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let flowCounter = 0;
/** The engine tests' flow (test/engine/fixtures.ts) with ids of its own and a 0.5 s duration. */
export function flow(over: Partial<FlowRecord> & { end_ms: number }): FlowRecord {
  flowCounter++;
  return engineFlow({ flow_id: `flow-${flowCounter}`, start_ms: over.end_ms - 500, ...over });
}

/**
 * The hand-made traffic of the alert tests, in event-time order, and what it must raise:
 * - steady.example.eu: 1 KB once every 10 s window for windows 0..7, except window 6 which
 *   carries 40 flows of 100 KB from 5 sources: one VOLUME_SPIKE (windows 0..5 are its baseline,
 *   more than warmup_windows 3), closed by the window-7 record.
 * - us.example.com (US): RESIDENCY_VIOLATION; crm.example.eu by principal mallory:
 *   UNAUTHORIZED_PRINCIPAL; files.example.eu without a gateway: GATEWAY_BYPASS.
 * - learnt.example.eu first seen inside the 30 s learning period (no alert), seen again later
 *   (no alert); new.example.eu first seen at +45 s, after learning: NEW_DESTINATION.
 * - an internal destination and a flow without a data class: nothing.
 */
export function alertTraffic(): { flows: FlowRecord[]; expected: Array<{ type: string; destination: string }> } {
  const flows: FlowRecord[] = [];
  const steady = (k: number, over: Partial<FlowRecord> = {}) =>
    flow({ dst_host: 'steady.example.eu', end_ms: T0 + k * 10 * SEC + 1 * SEC, ...over });
  flows.push(steady(0));
  flows.push(flow({ dst_host: 'us.example.com', dst_country: 'US', end_ms: T0 + 2 * SEC }));
  flows.push(flow({ dst_host: 'learnt.example.eu', end_ms: T0 + 5 * SEC }));
  flows.push(steady(1));
  flows.push(flow({ dst_host: 'crm.example.eu', principal: 'mallory', end_ms: T0 + 12 * SEC }));
  flows.push(steady(2));
  flows.push(flow({ dst_host: 'files.example.eu', gateway_id: null, end_ms: T0 + 25 * SEC }));
  flows.push(steady(3));
  flows.push(flow({ dst_host: null, dst_ip: '10.9.9.9', end_ms: T0 + 33 * SEC }));
  flows.push(flow({ dst_host: 'cdn.example.com', dst_country: 'US', data_class: null, end_ms: T0 + 35 * SEC }));
  flows.push(steady(4));
  flows.push(flow({ dst_host: 'new.example.eu', end_ms: T0 + 45 * SEC }));
  flows.push(steady(5));
  flows.push(flow({ dst_host: 'learnt.example.eu', end_ms: T0 + 55 * SEC }));
  for (let i = 0; i < 40; i++) {
    flows.push(steady(6, { end_ms: T0 + 60 * SEC + 100 + i * 200, bytes_out: 100_000, packets_out: 80, src_ip: `10.1.1.${1 + (i % 5)}` }));
  }
  flows.push(steady(7));
  return {
    flows,
    expected: [
      { type: 'RESIDENCY_VIOLATION', destination: 'us.example.com' },
      { type: 'UNAUTHORIZED_PRINCIPAL', destination: 'crm.example.eu' },
      { type: 'GATEWAY_BYPASS', destination: 'files.example.eu' },
      { type: 'NEW_DESTINATION', destination: 'new.example.eu' },
      { type: 'VOLUME_SPIKE', destination: 'steady.example.eu' },
    ],
  };
}

/** Alerts of an unbroken in-process run over each partition's records in order (no finish()). */
export function replayAlerts(config: Config, partitions: Iterable<FlowRecord[]>): Alert[] {
  const out: Alert[] = [];
  for (const flows of partitions) {
    const p = new Pipeline(config);
    for (const f of flows) out.push(...p.push(f));
  }
  return out;
}

export function typeAndDestination(alerts: Alert[]): Array<{ type: string; destination: string }> {
  return alerts
    .map((a) => ({ type: a.type, destination: a.destination }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.destination.localeCompare(b.destination));
}

/** A Prometheus text exposition as name{labels} -> value. */
export async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/**
 * A longer stream for the restart tests, in event-time order: `destinations` destinations over
 * `windows` windows of 10 s. Half of them are there from the start, the others appear one by
 * one after the learning period (NEW_DESTINATION); every seventh destination has one window of
 * 40 flows x 100 KB in the second half (VOLUME_SPIKE once its baseline is warm); a few flows
 * by an unauthorised principal or without a gateway along the way.
 */
export function streamTraffic(destinations: number, windows: number, seed = 7): FlowRecord[] {
  const random = mulberry32(seed);
  const flows: FlowRecord[] = [];
  for (let w = 0; w < windows; w++) {
    for (let i = 0; i < destinations; i++) {
      const firstWindow = i < destinations / 2 ? 0 : 4 + Math.floor(((i - destinations / 2) * (windows - 8)) / (destinations / 2));
      if (w < firstWindow) continue;
      const host = `dest-${i}.example.eu`;
      const spike = i % 7 === 3 && w === Math.floor(windows * 0.6) + (i % 5);
      const count = spike ? 40 : 1 + Math.floor(random() * 3);
      for (let k = 0; k < count; k++) {
        const r = random();
        flows.push(
          flow({
            dst_host: host,
            dst_ip: `198.51.100.${i % 250}`,
            end_ms: T0 + w * 10 * SEC + Math.floor(random() * 10 * SEC),
            bytes_out: spike ? 100_000 : 1000 + Math.floor(random() * 2000),
            packets_out: spike ? 80 : 2,
            src_ip: `10.1.${i % 200}.${1 + (k % 5)}`,
            principal: r < 0.01 ? 'mallory' : 'svc-eu-export',
            gateway_id: r > 0.99 ? null : `gw-${i % 3}`,
          }),
        );
      }
    }
  }
  return flows.sort((a, b) => a.end_ms - b.end_ms || a.flow_id.localeCompare(b.flow_id));
}
