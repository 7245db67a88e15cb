// The Kafka service (`egress-watch run`): one consumer group member that forwards flows to the
// repartition topic keyed by destination, runs one engine per owned engine-input partition,
// publishes alerts and dead letters with acks=all, and commits each engine partition's state
// changes and offset in one transaction. This file wires the parts together; each part has its
// own file:
//   live-config.ts (the one config in force) · service-lifecycle.ts (ready, done, /readyz)
//   topics.ts (layout, creation) · forward.ts (stage one) · engine-task.ts (stage two)
//   task-registry.ts + restore.ts (state per partition) · batch-handler.ts (produce, commit)
//   state-writes.ts + state-producers.ts (transactional state writes, fencing) ·
//   commit-cadence.ts (kafka.commit_interval) · batch-failure.ts · in-flight.ts
//   progress.ts (what the state already holds) · dlq.ts · metrics.ts · http.ts · logger.ts
import { hostname } from 'node:os';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { Config } from '../config/types.js';
import { explainAccessError } from './access-errors.js';
import { suppressionGroupPrefix } from './acls.js';
import { createBatchHandler } from './batch-handler.js';
import { createKafka } from './client.js';
import { flowsTopicInput, repartitionInput } from './decoder.js';
import { Forwarder } from './forward.js';
import { InFlightBatches } from './in-flight.js';
import { LiveConfig } from './live-config.js';
import { startOpsServer, type OpsServer } from './http.js';
import { createServiceLogger, kafkajsSink, type Logger } from './logger.js';
import { ServiceMetrics, type ServiceCounters } from './metrics.js';
import { ServiceLifecycle } from './service-lifecycle.js';
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

/** What every part of one instance shares: who it is, where it logs and counts, its config and life. */
interface Instance {
  id: string;
  log: Logger;
  metrics: ServiceMetrics;
  config: LiveConfig;
  lifecycle: ServiceLifecycle;
  /** When engine partitions write state and commit (kafka.commit_interval, restart-only). */
  cadence: CommitCadence;
  /** The analysts' suppressions (config entries + the suppressions topic), applied before chaining. */
  suppressions: SuppressionBook;
  sessionTimeoutMs: number;
}

/**
 * What an instance has opened: its Kafka clients, in the order they were opened, and the ops
 * server. `close` ends what was opened (a start that failed half-way closes what it had).
 */
class Connections {
  admin?: Admin;
  producer?: Producer;
  stateProducers?: StateProducers;
  follower?: SuppressionFollower;
  registry?: TaskRegistry;
  consumer?: Consumer;

  constructor(
    private readonly instance: Instance,
    private readonly http: OpsServer,
  ) {}

  /** Never rejects: each step's failure is logged and the next step still runs (a stop must end). */
  async close(): Promise<void> {
    const { cadence, lifecycle, log } = this.instance;
    const step = async (what: string, run: () => unknown): Promise<void> => {
      try {
        await run();
      } catch (err) {
        log.warn({ err }, `${what} failed`);
      }
    };
    // State deferred by kafka.commit_interval is written by the batches still coming in.
    await step('writing deferred state', () => writeDeferredBeforeStop(cadence, () => lifecycle.consumerIsRunning, log));
    await step('ending state restores', () => this.registry?.close());
    await step('suppression follower stop', () => this.follower?.stop());
    await step('consumer disconnect', () => this.consumer?.disconnect());
    await step('producer disconnect', () => this.producer?.disconnect());
    await step('closing state producers', () => this.stateProducers?.closeAll());
    await step('admin disconnect', () => this.admin?.disconnect());
    await step('closing the ops server', () => this.http.close());
  }
}

export async function startService(config: Config, options: ServiceOptions = {}): Promise<RunningService> {
  const id = options.instanceId ?? defaultInstanceId();
  const metrics = new ServiceMetrics({ instance: id });
  const instance: Instance = {
    id,
    log: options.log ?? createServiceLogger(id),
    metrics,
    config: new LiveConfig(config),
    lifecycle: new ServiceLifecycle(metrics),
    cadence: new CommitCadence(config.kafka.commit_interval),
    suppressions: new SuppressionBook(config.suppressions.entries),
    sessionTimeoutMs: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
  };
  instance.config.onUpdate((next) => instance.suppressions.setConfigured(next.suppressions.entries));
  const { lifecycle, log } = instance;

  const http = await startOpsServer(options.httpHost ?? config.service.http_host, options.httpPort ?? config.service.http_port, {
    metrics: () => metrics.text(),
    metricsContentType: metrics.contentType,
    readiness: () => ({ ready: lifecycle.isReady(), detail: lifecycle.detail() }),
  }, (err) => log.warn({ err }, 'ops server (metrics, health) socket error; it keeps serving'));
  log.info({ url: http.url, port: http.port }, `metrics on ${http.url}/metrics, health on /healthz and /readyz`);

  const connections = new Connections(instance, http);
  try {
    const kafka = createKafka(config.kafka, { clientId: `${config.kafka.client_id}-${id}`, log: kafkajsSink(log), env: options.env });
    const layout = await connect(instance, kafka, connections);
    return new Service(instance, connections, layout, http);
  } catch (err) {
    await connections.close();
    throw explainAccessError(err, config) ?? err;
  }
}

/** Opens the clients one after another (each recorded in `c` as it opens), ends with the consumer running. */
async function connect(instance: Instance, kafka: Kafka, c: Connections): Promise<TopicLayout> {
  const { log, metrics, lifecycle, cadence } = instance;
  const config = instance.config.current;
  const admin = (c.admin = kafka.admin());
  await admin.connect();
  const layout = await ensureTopics(admin, config, (message, extra) => log.warn(extra ?? {}, message));
  log.info(
    { instance: instance.id, brokers: config.kafka.brokers, group: config.kafka.group_id, topics: layout, config_version: config.config_version },
    'starting',
  );

  const producer = (c.producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 1, createPartitioner: DefaultPartitioner }));
  await producer.connect();

  c.follower = await startSuppressionFollower({
    kafka,
    topic: layout.suppressions,
    groupPrefix: suppressionGroupPrefix(config.kafka.group_id),
    book: instance.suppressions,
    rules: () => suppressionRules(instance.config.current),
    log,
  });

  const flowsInput = flowsTopicInput(config, (schemaId, why) => log.warn({ schemaId }, `schema id ${schemaId}: ${why}`));
  const inFlight = new InFlightBatches();
  const stateProducers = (c.stateProducers = new StateProducers(config.kafka.group_id, (transactionalId) =>
    kafka.producer({ transactionalId, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: DefaultPartitioner }),
  ));
  const registry = (c.registry = new TaskRegistry({
    producers: stateProducers,
    kafka,
    admin,
    config: instance.config,
    layout,
    input: layout.repartition === null ? flowsInput : repartitionInput,
    log,
    onChange: () => lifecycle.refresh(),
    onRestored: (_partition, seconds) => metrics.restoreSeconds.observe(seconds),
    suppressions: instance.suppressions,
  }));
  lifecycle.watch(registry);

  const forwarder = layout.repartition === null ? null : new Forwarder(config.baseline.key, flowsInput, layout.enginePartitions);
  const consumer = (c.consumer = createConsumer(instance, kafka, inFlight));
  followGroup(instance, consumer, layout, registry, c, forwarder);
  await consumer.connect();
  const subscribed = layout.repartition === null ? [layout.flows] : [layout.flows, layout.repartition];
  // Earliest for a new group, as Kafka Streams does: no flow already on the topic is skipped.
  await consumer.subscribe({ topics: subscribed, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: createBatchHandler({
      config: instance.config,
      groupId: config.kafka.group_id,
      layout,
      producer,
      registry,
      forwarder,
      flowsInput,
      metrics,
      log,
      inFlight,
      cadence,
      seek: (to) => consumer.seek(to),
    }),
  });
  return layout;
}

/** The consumer's group events: assignments restore engines, rebalances and crashes end readiness, a final crash closes all. */
function followGroup(instance: Instance, consumer: Consumer, layout: TopicLayout, registry: TaskRegistry, c: Connections, forwarder: Forwarder | null): void {
  const { log, metrics, lifecycle, cadence } = instance;
  const ev = consumer.events;
  consumer.on(ev.GROUP_JOIN, ({ payload }) => {
    const assignment = payload.memberAssignment;
    lifecycle.setConsumerRunning(true);
    const engine = assignment[layout.engineInput] ?? [];
    metrics.setAssignment(assignment, engine);
    log.info({ assignment, memberId: payload.memberId }, 'joined the group');
    registry.assign(engine);
    // Flows partitions gone to others: their dialect state is stale if they come back.
    forwarder?.keepOnly(assignment[layout.flows] ?? []);
    cadence.resetLags();
    for (const p of cadence.pending) if (!engine.includes(p)) cadence.forget(p);
  });
  consumer.on(ev.REBALANCING, () => {
    lifecycle.setConsumerRunning(false);
    lifecycle.refresh();
  });
  // kafkajs catches a listener's rejection but not its synchronous throw, which would become an
  // unhandled rejection inside kafkajs (the process ends): this one calls only what cannot throw.
  consumer.on(ev.CRASH, ({ payload }) => {
    lifecycle.setConsumerRunning(false);
    lifecycle.refresh();
    if (payload.restart) return;
    // A refusal (missing ACL) gets a message naming what to grant.
    const error = explainAccessError(payload.error, instance.config.current) ?? payload.error;
    log.fatal({ err: error }, 'consumer failed and cannot restart');
    lifecycle.failed(error);
    void c.close().finally(() => lifecycle.closedAfter(error)); // close() never rejects
  });
}

/** The group member: retries and restarts tuned to the session timeout; a restart waits for the crashed run's batches. */
function createConsumer(instance: Instance, kafka: Kafka, inFlight: InFlightBatches): Consumer {
  const { log, sessionTimeoutMs: sessionTimeout } = instance;
  return kafka.consumer({
    groupId: instance.config.current.kafka.group_id,
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
}

/** A started instance, as its callers see it. */
class Service implements RunningService {
  readonly instanceId: string;
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  readonly metricsUrl: string;
  readonly httpUrl: string;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly instance: Instance,
    private readonly connections: Connections,
    readonly layout: TopicLayout,
    http: OpsServer,
  ) {
    this.instanceId = instance.id;
    this.ready = instance.lifecycle.ready;
    this.done = instance.lifecycle.done;
    this.metricsUrl = `${http.url}/metrics`;
    this.httpUrl = http.url;
  }

  get config(): Config {
    return this.instance.config.current;
  }

  isReady(): boolean {
    return this.instance.lifecycle.isReady();
  }

  counters(): ServiceCounters {
    return structuredClone(this.instance.metrics.counters);
  }

  enginePartitions(): number[] {
    return this.connections.registry?.assignedPartitions ?? [];
  }

  reconfigure(next: Config): void {
    this.instance.config.update(next);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const { lifecycle, log } = this.instance;
      lifecycle.beginStop();
      log.info('stopping: finishing the current batch, committing, leaving the group');
      await this.connections.close(); // never rejects: `done` always resolves after a stop
      log.info('stopped');
      lifecycle.stopped();
    })();
    return this.stopping;
  }
}
