// The Kafka service (`egress-watch run`): one consumer group member that forwards flows to the
// repartition topic keyed by destination, runs one engine per owned engine-input partition,
// publishes alerts and dead letters with acks=all, and commits each engine partition's state
// changes and offset in one transaction. This file wires the parts together; each part has its
// own file:
//   topics.ts (layout, creation) · forward.ts (stage one) · engine-task.ts (stage two)
//   task-registry.ts + restore.ts (state per partition) · batch-handler.ts (produce, commit)
//   state-writes.ts + state-producers.ts (transactional state writes, fencing) ·
//   commit-cadence.ts (kafka.commit_interval) · batch-failure.ts · in-flight.ts
//   progress.ts (what the state already holds) · dlq.ts · metrics.ts · http.ts · logger.ts
import { hostname } from 'node:os';
import type { Admin, Consumer, Producer } from 'kafkajs';
import type { Config } from '../config/types.js';
import { explainAccessError } from './access-errors.js';
import { suppressionGroupPrefix } from './acls.js';
import { createBatchHandler } from './batch-handler.js';
import { createKafka } from './client.js';
import { gatewayDecoder, repartitionDecoder } from './decoder.js';
import { Forwarder } from './forward.js';
import { InFlightBatches } from './in-flight.js';
import { startOpsServer, type OpsServer } from './http.js';
import { createServiceLogger, kafkajsSink, type Logger } from './logger.js';
import { ServiceMetrics, type ServiceCounters } from './metrics.js';
import { suppressionRules } from '../config/suppression-checks.js';
import { SuppressionBook } from '../suppress/book.js';
import { startSuppressionFollower, type SuppressionFollower } from './suppression-follower.js';
import { StateProducers } from './state-producers.js';
import { TaskRegistry } from './task-registry.js';
import { ensureTopics, type TopicLayout } from './topics.js';
import { CommitCadence } from './commit-cadence.js';
import { DefaultPartitioner } from './murmur2.js';

export interface ServiceOptions {
  /** Names this instance in logs, metrics and its kafkajs client id; default host-pid. */
  instanceId?: string;
  /** pino logger; default JSON lines on stderr. */
  log?: Logger;
  /** Overrides service.http_port (0: any free port). */
  httpPort?: number;
  /** Overrides service.http_host. */
  httpHost?: string;
  /** How long the group waits for a silent member before giving its partitions to others; default 30 s. */
  sessionTimeoutMs?: number;
  /** Where the SASL password variable is looked up; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface RunningService {
  readonly instanceId: string;
  readonly layout: TopicLayout;
  /** Resolves the first time the service is ready (assigned partitions restored, consumer running). */
  readonly ready: Promise<void>;
  /** Resolves after stop(); rejects when the consumer failed for good (e.g. authorisation). */
  readonly done: Promise<void>;
  /** http://host:port/metrics */
  readonly metricsUrl: string;
  /** http://host:port */
  readonly httpUrl: string;
  isReady(): boolean;
  /** A snapshot of what this instance has done since it started. */
  counters(): ServiceCounters;
  /** Engine-input partitions assigned to this instance. */
  enginePartitions(): number[];
  /** The config in force: the start one, or the latest reload. */
  readonly config: Config;
  /**
   * Applies a reloaded config to every engine, keeping their state (SIGHUP, see reload.ts, which
   * first refuses changes to settings only a restart can apply: live-reload.ts).
   */
  reconfigure(config: Config): void;
  /** Stop fetching, finish and commit the current batch, leave the group, close everything. */
  stop(): Promise<void>;
}

const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
/** Longest a consumer restart waits for the batches of the crashed run (the producer's retries end sooner). */
const RESTART_WAIT_MS = 180_000;

/** Longest a stopping service waits for batches to write the state kafka.commit_interval deferred. */
const DEFERRED_WRITE_WAIT_MS = 10_000;

/**
 * Deferred state exists only while the instance is behind, so batches are still coming; from
 * cadence.stop() on, the next one writes it all (state-writes.ts). Waits for that, within
 * reason: what is left unwritten the next owner re-reads from the last commit.
 */
async function writeDeferredBeforeStop(cadence: CommitCadence, running: () => boolean, log: Logger): Promise<void> {
  cadence.stop();
  const deadline = Date.now() + DEFERRED_WRITE_WAIT_MS;
  while (cadence.pending.length > 0 && running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  if (cadence.pending.length > 0) log.warn({ partitions: cadence.pending }, 'stopping with deferred state unwritten; the next owner re-reads it from the last commit');
}

/** host-pid: unique among the instances of one group, readable in logs. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`;
}

export async function startService(config: Config, options: ServiceOptions = {}): Promise<RunningService> {
  const instanceId = options.instanceId ?? defaultInstanceId();
  const log = options.log ?? createServiceLogger(instanceId);
  const metrics = new ServiceMetrics({ instance: instanceId });
  const sessionTimeout = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;

  let consumerRunning = false;
  let stopping = false;
  let layout: TopicLayout | undefined;
  let registry: TaskRegistry | undefined;
  let current = config;
  let assignment: Record<string, number[]> = {};
  const cadence = new CommitCadence(config.kafka.commit_interval);
  let markReady!: () => void;
  let failReady!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => {}); // a caller may only watch `done`
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  done.catch(() => {});

  const isReady = () => consumerRunning && !stopping && registry !== undefined && registry.isRestored();
  const refreshReady = () => {
    const now = isReady();
    metrics.setReady(now);
    if (now) markReady();
    for (const task of registry?.restoredTasks ?? []) {
      metrics.setEngineState(task.partition, task.engine.destinationCount, task.engine.currentWatermark);
    }
  };

  const http: OpsServer = await startOpsServer(options.httpHost ?? config.service.http_host, options.httpPort ?? config.service.http_port, {
    metrics: () => metrics.text(),
    metricsContentType: metrics.contentType,
    readiness: () => ({
      ready: isReady(),
      detail: {
        consumer: stopping ? 'stopping' : consumerRunning ? 'running' : 'joining',
        assigned: registry?.assignedPartitions ?? [],
        restored: registry?.restoredTasks.map((t) => t.partition).sort((a, b) => a - b) ?? [],
      },
    }),
  });
  log.info({ url: http.url, port: http.port }, `metrics on ${http.url}/metrics, health on /healthz and /readyz`);

  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let stateProducers: StateProducers | undefined;
  let consumer: Consumer | undefined;
  // The analysts' suppressions (config entries + the suppressions topic), applied before chaining.
  const suppressions = new SuppressionBook(config.suppressions.entries);
  let follower: SuppressionFollower | undefined;
  const closeAll = async () => {
    // State deferred by kafka.commit_interval is written by the batches still coming in.
    await writeDeferredBeforeStop(cadence, () => consumerRunning, log);
    registry?.close();
    await follower?.stop();
    await consumer?.disconnect().catch((err) => log.warn({ err }, 'consumer disconnect failed'));
    await producer?.disconnect().catch((err) => log.warn({ err }, 'producer disconnect failed'));
    await stateProducers?.closeAll();
    await admin?.disconnect().catch(() => {});
    await http.close();
  };

  try {
    const kafka = createKafka(config.kafka, { clientId: `${config.kafka.client_id}-${instanceId}`, log: kafkajsSink(log), env: options.env });
    admin = kafka.admin();
    await admin.connect();
    layout = await ensureTopics(admin, config, (message, extra) => log.warn(extra ?? {}, message));
    const topics = layout;
    log.info(
      { instance: instanceId, brokers: config.kafka.brokers, group: config.kafka.group_id, topics, config_version: config.config_version },
      'starting',
    );

    producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, createPartitioner: DefaultPartitioner });
    await producer.connect();

    follower = await startSuppressionFollower({
      kafka,
      topic: topics.suppressions,
      groupPrefix: suppressionGroupPrefix(config.kafka.group_id),
      book: suppressions,
      rules: () => suppressionRules(current),
      log,
    });

    const flowsDecoder = gatewayDecoder(config.kafka, (id, why) => log.warn({ schemaId: id }, `schema id ${id}: ${why}`));
    const inFlight = new InFlightBatches();
    stateProducers = new StateProducers(config.kafka.group_id, (transactionalId) =>
      kafka.producer({ transactionalId, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: DefaultPartitioner }),
    );
    const reg = new TaskRegistry({
      producers: stateProducers,
      kafka,
      admin,
      config,
      layout: topics,
      decoder: topics.repartition === null ? flowsDecoder : repartitionDecoder,
      log,
      onChange: refreshReady,
      onRestored: (_partition, seconds) => metrics.restoreSeconds.observe(seconds),
      suppressions,
    });
    registry = reg;

    consumer = kafka.consumer({
      groupId: config.kafka.group_id,
      sessionTimeout,
      rebalanceTimeout: Math.max(2 * sessionTimeout, 10_000),
      heartbeatInterval: Math.min(3_000, Math.max(300, Math.floor(sessionTimeout / 10))),
      // An idle fetch waits this long on the broker; a shutdown waits for it too.
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
      retry: {
        initialRetryTime: 300,
        maxRetryTime: 10_000,
        retries: 8,
        // Retriable failures (broker away, rebalance storms, a batch failing repeatedly) restart
        // the consumer; the state is safe in the changelog, so restarting loses nothing.
        restartOnFailure: async (err) => {
          log.error({ err }, 'consumer failed; restarting it');
          // kafkajs does not wait for batches still sending; let them land or fail before the
          // new consumer joins (in-flight.ts): their alerts would overlap the new run's, and
          // their state transactions, fenced by the new claim, would only fail late.
          if (!(await inFlight.settled(RESTART_WAIT_MS))) log.warn({ batches: inFlight.size }, 'batches still running after the wait; restarting anyway');
          return true;
        },
      },
    });
    const ev = consumer.events;
    consumer.on(ev.GROUP_JOIN, ({ payload }) => {
      assignment = payload.memberAssignment;
      consumerRunning = true;
      const engine = assignment[topics.engineInput] ?? [];
      metrics.setAssignment(assignment, engine);
      log.info({ assignment, memberId: payload.memberId }, 'joined the group');
      reg.assign(engine);
      cadence.resetLags();
      for (const p of cadence.pending) if (!engine.includes(p)) cadence.forget(p);
    });
    consumer.on(ev.REBALANCING, () => {
      consumerRunning = false;
      refreshReady();
    });
    consumer.on(ev.CRASH, ({ payload }) => {
      consumerRunning = false;
      refreshReady();
      if (payload.restart) return;
      // A refusal (missing ACL) gets a message naming what to grant.
      const error = explainAccessError(payload.error, config) ?? payload.error;
      log.fatal({ err: error }, 'consumer failed and cannot restart');
      failReady(error);
      void closeAll().finally(() => fail(error));
    });

    await consumer.connect();
    const subscribed = topics.repartition === null ? [topics.flows] : [topics.flows, topics.repartition];
    // Earliest for a new group, as Kafka Streams does: no flow already on the topic is skipped.
    await consumer.subscribe({ topics: subscribed, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: createBatchHandler({
        config,
        groupId: config.kafka.group_id,
        layout: topics,
        producer,
        registry: reg,
        forwarder: topics.repartition === null ? null : new Forwarder(config.baseline.key, flowsDecoder, topics.enginePartitions, config.kafka.format),
        gatewayDecoder: flowsDecoder,
        metrics,
        log,
        inFlight,
        cadence,
        seek: (to) => consumer!.seek(to),
      }),
    });
  } catch (err) {
    await closeAll();
    throw explainAccessError(err, config) ?? err;
  }

  let stopped: Promise<void> | undefined;
  const finalLayout = layout;
  return {
    instanceId,
    layout: finalLayout,
    ready,
    done,
    metricsUrl: `${http.url}/metrics`,
    httpUrl: http.url,
    isReady,
    counters: () => structuredClone(metrics.counters),
    enginePartitions: () => registry?.assignedPartitions ?? [],
    get config() {
      return current;
    },
    reconfigure(next) {
      registry?.reconfigure(next);
      suppressions.setConfigured(next.suppressions.entries);
      current = next;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        refreshReady();
        log.info('stopping: finishing the current batch, committing, leaving the group');
        await closeAll();
        log.info('stopped');
        failReady(new Error('stopped before ready'));
        finish();
      })();
      return stopped;
    },
  };
}
