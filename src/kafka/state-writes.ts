// Writing an engine partition's state to its changelog partition, and the writes that
// kafka.commit_interval defers (commit-cadence.ts).
//
// Every write happens inside a kafkajs eachBatch call, fenced by that batch's heartbeat: kafkajs
// does not rejoin the group while a batch is running, so a partition this instance owned when
// the batch began stays its own until the write is done. A deferred partition that gets no batch
// of its own (its backlog held nothing more for it) is written by whichever batch runs next once
// the instance has caught up or its interval has passed ("piggyback"), and a stopping service
// keeps fetching until some batch has written them all (service.ts).
//
// When a write fails, or a batch fails after state was deferred, the engine is dropped (it is
// restored from the changelog before its next batch) and kafkajs is sent back to the last
// committed offset: it would otherwise fetch on from the offsets resolved since, and the
// records in between would never reach the restored engine.
import kafkajs, { type EachBatchPayload, type Producer } from 'kafkajs';
import type { CommitCadence } from './commit-cadence.js';
import type { EngineTask } from './engine-task.js';
import type { Logger } from './logger.js';
import type { TaskRegistry } from './task-registry.js';
import type { TopicLayout } from './topics.js';

const { CompressionTypes } = kafkajs;

export interface StateWriteDeps {
  producer: Producer;
  layout: TopicLayout;
  registry: TaskRegistry;
  cadence: CommitCadence;
  /** kafkajs consumer.seek: where the next fetch of a partition starts. */
  seek: (to: { topic: string; partition: number; offset: string }) => void;
  log: Logger;
}

/**
 * The state changes of one engine partition to its changelog partition, in one request (one
 * record batch, appended atomically with the progress marker at its end). `fence` runs just
 * before: it throws when the partition is no longer ours.
 */
export async function writeState(deps: Pick<StateWriteDeps, 'producer' | 'layout'>, task: EngineTask, fence: () => Promise<void>): Promise<void> {
  const changes = task.commit();
  if (changes.length === 0) return;
  await fence();
  const written = await deps.producer.send({
    topic: deps.layout.changelog,
    acks: -1,
    compression: CompressionTypes.GZIP,
    messages: changes.map((c) => ({ key: c.key, value: c.value, partition: task.partition })),
  });
  const meta = written.find((r) => r.partition === task.partition);
  if (meta?.baseOffset !== undefined) task.changelogEnd = Number(meta.baseOffset) + changes.length;
}

/**
 * Forgets a partition's engine after a failure (the next batch restores it from the changelog)
 * and, if it held deferred state, sends kafkajs back to the offset that state was committed at.
 */
export function discard(deps: StateWriteDeps, partition: number): void {
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
      try {
        await writeState(deps, task, () => assertStillMember(payload));
      } catch (err) {
        discard(deps, partition);
        log.warn({ err, partition }, 'deferred state not written; the partition is restored and re-read from its last commit');
        return;
      }
      // The state now holds everything up to here (its progress marker says so), committed or not.
      cadence.written(partition, task.nextOffset);
      try {
        const offset = String(task.nextOffset);
        await payload.commitOffsetsIfNecessary({ topics: [{ topic: deps.layout.engineInput, partitions: [{ partition, offset }] }] });
      } catch (err) {
        log.warn({ err, partition }, 'offset not committed after writing deferred state; a re-read skips what the state holds');
      }
    });
  }
}

/**
 * Fencing without transactions. An instance stalled past the session timeout (SIGSTOP, a long
 * GC pause) wakes up inside a batch whose partition the group has meanwhile given to another
 * instance, which restored the state and went on; writing now would put stale state after the
 * new owner's in the changelog (found by the fault suite: src/faults). A heartbeat, which
 * kafkajs sends whenever the last one is older than the heartbeat interval (so always after
 * such a stall), tells: UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION means the partitions are no
 * longer ours and the batch is abandoned unwritten (the caller drops the engine). A rebalance
 * in progress is fine: the group waits for this member before it hands the partition on.
 */
export async function assertStillMember(payload: EachBatchPayload): Promise<void> {
  try {
    await payload.heartbeat();
  } catch (err) {
    if ((err as { type?: string }).type !== 'REBALANCE_IN_PROGRESS') throw err;
  }
}
