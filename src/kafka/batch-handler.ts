// kafkajs eachBatch: route a batch to the forwarder (flows topic, repartition on) or to the
// engine of its partition, produce what it yields with acks=all, and only then commit the
// batch's offset: the forwarder through the consumer, an engine partition in the transaction
// that writes its state (state-writes.ts; while catching up at most every
// kafka.commit_interval, see commit-cadence.ts). A crash anywhere before the commit means the
// batch is read again; the progress marker (progress.ts) makes the engine skip what its
// restored state already holds, so a re-read can repeat alerts (same alert_id) but never count
// a record twice.
import type { EachBatchPayload, Message, Producer, TopicMessages } from 'kafkajs';
import type { Config } from '../config/types.js';
import type { Alert } from '../engine/types.js';
import { encodeAlert } from '../io/wire.js';
import type { FutureBound } from '../engine/future-bound.js';
import type { MessageInput } from './decoder.js';
import type { InFlightBatches } from './in-flight.js';
import type { LiveConfig } from './live-config.js';
import { failureKind, restartable } from './batch-failure.js';
import { deadLetterMessage, reasonClass, type DeadLetter } from './dlq.js';
import type { CommitCadence } from './commit-cadence.js';
import { newBatchOutput } from './engine-task.js';
import { assertStillMember, discard, writeDeferred, writeState, type StateWriteDeps } from './state-writes.js';
import type { Forwarder } from './forward.js';
import type { Logger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';
import type { TaskRegistry } from './task-registry.js';
import type { TopicLayout } from './topics.js';

/** Heartbeat at most this often inside a long batch or while waiting for a restore. */
const HEARTBEAT_EVERY_MS = 1_000;
/**
 * A deferred write is made anyway once this many destinations wait in it: the changelog write
 * stays about the size one large batch could already make (CHANGELOG_MAX_MESSAGE_BYTES).
 */
const MAX_DEFERRED_DESTINATIONS = 10_000;

export interface BatchHandlerDeps {
  /** The service's config in force, read per batch (alerts.format, windows.max_future). */
  config: LiveConfig;
  /** config.kafka.group_id: the state transactions commit its offsets. */
  groupId: string;
  layout: TopicLayout;
  producer: Producer;
  registry: TaskRegistry;
  /** Null when kafka.repartition is off. */
  forwarder: Forwarder | null;
  /** The flows topic's messages (input.format, kafka.format, schema registry). */
  flowsInput: MessageInput;
  metrics: ServiceMetrics;
  log: Logger;
  /** Batches still running, for a consumer restart to wait on (in-flight.ts); optional. */
  inFlight?: InFlightBatches;
  /** When engine partitions write state and commit (kafka.commit_interval). */
  cadence: CommitCadence;
  /** kafkajs consumer.seek, to send a partition back to its last commit after a failure. */
  seek: StateWriteDeps['seek'];
}

export function createBatchHandler(deps: BatchHandlerDeps): (payload: EachBatchPayload) => Promise<void> {
  const route = async (payload: EachBatchPayload): Promise<void> => {
    const { topic } = payload.batch;
    deps.cadence.noteLag(topic, payload.batch.partition, lagAfter(payload));
    if (topic === deps.layout.engineInput) return engineBatch(deps, payload);
    if (deps.forwarder !== null && topic === deps.layout.flows) return forwardBatch(deps, deps.forwarder, payload);
    throw new Error(`batch from unexpected topic ${topic}`);
  };
  return (payload) => (deps.inFlight === undefined ? route(payload) : deps.inFlight.track(route(payload)));
}

async function forwardBatch(deps: BatchHandlerDeps, forwarder: Forwarder, payload: EachBatchPayload): Promise<void> {
  const { batch } = payload;
  const { layout, metrics } = deps;
  const stopTimer = metrics.batchSeconds.startTimer({ stage: 'forward' });
  let out: ReturnType<Forwarder['forward']>;
  try {
    await deps.flowsInput.prepare(batch.messages.map((m) => m.value));
    out = forwarder.forward(batch.topic, batch.partition, batch.messages, futureBound(deps));
    await send(deps.producer, [
      { topic: layout.repartition!, messages: out.forwarded },
      { topic: layout.deadLetter, messages: out.deadLetters.map(deadLetterMessage) },
    ]);
    await commitBatch(payload);
  } catch (err) {
    // The batch is read again from the last commit: by a reader that starts afresh.
    forwarder.forget(batch.partition);
    throw err;
  }
  metrics.addRecordsIn(batch.topic, batch.messages.length);
  metrics.addRepartitioned(out.flows);
  metrics.addNotEgress(out.notEgress);
  countDeadLetters(deps, out.deadLetters);
  metrics.setLag(batch.topic, batch.partition, lagAfter(payload));
  stopTimer();
  await writeDeferred(deps, payload);
}

async function engineBatch(deps: BatchHandlerDeps, payload: EachBatchPayload): Promise<void> {
  const { batch } = payload;
  const { layout, metrics, registry } = deps;
  // A restore claims the partition's state producer, which fences whoever holds it: make sure
  // first that this instance still belongs to the group (it may have stalled and been replaced).
  if (registry.current(batch.partition) === undefined) await assertStillMember(payload);
  const task = await waitWithHeartbeats(registry.get(batch.partition), payload);
  const stopTimer = metrics.batchSeconds.startTimer({ stage: 'engine' });
  if (layout.repartition === null) await deps.flowsInput.prepare(batch.messages.map((m) => m.value));

  const out = newBatchOutput();
  const counted = task.engine.counters;
  const before = { late: counted.late, outOfOrder: counted.outOfOrder, duplicates: counted.duplicates };
  // Records come from the gateways directly only without repartitioning; else the forwarder checked them.
  const bound = layout.repartition === null ? futureBound(deps) : undefined;
  const { format } = deps.config.current.alerts;
  const heartbeat = throttledHeartbeat(payload, deps.log);
  const { cadence } = deps;
  const p = batch.partition;
  // Under the partition's lock: a write of its deferred state by another batch must not interleave.
  const outcome = await cadence.exclusive(p, async (): Promise<'stale' | 'written' | 'deferred'> => {
    let committed = false;
    // A write of this partition failed while this batch waited: its engine was dropped and
    // kafkajs sent back to the last commit, so this batch is stale. Left unresolved: re-fetched.
    if (payload.isStale() || registry.current(p) !== task) return 'stale';
    let writeNow = true;
    try {
      // From here the engine changes: any failure before the changelog is written leaves it
      // ahead of the changelog, so it is dropped and restored before the batch is retried.
      for (let i = 0; i < batch.messages.length; i++) {
        task.accept(batch.messages[i], out, bound);
        if ((i & 255) === 255) await heartbeat();
      }
      task.finishBatch(Number(batch.lastOffset()));
      writeNow = cadence.due(p) || task.engine.pendingChanges >= MAX_DEFERRED_DESTINATIONS;
      await assertStillMember(payload);
      // Alerts and dead letters first, then the state: a crash in between re-reads the batch
      // against the old state and repeats the same alerts, rather than losing them.
      await send(deps.producer, [
        { topic: layout.alerts, messages: out.alerts.map((a) => alertMessage(a, format)) },
        { topic: layout.suppressed, messages: out.suppressed.map((a) => suppressedMessage(a, format)) },
        { topic: layout.deadLetter, messages: out.deadLetters.map(deadLetterMessage) },
      ]);
      if (writeNow) committed = await writeState(deps, task, () => assertStillMember(payload));
    } catch (err) {
      discard(deps, p, task);
      deps.metrics.addFailedBatch(failureKind(err));
      throw restartable(err, p);
    }
    if (!writeNow) {
      // Fetch on from here; the offset is committed with the state, by a later write.
      payload.resolveOffset(batch.lastOffset());
      cadence.defer(p, Number(batch.firstOffset()));
      return 'deferred';
    }
    cadence.written(p, task.nextOffset);
    // The state transaction committed the offset; kafkajs only needs to fetch on from here.
    if (committed) payload.resolveOffset(batch.lastOffset());
    else await commitBatch(payload, task.nextOffset);
    return 'written';
  });
  if (outcome === 'stale') return;
  if (outcome === 'deferred') deps.log.debug({ partition: p, lag: lagAfter(payload) }, 'state and offset deferred (kafka.commit_interval)');

  if (layout.repartition === null) metrics.addRecordsIn(batch.topic, out.read);
  metrics.addProcessed(out.processed);
  metrics.addNotEgress(task.takeNotEgress());
  metrics.addSkipped(out.skipped);
  metrics.addLate(task.engine.counters.late - before.late);
  metrics.addOutOfOrder(task.engine.counters.outOfOrder - before.outOfOrder);
  metrics.addDuplicates(task.engine.counters.duplicates - before.duplicates);
  for (const alert of out.alerts) metrics.addAlert(alert.type);
  for (const alert of out.suppressed) metrics.addSuppressed(alert.type);
  countDeadLetters(deps, out.deadLetters);
  metrics.setLag(batch.topic, batch.partition, lagAfter(payload));
  metrics.setEngineState(batch.partition, task.engine.destinationCount, task.engine.currentWatermark);
  stopTimer();
  if (out.alerts.length > 0) deps.log.debug({ partition: batch.partition, alerts: out.alerts.length }, 'alerts published');
  await writeDeferred(deps, payload);
}

function alertMessage(alert: Alert, format: Config['alerts']['format']): Message {
  return { key: alert.destination, value: encodeAlert(alert, format), headers: { 'x-alert-type': alert.type } };
}

/** A suppressed alert carries its suppression in the value (suppressed_by) and its id in a header. */
function suppressedMessage(alert: Alert, format: Config['alerts']['format']): Message {
  const m = alertMessage(alert, format);
  return { ...m, headers: { ...m.headers, 'x-suppressed-by': alert.suppressed_by?.id ?? '' } };
}

/**
 * Record batches stay under the broker's default message.max.bytes (1 MB): a whole
 * fetched batch re-encoded with headers can exceed it, and that error is not retriable.
 */
const MAX_REQUEST_BYTES = 512 * 1024;

function sizeOf(m: Message): number {
  let n = 64 + (m.key ? Buffer.byteLength(m.key as string | Buffer) : 0) + (m.value ? Buffer.byteLength(m.value as string | Buffer) : 0);
  for (const [k, v] of Object.entries(m.headers ?? {})) n += k.length + (v ? Buffer.byteLength(v as string | Buffer) : 0);
  return n;
}

/** Sends in order, in requests of at most MAX_REQUEST_BYTES each, all acknowledged by all replicas. */
async function send(producer: Producer, topicMessages: TopicMessages[]): Promise<void> {
  let request: TopicMessages[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    const nonEmpty = request.filter((t) => t.messages.length > 0);
    if (nonEmpty.length > 0) await producer.sendBatch({ topicMessages: nonEmpty, acks: -1 });
    request = [];
    bytes = 0;
  };
  for (const { topic, messages } of topicMessages) {
    let current: TopicMessages = { topic, messages: [] };
    request.push(current);
    for (const m of messages) {
      const size = sizeOf(m);
      if (bytes + size > MAX_REQUEST_BYTES && bytes > 0) {
        await flush();
        current = { topic, messages: [] };
        request.push(current);
      }
      current.messages.push(m);
      bytes += size;
    }
  }
  await flush();
}

/**
 * Commits offset last+1 of the batch (or `atLeast`, if higher). Through the payload rather than consumer.commitOffsets,
 * which kafkajs skips once a shutdown has begun: the batch finishing during a SIGTERM must
 * still be committed.
 */
async function commitBatch(payload: EachBatchPayload, atLeast = 0): Promise<void> {
  const { batch } = payload;
  const last = batch.lastOffset();
  payload.resolveOffset(last);
  // An engine partition's state may already reflect more than this batch (a new owner can start
  // below the old owner's last transactional commit): never commit below what it holds.
  const next = String(Math.max(Number(last) + 1, atLeast));
  await payload.commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
}

/** The wall clock, read once per batch, against windows.max_future: the engine itself never reads a clock. */
function futureBound(deps: BatchHandlerDeps): FutureBound {
  return { processingMs: Date.now(), maxFutureMs: deps.config.current.windows.max_future };
}

function countDeadLetters(deps: BatchHandlerDeps, deadLetters: DeadLetter[]): void {
  for (const d of deadLetters) {
    deps.metrics.addDeadLetter(reasonClass(d.reason));
    deps.log.warn(
      { topic: d.topic, partition: d.partition, offset: d.message.offset, reason: d.reason },
      'record sent to the dead-letter topic',
    );
  }
}

function lagAfter(payload: EachBatchPayload): number {
  return Number(payload.batch.highWatermark) - (Number(payload.batch.lastOffset()) + 1);
}

/** Heartbeats inside a long batch; a rebalance noticed here is left for kafkajs to handle after the batch. */
function throttledHeartbeat(payload: EachBatchPayload, log: Logger): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last < HEARTBEAT_EVERY_MS) return;
    last = Date.now();
    try {
      await payload.heartbeat();
    } catch (err) {
      log.debug({ err }, 'heartbeat during a batch failed; finishing the batch first');
    }
  };
}

/** Awaits a restore while keeping the group membership alive. */
async function waitWithHeartbeats<T>(promise: Promise<T>, payload: EachBatchPayload): Promise<T> {
  let done = false;
  const settled = promise.finally(() => {
    done = true;
  });
  settled.catch(() => {}); // the rejection is delivered by `return settled` below, or dropped after a heartbeat failure
  for (;;) {
    const tick = new Promise<'tick'>((resolve) => setTimeout(() => resolve('tick'), HEARTBEAT_EVERY_MS).unref());
    const winner = await Promise.race([settled, tick]);
    if (done) return settled;
    if (winner === 'tick') await payload.heartbeat(); // a rebalance ends the wait: nothing has changed yet
  }
}
