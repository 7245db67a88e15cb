// Writing an engine partition's state to its changelog partition, and the writes that
// kafka.commit_interval defers (commit-cadence.ts).
//
// Each write is one transaction of the partition's own transactional producer
// (state-producers.ts): the state changes, the progress marker at their end, and the consumer
// group offset of the engine input, committed together or not at all. An owner that lost the
// partition while stalled is fenced by the new owner and its write fails, whenever the stall
// fell.
//
// Writes happen inside a kafkajs eachBatch call: kafkajs does not rejoin the group while a
// batch is running. A deferred partition that gets no batch of its own (its backlog held nothing
// more for it) is written by whichever batch runs next once the instance has caught up or its
// interval has passed ("piggyback"), and a stopping service keeps fetching until some batch has
// written them all (service.ts).
//
// When a write fails, or a batch fails after state was deferred, the engine is dropped (it is
// restored from the changelog before its next batch) and kafkajs is sent back to the last
// committed offset: it would otherwise fetch on from the offsets resolved since, and the
// records in between would never reach the restored engine.
import kafkajs, { type EachBatchPayload } from 'kafkajs';
import type { CommitCadence } from './commit-cadence.js';
import type { EngineTask } from './engine-task.js';
import type { Logger } from './logger.js';
import type { TaskRegistry } from './task-registry.js';
import type { TopicLayout } from './topics.js';

const { CompressionTypes } = kafkajs;

export interface StateWriteDeps {
  /** The consumer group, whose offsets the state transactions commit. */
  groupId: string;
  layout: TopicLayout;
  registry: TaskRegistry;
  cadence: CommitCadence;
  /** kafkajs consumer.seek: where the next fetch of a partition starts. */
  seek: (to: { topic: string; partition: number; offset: string }) => void;
  log: Logger;
}

/**
 * The state changes of one engine partition to its changelog partition and the group offset of
 * its input (task.nextOffset), in one transaction. `fence` runs just before: it throws when the
 * group has already moved on (a cheap early check; the transaction is the fence that holds).
 * False when there was nothing to write: the caller commits the offset itself.
 */
export async function writeState(deps: Pick<StateWriteDeps, 'registry' | 'layout' | 'groupId'>, task: EngineTask, fence: () => Promise<void>): Promise<boolean> {
  const changes = task.commit();
  if (changes.length === 0) return false;
  await fence();
  const { layout } = deps;
  const producer = deps.registry.stateProducer(task.partition); // throws when not claimed: the caller restores
  const txn = await producer.transaction();
  let written: Awaited<ReturnType<typeof txn.send>>;
  try {
    written = await txn.send({
      topic: layout.changelog,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: changes.map((c) => ({ key: c.key, value: c.value, partition: task.partition })),
    });
    await txn.sendOffsets({
      consumerGroupId: deps.groupId,
      topics: [{ topic: layout.engineInput, partitions: [{ partition: task.partition, offset: String(task.nextOffset) }] }],
    });
    await txn.commit();
  } catch (err) {
    await txn.abort().catch(() => {}); // fenced or broken: the new owner's init, or the timeout, aborts it anyway
    // Closed now: a fenced producer is of no further use, and one a newer claim replaced
    // (this write outlived its consumer session) would otherwise keep its connections.
    await deps.registry.releaseStateProducer(task.partition, producer);
    throw err;
  }
  const meta = written.find((r) => r.partition === task.partition);
  // The records, then the commit marker the coordinator appends: the end a restore will find.
  if (meta?.baseOffset !== undefined) task.changelogEnd = Number(meta.baseOffset) + changes.length + 1;
  return true;
}

/**
 * Forgets a partition's engine after a failure (the next batch restores it from the changelog)
 * and, if it held deferred state, sends kafkajs back to the offset that state was committed at.
 * Nothing when `task` is no longer the partition's engine: a batch of an earlier consumer
 * session that failed late must not undo what the new session restored.
 */
export function discard(deps: StateWriteDeps, partition: number, task: EngineTask): void {
  if (deps.registry.current(partition) !== task) return;
  const from = deps.cadence.committedOffset(partition);
  if (from !== undefined) deps.seek({ topic: deps.layout.engineInput, partition, offset: String(from) });
  deps.registry.drop(partition);
  deps.cadence.forget(partition);
}

/** From inside a running batch: writes the other deferred partitions that are due and not busy. */
export async function writeDeferred(deps: StateWriteDeps, payload: EachBatchPayload): Promise<void> {
  const { cadence, registry, log } = deps;
  for (const partition of cadence.pending) {
    if (!cadence.due(partition)) continue;
    await cadence.ifIdle(partition, async () => {
      const task = registry.current(partition);
      if (!cadence.isDeferred(partition) || task === undefined) return;
      let committed: boolean;
      try {
        committed = await writeState(deps, task, () => assertStillMember(payload));
      } catch (err) {
        discard(deps, partition, task);
        log.warn({ err, partition }, 'deferred state not written; the partition is restored and re-read from its last commit');
        return;
      }
      cadence.written(partition, task.nextOffset);
      if (committed) return;
      try {
        const offset = String(task.nextOffset);
        await payload.commitOffsetsIfNecessary({ topics: [{ topic: deps.layout.engineInput, partitions: [{ partition, offset }] }] });
      } catch (err) {
        log.warn({ err, partition }, 'offset not committed after a batch with no state change; it is re-read and skipped');
      }
    });
  }
}

/**
 * The early check. An instance stalled past the session timeout (SIGSTOP, a long GC pause)
 * wakes up inside a batch whose partition the group has meanwhile given to another instance. A
 * heartbeat, which kafkajs sends whenever the last one is older than the heartbeat interval (so
 * always after such a stall), tells: UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION means the
 * partitions are no longer ours and the batch is abandoned before its alerts go out (the caller
 * drops the engine). A rebalance in progress is fine: the group waits for this member before it
 * hands the partition on. It cannot see a stall that begins after it; the state transaction's
 * fence does (state-producers.ts).
 */
export async function assertStillMember(payload: EachBatchPayload): Promise<void> {
  try {
    await payload.heartbeat();
  } catch (err) {
    if ((err as { type?: string }).type !== 'REBALANCE_IN_PROGRESS') throw err;
  }
}
