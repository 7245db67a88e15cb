// node dist/bench/kafka-bench.js: the Kafka path end to end on a fresh local broker —
// producing generated flows (Avro and JSON), then the service consuming, re-keying and
// detecting them. The machine is shared and noisy: the figures are indications.
// BENCH_KAFKA_RECORDS sets the number of flows (default 200000). Each read is reported with
// the CPU it took per flow, of this process and of the broker (from /proc), because a rate
// alone cannot tell a service that waits from one that works.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { demoConfig, tailFlows } from '../src/cli/demo-command.js';
import type { Config } from '../src/config/types.js';
import type { FlowRecord } from '../src/engine/types.js';
import { generateTraffic, resolveGenerateOptions } from '../src/generate/index.js';
import { DestinationKeyer, InternalNetworks } from '../src/engine/keys.js';
import { createKafka } from '../src/kafka/client.js';
import { produceFlows, type FlowWireFormat } from '../src/kafka/flow-producer.js';
import { startLocalBroker, stopLocalBroker } from '../src/kafka/local-broker.js';
import { createServiceLogger } from '../src/kafka/logger.js';
import { startService } from '../src/kafka/service.js';

const RECORDS = Number(process.env.BENCH_KAFKA_RECORDS ?? 200_000);
const DAY = 86_400_000;

function flows(): FlowRecord[] {
  // The generator's defaults (3 days at 5 flows/s); the first RECORDS of them.
  const options = resolveGenerateOptions({ seed: 42, duration_ms: Math.max(3 * DAY, Math.ceil(RECORDS / 5) * 1000) });
  const out: FlowRecord[] = [];
  for (const flow of generateTraffic(options).flows) {
    out.push(flow);
    if (out.length === RECORDS) break;
  }
  return out;
}

async function produceRate(config: Config, topic: string, records: FlowRecord[], format: FlowWireFormat): Promise<number> {
  const started = performance.now();
  await produceFlows(config, topic, records, { format, clientLog: () => {} });
  return records.length / ((performance.now() - started) / 1000);
}

/** CPU milliseconds a process has used (user + system), from /proc; NaN where there is no /proc. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

interface CpuUse {
  /** This process (every thread: the collector's and zlib's too). */
  nodeMs: number;
  brokerMs: number;
}

/** Starts measuring; the returned function gives the CPU used since. */
function cpuMeter(brokerPid: number): () => CpuUse {
  const node0 = process.cpuUsage();
  const broker0 = processCpuMs(brokerPid);
  return () => {
    const node = process.cpuUsage(node0);
    return { nodeMs: (node.user + node.system) / 1000, brokerMs: processCpuMs(brokerPid) - broker0 };
  };
}

function perFlow(cpu: CpuUse, flows: number, seconds: number): string {
  const us = (ms: number) => ((ms * 1000) / flows).toFixed(1);
  return `CPU per flow: node ${us(cpu.nodeMs)} µs, broker ${us(cpu.brokerMs)} µs (${((cpu.nodeMs + cpu.brokerMs) / 1000 / seconds).toFixed(2)} cores in all)`;
}

interface Read {
  rate: number;
  seconds: number;
  cpu: CpuUse;
  /** Flows in the timed part. */
  flows: number;
}

/**
 * Rates and CPU are taken over the flows after the first quarter: the first ones pay for
 * the group join and for compiling the hot code (JIT), in the JVM too, which would charge
 * whichever read comes first.
 */
const WARM_UP = 0.25;

/** A bare kafkajs consumer reading the whole topic: the ceiling for any kafkajs service. */
async function bareConsumerRate(config: Config, topic: string, expected: number, brokerPid: number): Promise<Read> {
  const kafka = createKafka(config.kafka, { log: () => {} });
  const consumer = kafka.consumer({ groupId: `bench-bare-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let timed = 0;
  let started = 0;
  let meter: (() => CpuUse) | undefined;
  let done!: (cpu: CpuUse) => void;
  const finished = new Promise<CpuUse>((resolve) => (done = resolve));
  await consumer.run({
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
      if (started === 0 && seen >= expected * WARM_UP) {
        started = performance.now();
        meter = cpuMeter(brokerPid);
        timed = expected - seen;
      }
      if (seen >= expected) done(meter!());
    },
  });
  const cpu = await finished;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return { rate: timed / seconds, seconds, cpu, flows: timed };
}

/** Starts the service on `config` and times it through `expected` records already on its flows topic. */
async function serviceRate(config: Config, expected: number, brokerPid: number): Promise<Read & { service: Awaited<ReturnType<typeof startService>> }> {
  const service = await startService(config, { instanceId: 'bench', httpPort: 0, log: createServiceLogger('bench', 'warn') });
  let failure: Error | undefined;
  service.done.catch((err: Error) => {
    failure = err;
  });
  await service.ready;
  const done = () => {
    if (failure !== undefined) throw new Error(`the service stopped: ${failure.message}`);
    const c = service.counters();
    return c.processed + c.deadLetters + c.skipped;
  };
  while (done() < expected * WARM_UP) await sleep(20);
  const started = performance.now();
  const meter = cpuMeter(brokerPid);
  const from = done();
  while (done() < expected) await sleep(20);
  const cpu = meter();
  const seconds = (performance.now() - started) / 1000;
  return { rate: (expected - from) / seconds, seconds, cpu, flows: expected - from, service };
}

function report(label: string, read: Read): void {
  console.log(`${label}: ${Math.round(read.rate)} flows/s; ${perFlow(read.cpu, read.flows, read.seconds)}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Bare consumer and service read the same topic this many times each, alternately: the machine is noisy. */
const ROUNDS = Number(process.env.BENCH_KAFKA_ROUNDS ?? 3);

type Service = Awaited<ReturnType<typeof startService>>;

/**
 * ROUNDS rounds of a bare consumer then the service (each round a fresh group, state and
 * internal topics) over the flows already on `flowsTopic`; prints each round and the medians.
 * Returns the last round's service, still running.
 */
async function compareRounds(label: string, broker: { bootstrap: string; pid: number }, flowsTopic: string, repartition: boolean, expected: number): Promise<Service> {
  console.log(`${label}:`);
  const bares: number[] = [];
  const services: number[] = [];
  const ratios: number[] = [];
  let last: Service | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    await last?.stop();
    const base = demoConfig(broker.bootstrap, `bench-${repartition ? 'r' : 'd'}${round}`);
    const config: Config = { ...base, kafka: { ...base.kafka, repartition, topics: { ...base.kafka.topics, flows: flowsTopic } } };
    const bare = await bareConsumerRate(config, flowsTopic, expected, broker.pid);
    report(`  round ${round}: bare kafkajs consumer`, bare);
    const { service, ...read } = await serviceRate(config, expected, broker.pid);
    report(`  round ${round}: service`, read);
    last = service;
    bares.push(bare.rate);
    services.push(read.rate);
    ratios.push(read.rate / bare.rate);
    console.log(`  round ${round}: service / bare consumer ratio ${(read.rate / bare.rate).toFixed(2)}`);
  }
  console.log(
    `  median of ${ROUNDS}: bare ${Math.round(median(bares))} flows/s, service ${Math.round(median(services))} flows/s, ` +
      `ratio ${median(ratios).toFixed(2)} (range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
  );
  return last!;
}

/** One flow of each of the `n` egress destinations with the most flows (the ones with a learnt baseline at every hour). */
function busiestDestinations(records: FlowRecord[], n: number): FlowRecord[] {
  const count = new Map<string, { n: number; flow: FlowRecord }>();
  for (const f of records) {
    if (f.dst_host === null) continue;
    const c = count.get(f.dst_host);
    if (c === undefined) count.set(f.dst_host, { n: 1, flow: f });
    else c.n++;
  }
  return [...count.values()].sort((a, b) => b.n - a.n).slice(0, n).map((c) => c.flow);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'egress-watch-kafka-bench-'));
  const records = flows();
  const broker = await startLocalBroker({ dir });
  try {
    const config = demoConfig(broker.bootstrap, 'bench');
    const admin = createKafka(config.kafka, { log: () => {} }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: config.kafka.topics.flows, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    // 1. Fill the flows topic (Avro), then read it with a bare consumer and with the service, in rounds.
    const last = records.reduce((m, f) => Math.max(m, f.end_ms), 0);
    const tail = tailFlows(config, last);
    const input = records.concat(tail);
    const t0 = performance.now();
    await produceFlows(config, config.kafka.topics.flows, input, { format: 'avro', clientLog: () => {} });
    console.log(`produce ${input.length} flows (avro): ${Math.round(input.length / ((performance.now() - t0) / 1000))} flows/s`);

    const service = await compareRounds('kafka.repartition on, flows keyed by gateway', broker, config.kafka.topics.flows, true, input.length);

    // 2. Latency: a flow that raises an alert once the service is caught up, from the
    // moment it is sent to the moment its alert is read from the incident topic.
    const kafka = createKafka(config.kafka, { log: () => {} });
    const watcher = kafka.consumer({ groupId: `bench-alerts-${Date.now()}` });
    await watcher.connect();
    await watcher.subscribe({ topic: service.config.kafka.topics.alerts, fromBeginning: false });
    const arrived = new Map<string, number>();
    /** VOLUME_SPIKE alerts by `destination@window_start_ms`: the window probes below. */
    const spikes = new Map<string, number>();
    await watcher.run({
      eachMessage: async ({ message }) => {
        const text = message.value?.toString() ?? '';
        const m = /"destination":"(probe-\d+\.example)"/.exec(text);
        if (m) arrived.set(m[1], performance.now());
        if (/"type":"VOLUME_SPIKE"/.test(text)) {
          const key = `${/"destination":"([^"]+)"/.exec(text)?.[1]}@${/"window_start_ms":(\d+)/.exec(text)?.[1]}`;
          if (!spikes.has(key)) spikes.set(key, performance.now());
        }
      },
    });
    await sleep(3000); // the watcher's group join
    const producer = kafka.producer();
    await producer.connect();
    const sent = new Map<string, number>();
    const probes = 100;
    let t = tail[tail.length - 1].end_ms;
    for (let i = 0; i < probes; i++) {
      t += 1000;
      const host = `probe-${i}.example`;
      const probe: FlowRecord = { ...records[0], flow_id: `probe-${i}`, end_ms: t, start_ms: t - 500, dst_host: host, dst_ip: '203.0.113.200', dst_country: 'US', data_class: 'eu_user_data', principal: 'svc-eu-export', gateway_id: 'gw-fra-1' };
      sent.set(host, performance.now());
      await produceFlows(config, config.kafka.topics.flows, [probe], { format: 'avro', producer, clientLog: () => {} });
      await sleep(100);
    }
    const deadline = performance.now() + 30_000;
    while (arrived.size < probes && performance.now() < deadline) await sleep(50);
    const latencies = [...sent].filter(([h]) => arrived.has(h)).map(([h, at]) => arrived.get(h)! - at).sort((a, b) => a - b);
    console.log(
      `alert latency over ${latencies.length}/${probes} probes (send -> alert read): ` +
        `p50 ${percentile(latencies, 0.5).toFixed(0)} ms, p99 ${percentile(latencies, 0.99).toFixed(0)} ms`,
    );

    // 3. Latency from a window's close to its alert: a flow of 50 GB to a busy destination
    // (learnt baseline) in window W, then a flow whose event time moves the watermark of that
    // destination's engine partition past W's end (+ allowed lateness). Timed from sending the
    // second flow, the moment W can close, to reading W's VOLUME_SPIKE from the incident topic.
    // Each probe 10 minutes of event time after the last, so every other gateway of the
    // partition has gone idle (windows.idle_timeout) and the watermark follows these flows.
    const { size, allowed_lateness } = config.windows;
    const internal = new InternalNetworks(config.policy.internal_networks);
    const busy = busiestDestinations(records.filter((f) => !internal.contains(f.dst_ip)), 20);
    const spikeSent = new Map<string, number>();
    let base = Math.ceil((t + 10 * 60_000) / size) * size;
    for (const template of busy) {
      const host = template.dst_host!;
      const flow = (id: string, endMs: number, bytes: number): FlowRecord => ({
        ...template, flow_id: id, start_ms: endMs - 1000, end_ms: endMs, bytes_out: bytes, gateway_id: null, data_class: null, principal: null,
      });
      await produceFlows(config, config.kafka.topics.flows, [flow(`spike-${host}`, base + 10_000, 50e9)], { format: 'avro', producer, key: () => host, clientLog: () => {} });
      await sleep(50);
      spikeSent.set(`${host}@${base}`, performance.now());
      await produceFlows(config, config.kafka.topics.flows, [flow(`close-${host}`, base + size + allowed_lateness + 1_000, 1_000)], { format: 'avro', producer, key: () => host, clientLog: () => {} });
      base += 10 * 60_000;
      await sleep(200);
    }
    const spikeDeadline = performance.now() + 30_000;
    while ([...spikeSent.keys()].some((k) => !spikes.has(k)) && performance.now() < spikeDeadline) await sleep(50);
    const windowLatencies = [...spikeSent].filter(([k]) => spikes.has(k)).map(([k, at]) => spikes.get(k)! - at).sort((a, b) => a - b);
    console.log(
      `window close -> alert latency over ${windowLatencies.length}/${spikeSent.size} VOLUME_SPIKE probes (watermark-moving send -> alert read): ` +
        (windowLatencies.length === 0 ? 'none arrived' : `p50 ${percentile(windowLatencies, 0.5).toFixed(0)} ms, p99 ${percentile(windowLatencies, 0.99).toFixed(0)} ms`) +
        ([...spikeSent.keys()].some((k) => !spikes.has(k)) ? `; no VOLUME_SPIKE for ${[...spikeSent.keys()].filter((k) => !spikes.has(k)).join(', ')}` : ''),
    );
    await producer.disconnect();
    await watcher.disconnect();
    await service.stop();

    // 4. The same flows keyed by destination, as gateways can key them, with kafka.repartition
    // off: the service's shortest path (no repartition topic).
    const directTopic = `${config.kafka.topics.flows}.by-destination`;
    const keyer = new DestinationKeyer(config.baseline.key);
    const admin2 = createKafka(config.kafka, { log: () => {} }).admin();
    await admin2.connect();
    await admin2.createTopics({ topics: [{ topic: directTopic, numPartitions: 3 }], waitForLeaders: true });
    await admin2.disconnect();
    await produceFlows(config, directTopic, input, { format: 'avro', clientLog: () => {}, key: (f) => keyer.keyOf(f) });
    await (await compareRounds('kafka.repartition off, flows keyed by destination', broker, directTopic, false, input.length)).stop();
  } finally {
    await stopLocalBroker({ dir });
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
