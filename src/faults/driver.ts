// The fault driver: a known workload streamed in chunks through two `egress-watch run` child
// processes in one consumer group while a seeded schedule injects faults (SIGKILL, SIGTERM, a
// broker stop and restart, a SIGSTOP longer than the session timeout, a third instance joining
// and leaving). At the end it drains the group, stops everything, reads the topics back and
// judges them against an unbroken replay (verdict.ts). Every child process and the broker it
// started are killed at the end, on failure too, and on the driver's own exit.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka, Producer } from 'kafkajs';
import { parseDocument } from 'yaml';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/types.js';
import type { Alert, FlowRecord } from '../engine/types.js';
import { decodeAlert } from '../io/wire.js';
import { packageRoot } from '../io/schemas.js';
import { createKafka } from '../kafka/client.js';
import { startLocalBroker, stopLocalBroker } from '../kafka/local-broker.js';
import { repartitionTopicName } from '../kafka/topics.js';
import { InstanceSet, type Exit, type ServiceProcess } from './instances.js';
import { firstDivergence } from './diagnose.js';
import { groupLag, groupState, readTopic, type TopicRecord } from './read-back.js';
import { replayPerPartition } from './reference.js';
import { describeFault, FAULT_KINDS, JOINER, MEMBERS, planFaults, type Fault, type FaultKind } from './schedule.js';
import { judge, type Figures } from './verdict.js';
import { buildWorkload, type WorkloadRecord, type WorkloadSize } from './workload.js';
import { DefaultPartitioner } from '../kafka/murmur2.js';

export interface FaultSuiteOptions {
  seed: number;
  /** Faults to inject. */
  faults: number;
  /** Which kinds to draw from; default all (broker-restart needs the driver's own broker). */
  kinds?: readonly FaultKind[];
  size: WorkloadSize;
  /** Partitions of the flows topic (and so of the repartition topic); default 4. */
  partitions?: number;
  /** Malformed records mixed in; default 8. */
  malformed?: number;
  /** The group's session timeout; default 6 s (the broker's smallest allowed). */
  sessionTimeoutMs?: number;
  /** Use this broker instead of starting one (then no broker-restart fault). */
  bootstrap?: string;
  /** Progress lines; default stderr. */
  say?: (line: string) => void;
  /** Keep the run folder (config, instance logs) even when the suite passes. */
  keepLogs?: boolean;
  /** How long the group may take to recover from one fault; default 120 s. */
  recoveryTimeoutMs?: number;
  /** How long the group may take to consume everything at the end; default 300 s. */
  drainTimeoutMs?: number;
}

export interface FaultSuiteResult {
  seed: number;
  schedule: Fault[];
  injected: Partial<Record<FaultKind, number>>;
  cyclesSurvived: number;
  unplannedExits: Array<{ instance: string; exit: Exit; lastLines: string[] }>;
  /** Exit codes of SIGTERMed instances that did not exit 0. */
  uncleanStops: Array<{ instance: string; exit: Exit }>;
  figures: Figures;
  wallMs: number;
  passed: boolean;
  runDir: string;
  /** Where a state difference began (diagnose.ts), per differing partition. */
  diagnosis: string[];
}

const DEFAULT_SESSION_TIMEOUT_MS = 6_000;
const PRODUCE_BATCH = 500;

export async function runFaultSuite(o: FaultSuiteOptions): Promise<FaultSuiteResult> {
  const started = Date.now();
  const write = o.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Wall time too: the diagnosis names changelog writes by their timestamps.
  const say = (line: string) => write(`[${new Date().toISOString().slice(11, 23)} ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const partitions = o.partitions ?? 4;
  const sessionTimeoutMs = o.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
  const recoveryTimeoutMs = o.recoveryTimeoutMs ?? 120_000;
  const ownBroker = o.bootstrap === undefined;
  const kinds = o.kinds ?? FAULT_KINDS.filter((k) => ownBroker || k !== 'broker-restart');
  if (!ownBroker && kinds.includes('broker-restart')) throw new Error('a broker-restart fault needs the driver to start the broker itself (no bootstrap option)');
  const schedule = planFaults({ seed: o.seed, count: o.faults, kinds, sessionTimeoutMs });

  const runDir = mkdtempSync(join(tmpdir(), 'egress-watch-faults-'));
  const brokerDir = join(runDir, 'broker');
  const logDir = join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const unplannedExits: FaultSuiteResult['unplannedExits'] = [];
  const uncleanStops: FaultSuiteResult['uncleanStops'] = [];
  const instances = new InstanceSet({
    configFile: join(runDir, 'config.yaml'),
    sessionTimeoutMs,
    logDir,
    onUnplannedExit: (instance, exit, lastLines) => {
      unplannedExits.push({ instance, exit, lastLines });
      say(`faults: instance ${instance} exited by itself (code ${exit.code}, signal ${exit.signal}); see ${join(logDir, `${instance}.log`)}`);
    },
  });
  let brokerPid: number | undefined;
  // Last resort: the driver dies (an exception escaping, Ctrl-C): nothing of ours may survive it.
  const onExit = () => {
    instances.killAllNow();
    if (brokerPid !== undefined) {
      try {
        process.kill(brokerPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(brokerDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  let producer: Producer | undefined;
  let passed = false;
  try {
    let bootstrap = o.bootstrap;
    let brokerPort: number | undefined;
    if (ownBroker) {
      say(`faults: starting a broker in ${brokerDir} ...`);
      const broker = await startLocalBroker({ dir: brokerDir, log: (line) => say(`faults: ${line}`) });
      brokerPid = broker.pid;
      bootstrap = broker.bootstrap;
      brokerPort = Number(broker.bootstrap.split(':').pop());
    }
    const config = writeConfig(join(runDir, 'config.yaml'), bootstrap!, `faults-${Date.now().toString(36)}-s${o.seed}`);
    const kafka = createKafka(config.kafka, { clientId: 'egress-watch-faults', log: () => {} });
    const group = config.kafka.group_id;
    const topics = config.kafka.topics;
    const repartition = repartitionTopicName(group);

    const workload = buildWorkload({ seed: o.seed, size: o.size, partitions, malformed: o.malformed ?? 8, config });
    say(
      `faults: seed ${o.seed}: ${workload.records.length} records (${workload.malformed} malformed, ${workload.tail} tail), ` +
        `${workload.truth.length} incidents, ${partitions} partitions; ${schedule.length} faults`,
    );
    await createFlowsTopic(kafka, topics.flows, partitions);
    producer = kafka.producer({ createPartitioner: DefaultPartitioner, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const send = (records: WorkloadRecord[]) => produce(producer!, topics.flows, records);

    // Two members, both ready and sharing the partitions, before any record arrives.
    for (const name of MEMBERS) instances.start(name);
    await recover(instances, kafka, group, recoveryTimeoutMs, say);

    const chunks = splitChunks(workload.records, schedule.length + 1);
    const injected: Partial<Record<FaultKind, number>> = {};
    let cyclesSurvived = 0;
    for (const fault of schedule) {
      const chunk = chunks[fault.cycle - 1];
      say(`faults: cycle ${fault.cycle}/${schedule.length}: ${chunk.length} records, ${describeFault(fault)}`);
      // The fault lands while the chunk streams in and is processed; records keep arriving
      // while an instance is down or paused. Not so for a broker restart: a produce request
      // cut off by the broker stopping could be retried and appended twice.
      const sending = send(chunk);
      sending.catch(() => {}); // awaited below; a failure must not count as unhandled meanwhile
      if (fault.kind === 'broker-restart') await sending;
      await sleep(fault.hitAfterMs);
      await inject(fault, {
        instances,
        during: () => sending,
        restartBroker: async (downMs) => {
          await stopLocalBroker({ dir: brokerDir });
          brokerPid = undefined;
          await sleep(downMs);
          const broker = await startLocalBroker({ dir: brokerDir, port: brokerPort });
          brokerPid = broker.pid;
        },
        sessionTimeoutMs,
        recoveryTimeoutMs,
        uncleanStops,
      });
      injected[fault.kind] = (injected[fault.kind] ?? 0) + 1;
      await recover(instances, kafka, group, recoveryTimeoutMs, say);
      cyclesSurvived++;
    }

    say(`faults: last ${chunks[chunks.length - 1].length} records, then draining the group`);
    await send(chunks[chunks.length - 1]);
    await drain(instances, kafka, group, [topics.flows, repartition], o.drainTimeoutMs ?? 300_000, recoveryTimeoutMs, say);
    for (const p of instances.running()) {
      const exit = await p.terminate('SIGTERM');
      if (exit.code !== 0) uncleanStops.push({ instance: p.name, exit });
    }
    await producer.disconnect();
    producer = undefined;

    say('faults: reading the topics back and replaying the input');
    const [flows, repartitioned, deadLetters, alertRecords, changelog] = await Promise.all(
      [topics.flows, repartition, topics.dead_letter, topics.alerts, topics.changelog].map((t) => readTopic(kafka, t)),
    );
    const alerts: Alert[] = alertRecords.map((r) => {
      const decoded = decodeAlert(r.value ?? Buffer.alloc(0));
      if (!decoded.ok) throw new Error(`${topics.alerts} partition ${r.partition} offset ${r.offset}: ${decoded.reason}`);
      return decoded.alert;
    });
    const perPartition: FlowRecord[][] = Array.from({ length: partitions }, () => []);
    for (const r of workload.records) if (r.flow !== null) perPartition[r.partition].push(r.flow);
    const reference = replayPerPartition(config, perPartition);
    const figures = judge({
      partitions,
      flowsTopic: topics.flows,
      produced: workload.records,
      flows,
      repartition: repartitioned,
      deadLetters,
      alerts,
      changelog,
      reference,
      truth: workload.truth,
    });
    const diagnosis = figures.statePartitionsEqual === partitions ? [] : diagnoseState(config, perPartition, repartitioned, changelog, partitions);
    if (figures.lost + figures.invented > 0 || diagnosis.length > 0) {
      const referenceIds = new Set(reference.alerts.map((a) => a.alert_id));
      const topicIds = new Set(alerts.map((a) => a.alert_id));
      writeFileSync(
        join(runDir, 'mismatch.json'),
        JSON.stringify({ diagnosis, lost: reference.alerts.filter((a) => !topicIds.has(a.alert_id)), invented: alerts.filter((a) => !referenceIds.has(a.alert_id)) }, null, 1),
      );
      diagnosis.push(`lost and invented alerts written to ${join(runDir, 'mismatch.json')}`);
    }
    figures.checks.push({
      name: 'cycles survived',
      ok: cyclesSurvived === schedule.length,
      detail: `${cyclesSurvived} of ${schedule.length}`,
    });
    figures.checks.push({
      name: 'clean stops',
      ok: uncleanStops.length === 0,
      detail: uncleanStops.length === 0 ? 'every SIGTERM ended with exit code 0' : uncleanStops.map((s) => `${s.instance}: ${s.exit.code ?? s.exit.signal}`).join(', '),
    });
    passed = figures.checks.every((c) => c.ok);
    return {
      seed: o.seed,
      schedule,
      injected,
      cyclesSurvived,
      unplannedExits,
      uncleanStops,
      figures,
      wallMs: Date.now() - started,
      passed,
      runDir,
      diagnosis,
    };
  } finally {
    await producer?.disconnect().catch(() => {});
    await instances.killAll();
    if (ownBroker) await stopLocalBroker({ dir: brokerDir }).catch(() => {});
    brokerPid = undefined;
    process.removeListener('exit', onExit);
    rmSync(brokerDir, { recursive: true, force: true });
    if (passed && !o.keepLogs) rmSync(runDir, { recursive: true, force: true });
    else say(`faults: config and instance logs kept in ${runDir}`);
  }
}

interface InjectContext {
  instances: InstanceSet;
  during: () => Promise<void>;
  restartBroker: (downMs: number) => Promise<void>;
  sessionTimeoutMs: number;
  recoveryTimeoutMs: number;
  uncleanStops: FaultSuiteResult['uncleanStops'];
}

async function inject(fault: Fault, c: InjectContext): Promise<void> {
  const target = (): ServiceProcess => {
    const p = c.instances.get(fault.target);
    if (p === undefined || !p.alive) throw new Error(`cycle ${fault.cycle}: instance ${fault.target} is not running`);
    return p;
  };
  switch (fault.kind) {
    case 'sigkill': {
      await target().terminate('SIGKILL');
      await c.during();
      await sleep(fault.downMs);
      c.instances.start(fault.target);
      return;
    }
    case 'sigterm': {
      const p = target();
      const [exit] = await Promise.all([p.terminate('SIGTERM'), c.during()]);
      if (exit.code !== 0) c.uncleanStops.push({ instance: p.name, exit });
      await sleep(fault.downMs);
      c.instances.start(fault.target);
      return;
    }
    case 'pause': {
      const p = target();
      p.signal('SIGSTOP');
      await Promise.all([c.during(), sleep(fault.downMs)]);
      p.signal('SIGCONT');
      return;
    }
    case 'broker-restart': {
      await c.restartBroker(fault.downMs);
      await c.during();
      return;
    }
    case 'rebalance': {
      const joiner = c.instances.start(JOINER);
      await Promise.all([joiner.waitReady(c.recoveryTimeoutMs), c.during()]);
      await sleep(fault.downMs);
      const exit = await joiner.terminate('SIGTERM');
      if (exit.code !== 0) c.uncleanStops.push({ instance: joiner.name, exit });
      return;
    }
  }
}

/**
 * Back to normal: both members running (one that died by itself is started again and counted
 * as an unplanned exit), each ready, and the group stable with exactly the running members.
 */
async function recover(instances: InstanceSet, kafka: Kafka, group: string, timeoutMs: number, say: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const name of MEMBERS) {
      if (!instances.get(name)?.alive) {
        say(`faults: starting ${name} again`);
        instances.start(name);
      }
    }
    const running = instances.running();
    const ready = await Promise.all(running.map((p) => p.waitReady(1_000).then(() => true, () => false)));
    const state = await groupState(kafka, group).catch(() => ({ state: 'Unknown', members: -1 }));
    if (ready.every(Boolean) && state.state === 'Stable' && state.members === running.length) return;
    if (Date.now() > deadline) {
      throw new Error(`the group did not recover within ${timeoutMs} ms: group ${state.state} with ${state.members} members, ready ${running.map((p, i) => `${p.name}=${ready[i]}`).join(' ')}`);
    }
    await sleep(500);
  }
}

async function drain(
  instances: InstanceSet,
  kafka: Kafka,
  group: string,
  topics: string[],
  timeoutMs: number,
  recoveryTimeoutMs: number,
  say: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let nextReport = Date.now() + 10_000;
  for (;;) {
    await recover(instances, kafka, group, recoveryTimeoutMs, say);
    const lag = await groupLag(kafka, group, topics).catch(() => undefined);
    if (lag?.total === 0) return;
    if (Date.now() > deadline) throw new Error(`the group still lags after ${timeoutMs} ms: ${JSON.stringify(lag?.byTopic)}`);
    if (Date.now() > nextReport && lag !== undefined) {
      say(`faults: lag ${JSON.stringify(lag.byTopic)}`);
      nextReport = Date.now() + 10_000;
    }
    await sleep(500);
  }
}

function diagnoseState(config: Config, perPartition: FlowRecord[][], repartition: TopicRecord[], changelog: TopicRecord[], partitions: number): string[] {
  const out: string[] = [];
  for (let p = 0; p < partitions; p++) {
    const d = firstDivergence(config, p, perPartition[p], repartition.filter((r) => r.partition === p), changelog.filter((r) => r.partition === p));
    if (d !== null) out.push(`partition ${p}: changelog offset ${d.changelogOffset} (written ${new Date(d.timestamp).toISOString()}, progress ${d.next}): ${d.what}`);
  }
  return out;
}

/** Contiguous chunks of about equal size, in order. */
export function splitChunks<T>(items: readonly T[], count: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < count; i++) out.push(items.slice(Math.floor((i * items.length) / count), Math.floor(((i + 1) * items.length) / count)));
  return out;
}

async function produce(producer: Producer, topic: string, records: readonly WorkloadRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += PRODUCE_BATCH) {
    await producer.send({
      topic,
      acks: -1,
      messages: records.slice(i, i + PRODUCE_BATCH).map((r) => ({ key: r.key, value: r.value, partition: r.partition })),
    });
  }
}

async function createFlowsTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/**
 * config/example.yaml (the documented config the generator's policy matches) with this run's
 * broker, group, topics and an HTTP port of 0, written where the instances read it.
 */
function writeConfig(file: string, bootstrap: string, runId: string): Config {
  const doc = parseDocument(readFileSync(join(packageRoot(), 'config', 'example.yaml'), 'utf8'));
  doc.setIn(['kafka', 'brokers'], [bootstrap]);
  doc.setIn(['kafka', 'group_id'], runId);
  for (const [key, name] of Object.entries({ flows: 'flows', alerts: 'alerts', dead_letter: 'dlq', changelog: 'state' })) {
    doc.setIn(['kafka', 'topics', key], `${runId}.${name}`);
  }
  doc.setIn(['service', 'http_host'], '127.0.0.1');
  doc.setIn(['service', 'http_port'], 0);
  writeFileSync(file, String(doc));
  return loadConfig(file);
}
