// npm run soak [-- --duration 10m --rate N --fraction 0.65 --destinations 100000 --out DIR]
//
// The service held under load: a fresh local broker, `egress-watch run` as a child process,
// then generated traffic to 100,000 destinations at a steady rate near the service's
// capacity for --duration, with incidents injected and latency probes sent every few
// seconds. Every --sample it records throughput, consumer lag, the service's heap and state
// size; at the end it prints a summary (throughput, lag, heap trend over the second half,
// alert latency) and writes the samples as CSV and JSON. Bounded in time; not part of
// `npm test`. The machine is shared: the figures are indications.
//
// Event time runs 3.6 hours per wall minute (36 h in 10 minutes), so windows close, the
// new-destination learning period (1 d) ends and baselines warm up within the run; the
// config is config/example.yaml with allowed_lateness and idle_timeout scaled up to match (see writeSoakConfig).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/types.js';
import { parseDuration } from '../src/config/units.js';
import type { AlertType, FlowRecord } from '../src/engine/types.js';
import type { Incident } from '../src/generate/index.js';
import { decodeAlert } from '../src/io/wire.js';
import { createKafka } from '../src/kafka/client.js';
import { produceFlows } from '../src/kafka/flow-producer.js';
import { startLocalBroker, stopLocalBroker } from '../src/kafka/local-broker.js';
import { repartitionTopicName } from '../src/kafka/topics.js';
import type { AlertKeyed } from './soak/alert-keys.js';
import { sumMetric } from './soak/metrics-text.js';
import { samplesCsv, scrape, takeSample, type Phase, type Sample, type SamplerTarget } from './soak/sampler.js';
import { spawnServiceChild, waitServiceReady, type ServiceChild } from './soak/service-process.js';
import { heapTrend, mean, minuteFloors, percentile } from './soak/stats.js';
import { capacityProbeTraffic, soakConfigDocument, soakPhaseTraffic, SOAK_T0 } from './soak/workload.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T0 = SOAK_T0;
const quiet = () => {};

interface SoakArgs {
  durationMs: number;
  rate: number | undefined;
  fraction: number;
  destinations: number;
  probeMs: number;
  sampleMs: number;
  latencyEveryMs: number;
  drainMs: number;
  seed: number;
  out: string;
}

function readArgs(): SoakArgs {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10m' },
      rate: { type: 'string' },
      // 0.75 fell behind at the start of the soak (run 3 in docs/benchmarks-history.md): the probe measures
      // the drain of a backlog with fewer destinations than the soak keeps.
      fraction: { type: 'string', default: '0.65' },
      destinations: { type: 'string', default: '100000' },
      'capacity-probe': { type: 'string', default: '45s' },
      sample: { type: 'string', default: '10s' },
      'latency-every': { type: 'string', default: '5s' },
      drain: { type: 'string', default: '5m' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: join(tmpdir(), 'egress-watch-soak') },
    },
  });
  const positive = (name: string, text: string): number => {
    const n = Number(text);
    if (!(n > 0 && Number.isFinite(n))) throw new Error(`--${name}: expected a positive number, got ${JSON.stringify(text)}`);
    return n;
  };
  const durationMs = parseDuration(values.duration);
  if (durationMs > 2 * HOUR) throw new Error(`--duration: at most 2h (the soak is bounded), got ${values.duration}`);
  const fraction = positive('fraction', values.fraction);
  if (fraction > 1) throw new Error(`--fraction: a share of the measured capacity, at most 1, got ${values.fraction}`);
  return {
    durationMs,
    rate: values.rate === undefined ? undefined : positive('rate', values.rate),
    fraction,
    destinations: positive('destinations', values.destinations),
    probeMs: parseDuration(values['capacity-probe']),
    sampleMs: parseDuration(values.sample),
    latencyEveryMs: parseDuration(values['latency-every']),
    drainMs: parseDuration(values.drain),
    seed: positive('seed', values.seed),
    out: values.out,
  };
}

/** The soak's config (workload.ts) with its broker, topics and group. */
function writeSoakConfig(bootstrap: string, file: string): Config {
  const doc = soakConfigDocument();
  doc.setIn(['kafka', 'brokers'], [bootstrap]);
  doc.setIn(['kafka', 'group_id'], 'soak');
  for (const [key, name] of Object.entries({ flows: 'flows', alerts: 'alerts', dead_letter: 'dlq', changelog: 'state' })) {
    doc.setIn(['kafka', 'topics', key], `soak.${name}`);
  }
  doc.setIn(['service', 'http_port'], 0);
  writeFileSync(file, doc.toString());
  return loadConfig(file);
}

/** A flow that raises RESIDENCY_VIOLATION (EU user data to the US) on a destination of its own. */
function latencyProbe(i: number, endMs: number): FlowRecord {
  return {
    flow_id: `soak-probe-${i}`,
    gateway_id: 'gw-fra-1',
    start_ms: endMs - 500,
    end_ms: endMs,
    src_ip: '10.10.1.10',
    dst_ip: '203.0.113.200',
    src_port: 40000 + (i % 20000),
    dst_port: 443,
    protocol: 6,
    dst_host: `soak-probe-${i}.example`,
    dst_country: 'US',
    bytes_out: 20_000,
    bytes_in: 2_000,
    packets_out: 20,
    packets_in: 10,
    data_class: 'eu_user_data',
    principal: 'svc-eu-export',
  };
}

/** Watches the alert topic: counts by type, each latency probe's arrival time, the incidents seen. */
class AlertWatcher {
  readonly byType = new Map<AlertType, number>();
  readonly probeArrivals = new Map<number, number>();
  readonly seen = new Set<string>();
  /** Every alert read, by what it is about (alert-keys.ts): for bench/soak-reference.ts --compare. */
  readonly keyed: AlertKeyed[] = [];
  private consumer: ReturnType<ReturnType<typeof createKafka>['consumer']> | undefined;

  async start(config: Config): Promise<void> {
    this.consumer = createKafka(config.kafka, { log: quiet }).consumer({ groupId: `soak-alerts-${Date.now()}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: config.kafka.topics.alerts, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const now = performance.now();
        const decoded = decodeAlert(message.value ?? Buffer.alloc(0));
        if (!decoded.ok) return;
        const { type, destination, window_start_ms } = decoded.alert;
        this.byType.set(type, (this.byType.get(type) ?? 0) + 1);
        this.keyed.push({ type, destination, window_start_ms });
        this.seen.add(`${type}|${destination}`);
        const probe = /^soak-probe-(\d+)\.example$/.exec(destination);
        if (probe !== null && !this.probeArrivals.has(Number(probe[1]))) this.probeArrivals.set(Number(probe[1]), now);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
  }
}

/** The soak's flows with a latency probe slipped in every `everyMs` of wall time, at the stream's event time. */
function* withLatencyProbes(
  flows: Iterable<FlowRecord>,
  everyMs: number,
  sentAt: Map<number, number>,
  last: { end_ms: number },
): Generator<FlowRecord> {
  let next = performance.now() + everyMs;
  for (const flow of flows) {
    const now = performance.now();
    if (now >= next) {
      next = now + everyMs;
      const i = sentAt.size;
      sentAt.set(i, now); // sent with the batch being filled, a few ms from now
      yield latencyProbe(i, flow.end_ms);
    }
    last.end_ms = flow.end_ms;
    yield flow;
  }
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');

function sampleRow(s: Sample): string {
  const eventHours = Number.isFinite(s.watermark_ms) ? ((s.watermark_ms - T0) / HOUR).toFixed(1) : '-';
  return [
    s.t_s.toFixed(0).padStart(5),
    s.phase.padEnd(14),
    int(s.produced_per_s).padStart(8),
    int(s.processed_per_s).padStart(8),
    int(s.lag_flows + s.lag_repartition).padStart(10),
    mb(s.heap_used_bytes).padStart(6),
    mb(s.rss_bytes).padStart(6),
    int(s.destinations).padStart(8),
    eventHours.padStart(6),
    int(s.alerts).padStart(7),
  ].join(' ');
}
const HEADER = '  t/s phase           sent/s   done/s        lag heapMB  rssMB    dests  evt h  alerts';

async function main(): Promise<void> {
  const args = readArgs();
  const started = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'egress-watch-soak-'));
  const brokerDir = join(dir, 'broker');
  const serviceLog = join(dir, 'service.log');
  mkdirSync(args.out, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const outBase = join(args.out, `soak-${stamp}`);
  const abort = new AbortController();
  const onSignal = () => {
    if (abort.signal.aborted) return;
    console.log('\nsoak: interrupted; stopping and cleaning up');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let service: ServiceChild | undefined;
  let admin: ReturnType<ReturnType<typeof createKafka>['admin']> | undefined;
  const watcher = new AlertWatcher();
  const samples: Sample[] = [];
  let brokerStarted = false;
  let sampling = true;
  try {
    console.log(`soak: ${args.destinations.toLocaleString('en-US')} destinations, ${args.durationMs / 1000} s; working folder ${dir}`);
    const broker = await startLocalBroker({ dir: brokerDir, log: (line) => console.log(`soak: broker: ${line}`) });
    brokerStarted = true;
    const config = writeSoakConfig(broker.bootstrap, join(dir, 'soak.yaml'));
    const kafka = createKafka(config.kafka, { log: quiet });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: config.kafka.topics.flows, numPartitions: 3 }], waitForLeaders: true });

    service = spawnServiceChild(join(dir, 'soak.yaml'), serviceLog);
    const serviceDied = service.exited.then((how) => {
      if (!abort.signal.aborted) {
        console.log(`soak: the service ended (${how}); see ${serviceLog}`);
        abort.abort();
      }
    });
    void serviceDied;
    const httpUrl = await waitServiceReady(service, serviceLog);
    const readyAt = performance.now();
    console.log(`soak: Kafka ${broker.kafkaVersion} on ${broker.bootstrap}; service pid ${service.pid} ready, ${httpUrl}/metrics`);
    await watcher.start(config);

    // Sampling runs alongside every phase.
    const target: SamplerTarget = {
      metricsUrl: `${httpUrl}/metrics`,
      admin,
      groupId: config.kafka.group_id,
      flowsTopic: config.kafka.topics.flows,
      repartitionTopic: repartitionTopicName(config.kafka.group_id),
    };
    let produced = 0;
    let phase: Phase = 'capacity';
    const sampleNow = async (): Promise<Sample> => {
      // After the event loop was busy (building the soak's traffic) the first request can meet a
      // kept-alive connection the service already closed: try again before giving up.
      const take = () => takeSample(target, { t_s: (performance.now() - readyAt) / 1000, phase, produced }, samples.at(-1));
      const s = await take().catch(() => sleep(1000).then(take)).catch(() => sleep(3000).then(take));
      samples.push(s);
      console.log(sampleRow(s));
      return s;
    };
    const sampler = (async () => {
      console.log(HEADER);
      while (sampling) {
        await sleep(args.sampleMs - ((performance.now() - readyAt) % args.sampleMs));
        if (sampling) await sampleNow().catch((err: Error) => console.log(`soak: sample failed: ${err.message}`));
      }
    })();
    const doneCount = async () => {
      const m = await scrape(target.metricsUrl);
      return sumMetric(m, 'egress_watch_records_processed_total') + sumMetric(m, 'egress_watch_dead_letters_total');
    };
    // After an interruption the service may be gone: the last sample stands in.
    const sampleOrLast = () => sampleNow().catch(() => samples.at(-1)!);
    const waitDrained = async (until: number, timeoutMs: number): Promise<number | undefined> => {
      const from = performance.now();
      while (performance.now() - from < timeoutMs && !abort.signal.aborted) {
        // A scrape can fail while the service is busy (a long batch blocks its event loop): try again.
        const done = await doneCount().catch(() => -1);
        if (done >= until) return performance.now();
        await sleep(500);
      }
      return undefined;
    };

    // 1. Capacity: flows as fast as the producer sends them for --capacity-probe, then the time
    //    until the service has processed them all (producer and service share the machine, as
    //    they do during the soak).
    let capacity: { records: number; seconds: number; rate: number; produceRate: number } | undefined;
    let nextStart = T0;
    let rate = args.rate;
    if (rate === undefined) {
      const probeTraffic = capacityProbeTraffic(args.seed, args.destinations);
      const stopProbe = abortAfter(abort.signal, args.probeMs);
      const last = { end_ms: T0 };
      const t0 = performance.now();
      const { sent } = await produceFlows(config, config.kafka.topics.flows, track(probeTraffic.flows, last), {
        format: 'avro', signal: stopProbe, clientLog: quiet, onProgress: (n) => (produced = n),
      });
      const produceSeconds = (performance.now() - t0) / 1000;
      phase = 'drain-capacity';
      const doneAt = await waitDrained(sent, 10 * MINUTE);
      if (doneAt === undefined) throw new Error(abort.signal.aborted ? 'interrupted' : `the service did not process the ${sent} capacity-probe flows within 10 minutes`);
      const seconds = (doneAt - t0) / 1000;
      capacity = { records: sent, seconds, rate: sent / seconds, produceRate: sent / produceSeconds };
      rate = Math.round(capacity.rate * args.fraction);
      nextStart = Math.ceil((last.end_ms + MINUTE) / HOUR) * HOUR;
      console.log(
        `soak: capacity probe: ${int(sent)} flows sent in ${produceSeconds.toFixed(1)} s (${int(capacity.produceRate)}/s), ` +
          `all processed ${seconds.toFixed(1)} s after the first was sent: ${int(capacity.rate)} flows/s; soak rate ${int(rate)} flows/s (${args.fraction} of it)`,
      );
    }

    // 2. The soak: a steady wall-clock rate; event time compressed so windows close and baselines learn.
    const { traffic, types, eventDuration, eventRate, note } = soakPhaseTraffic({
      seed: args.seed, destinations: args.destinations, startMs: nextStart, durationMs: args.durationMs, rate,
    });
    if (note !== undefined) console.log(`soak: ${note}`);
    console.log(
      `soak: ${int(rate)} flows/s for ${args.durationMs / 1000} s; event time ${(eventDuration / HOUR).toFixed(1)} h from ` +
        `${new Date(nextStart).toISOString()} at ${eventRate.toFixed(1)} flows per event second; ${traffic.truth.length} incidents (${types.join(', ')})`,
    );
    phase = 'soak';
    const probeSentAt = new Map<number, number>();
    const last = { end_ms: nextStart };
    const soakStart = performance.now();
    const soakStartSample = await sampleNow();
    const before = produced;
    const stopSoak = abortAfter(abort.signal, args.durationMs);
    await produceFlows(config, config.kafka.topics.flows, withLatencyProbes(traffic.flows, args.latencyEveryMs, probeSentAt, last), {
      format: 'avro', rate, signal: stopSoak, clientLog: quiet, onProgress: (n) => (produced = before + n),
    });
    const soakSeconds = (performance.now() - soakStart) / 1000;
    const soakEndSample = await sampleOrLast();

    // 3. Drain: how long the service takes to finish what the soak sent.
    phase = 'drain';
    const drainFrom = performance.now();
    const drainedAt = await waitDrained(produced, args.drainMs);
    await sleep(2000); // the last alerts reach the watcher
    sampling = false;
    await sampler;
    const final = await sampleOrLast();

    // 4. Summary.
    const summary = summarize({
      args, rate, capacity, soakSeconds, soakStartSample, soakEndSample, final, samples, probeSentAt,
      probeArrivals: watcher.probeArrivals, drainSeconds: drainedAt === undefined ? undefined : (drainedAt - drainFrom) / 1000,
      alertsByType: Object.fromEntries(watcher.byType), truth: traffic.truth, lastEventMs: last.end_ms, seen: watcher.seen,
      eventRate, eventDuration, soakStartMs: nextStart, interrupted: abort.signal.aborted,
    });
    const meta = { started: started.toISOString(), cpus: cpus().length, loadavg_start_end: [loadAtStart, loadavg()], command: process.argv.slice(2) };
    writeFileSync(`${outBase}.json`, JSON.stringify({ ...meta, summary, samples, alerts: watcher.keyed }, null, 2));
    writeFileSync(`${outBase}.csv`, samplesCsv(samples));
    console.log(`soak: samples in ${outBase}.csv and ${outBase}.json`);
  } finally {
    sampling = false;
    abort.abort(); // from here on the service ending is expected
    await watcher.stop();
    await admin?.disconnect().catch(() => {});
    if (service !== undefined) console.log(`soak: service stopped (${await service.stop()})`);
    if (brokerStarted) await stopLocalBroker({ dir: brokerDir });
    // The service's log stays with the samples: a stall or a late wave is explained there.
    try {
      copyFileSync(serviceLog, `${outBase}.service.log`);
    } catch {
      // the service never started
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const loadAtStart = loadavg();

/** A signal that aborts with `parent` or after `ms`, whichever comes first. */
function abortAfter(parent: AbortSignal, ms: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  const stop = () => {
    clearTimeout(timer);
    controller.abort();
  };
  if (parent.aborted) stop();
  else parent.addEventListener('abort', stop, { once: true });
  return controller.signal;
}

function* track(flows: Iterable<FlowRecord>, last: { end_ms: number }): Generator<FlowRecord> {
  for (const flow of flows) {
    last.end_ms = flow.end_ms;
    yield flow;
  }
}

interface SummaryInput {
  args: SoakArgs;
  rate: number;
  capacity: { records: number; seconds: number; rate: number; produceRate: number } | undefined;
  soakSeconds: number;
  soakStartSample: Sample;
  soakEndSample: Sample;
  final: Sample;
  samples: Sample[];
  probeSentAt: Map<number, number>;
  probeArrivals: Map<number, number>;
  drainSeconds: number | undefined;
  alertsByType: Record<string, number>;
  truth: Incident[];
  lastEventMs: number;
  seen: Set<string>;
  eventRate: number;
  eventDuration: number;
  soakStartMs: number;
  interrupted: boolean;
}

function summarize(x: SummaryInput) {
  const soak = x.samples.filter((s) => s.phase === 'soak');
  const lag = (s: Sample) => s.lag_flows + s.lag_repartition;
  const producedRate = (x.soakEndSample.produced - x.soakStartSample.produced) / x.soakSeconds;
  const processedRate = (x.soakEndSample.processed - x.soakStartSample.processed) / x.soakSeconds;

  // Steady state: from the first sample holding (nearly) every destination the soak ends with.
  const learnt = Math.max(...soak.map((s) => s.destinations));
  const steady = soak.find((s) => s.destinations >= 0.99 * learnt);
  const halfT = (soak[0].t_s + soak[soak.length - 1].t_s) / 2;
  const secondHalf = soak.filter((s) => s.t_s >= halfT && (steady === undefined || s.t_s >= steady.t_s));
  const trend = heapTrend(secondHalf.map((s) => s.t_s / 60), secondHalf.map((s) => s.heap_used_bytes));
  const rssTrend = heapTrend(secondHalf.map((s) => s.t_s / 60), secondHalf.map((s) => s.rss_bytes));
  // The verdict: per-minute floors (the heap just after a collection) from learnt to the end.
  const learntSoak = steady === undefined ? [] : soak.filter((s) => s.t_s >= steady.t_s);
  const floorsOf = (bytes: (s: Sample) => number) => {
    const f = minuteFloors(learntSoak.map((s) => s.t_s / 60), learntSoak.map(bytes), steady === undefined ? 0 : steady.t_s / 60);
    return { floors: f.floors, trend: heapTrend(f.minutes, f.floors) };
  };
  const { floors: heapFloors, trend: floorTrend } = floorsOf((s) => s.heap_used_bytes);
  const { floors: rssFloors, trend: rssFloorTrend } = floorsOf((s) => s.rss_bytes);

  const latencies = [...x.probeSentAt].filter(([i]) => x.probeArrivals.has(i)).map(([i, at]) => x.probeArrivals.get(i)! - at);
  // Incidents the service has had a chance to see: ended before its (least) watermark.
  const sentIncidents = x.truth.filter((i) => i.end_ms <= x.final.watermark_ms);
  const detected = sentIncidents.filter((i) => x.seen.has(`${i.type}|${i.destination}`));

  const summary = {
    interrupted: x.interrupted,
    destinations_requested: x.args.destinations,
    capacity: x.capacity,
    rate_target: x.rate,
    event_rate_per_event_s: Math.round(x.eventRate * 10) / 10,
    event_hours_planned: x.eventDuration / HOUR,
    soak_seconds: Math.round(x.soakSeconds),
    produced_per_s: Math.round(producedRate),
    processed_per_s: Math.round(processedRate),
    lag_max: Math.max(...soak.map(lag)),
    lag_mean: Math.round(mean(soak.map(lag))),
    lag_at_end: lag(x.soakEndSample),
    drain_seconds: x.drainSeconds === undefined ? null : Math.round(x.drainSeconds * 10) / 10,
    destinations_final: x.final.destinations,
    destinations_learnt_at_s: steady === undefined ? null : Math.round(steady.t_s - soak[0].t_s),
    heap_steady_start_mb: steady === undefined ? null : Math.round(steady.heap_used_bytes / 1e6),
    heap_end_mb: Math.round(x.soakEndSample.heap_used_bytes / 1e6),
    heap_floors_after_learnt: { floors_mb: heapFloors.map((b) => Math.round(b / 1e6)), slope_mb_per_min: floorTrend.slopeBytesPerMinute / 1e6, mean_mb: floorTrend.meanBytes / 1e6, growth_share: floorTrend.growthShare, verdict: floorTrend.verdict },
    rss_floors_after_learnt: { floors_mb: rssFloors.map((b) => Math.round(b / 1e6)), slope_mb_per_min: rssFloorTrend.slopeBytesPerMinute / 1e6, growth_share: rssFloorTrend.growthShare, verdict: rssFloorTrend.verdict },
    heap_second_half: { samples: secondHalf.length, slope_mb_per_min: trend.slopeBytesPerMinute / 1e6, mean_mb: trend.meanBytes / 1e6, growth_share: trend.growthShare, verdict: trend.verdict },
    rss_second_half: { slope_mb_per_min: rssTrend.slopeBytesPerMinute / 1e6, mean_mb: rssTrend.meanBytes / 1e6, verdict: rssTrend.verdict },
    event_hours_covered: Math.round(((x.lastEventMs - x.soakStartMs) / HOUR) * 10) / 10,
    alerts_by_type: x.alertsByType,
    incidents_behind_watermark: sentIncidents.length,
    incidents_detected: detected.length,
    latency_probes: { sent: x.probeSentAt.size, alerted: latencies.length, p50_ms: Math.round(percentile(latencies, 0.5)), p99_ms: Math.round(percentile(latencies, 0.99)), max_ms: latencies.length === 0 ? NaN : Math.round(Math.max(...latencies)) },
    dead_letters: x.final.dead_letters,
    late_records: x.final.late,
  };
  const h = summary.heap_second_half;
  console.log('\nsoak summary');
  if (x.capacity) console.log(`  capacity probe      ${int(x.capacity.rate)} flows/s end to end (${int(x.capacity.records)} flows; producer ${int(x.capacity.produceRate)}/s)`);
  console.log(`  target rate         ${int(x.rate)} flows/s; event time ${summary.event_hours_covered} h covered`);
  console.log(`  throughput          sent ${int(producedRate)} flows/s, processed ${int(processedRate)} flows/s over ${summary.soak_seconds} s`);
  const drained = summary.drain_seconds === null ? `not drained within --drain (${x.args.drainMs / 1000} s); ${int(lag(x.final))} left` : `drained ${summary.drain_seconds} s after`;
  console.log(`  consumer lag        max ${int(summary.lag_max)}, mean ${int(summary.lag_mean)}, at end ${int(summary.lag_at_end)} records; ${drained}`);
  console.log(`  destinations        ${int(summary.destinations_final)} in state; ${summary.destinations_learnt_at_s === null ? 'never steady' : `99% learnt ${summary.destinations_learnt_at_s} s into the soak`}`);
  console.log(`  heap                ${summary.heap_steady_start_mb ?? '-'} MB when learnt, ${summary.heap_end_mb} MB at the end; raw samples, second half (${h.samples}): ${h.slope_mb_per_min.toFixed(2)} MB/min, mean ${h.mean_mb.toFixed(0)} MB, ${(h.growth_share * 100).toFixed(1)}% over the span: ${h.verdict}`);
  const f = summary.heap_floors_after_learnt;
  console.log(`  heap floors         lowest sample of each minute from learnt on: ${f.floors_mb.join(', ') || '-'} MB; ${f.slope_mb_per_min.toFixed(2)} MB/min, ${(f.growth_share * 100).toFixed(1)}% over the span: ${f.verdict}`);
  const rf = summary.rss_floors_after_learnt;
  console.log(`  rss floors          ${rf.floors_mb.join(', ') || '-'} MB; ${rf.slope_mb_per_min.toFixed(2)} MB/min, ${(rf.growth_share * 100).toFixed(1)}% over the span: ${rf.verdict}`);
  console.log(`  rss                 second half ${summary.rss_second_half.slope_mb_per_min.toFixed(2)} MB/min, mean ${summary.rss_second_half.mean_mb.toFixed(0)} MB: ${summary.rss_second_half.verdict}`);
  console.log(`  alerts              ${JSON.stringify(x.alertsByType)}; incidents detected ${detected.length}/${sentIncidents.length} (those behind the watermark)`);
  const l = summary.latency_probes;
  console.log(`  alert latency       ${l.alerted}/${l.sent} probes, send -> alert read: p50 ${l.p50_ms} ms, p99 ${l.p99_ms} ms, max ${l.max_ms} ms`);
  console.log(`  dead letters ${summary.dead_letters}, late records ${summary.late_records}`);
  console.log(`  machine             ${cpus().length} cores; load average (1 min) ${loadAtStart[0].toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`);
  return summary;
}

try {
  await main();
} catch (err) {
  console.error(`soak: ${(err as Error).message}`);
  process.exitCode = 1;
}
