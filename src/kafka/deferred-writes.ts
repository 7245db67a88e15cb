// The writes commit-cadence.ts defers and no later batch makes: a deferred engine partition
// whose backlog held nothing more for it is written by a timer once its interval has passed,
// and every deferred partition is written before the service leaves the group. Outside a
// batch there is no kafkajs heartbeat to fence with, so the group is asked whether this
// member still belongs to it (an instance stalled past its session must not write state after
// the partition's new owner); the offset commit that follows is fenced by the broker itself
// (generation and member id).
import type { Consumer, Producer } from 'kafkajs';
import { writeState } from './batch-handler.js';
import type { CommitCadence } from './commit-cadence.js';
import type { InFlightBatches } from './in-flight.js';
import type { Logger } from './logger.js';
import type { TaskRegistry } from './task-registry.js';
import type { TopicLayout } from './topics.js';

export interface DeferredWritesDeps {
  cadence: CommitCadence;
  intervalMs: number;
  registry: TaskRegistry;
  producer: Producer;
  consumer: Consumer;
  layout: TopicLayout;
  log: Logger;
  inFlight: InFlightBatches;
  /** False while the consumer is joining or rebalancing: nothing is written then. */
  running: () => boolean;
  /** This member's id in the group (kafkajs GROUP_JOIN), undefined before the first join. */
  memberId: () => string | undefined;
}

export interface DeferredWrites {
  /** Stops the timer, then writes every deferred partition that is still ours. */
  stop(): Promise<void>;
}

export function startDeferredWrites(deps: DeferredWritesDeps): DeferredWrites {
  const { cadence, log } = deps;
  let ticking: Promise<void> = Promise.resolve();
  const timer =
    deps.intervalMs > 0
      ? setInterval(() => {
          ticking = ticking.then(() => writeAll(deps, 'overdue'));
        }, Math.max(100, deps.intervalMs / 2))
      : undefined;
  timer?.unref();
  return {
    async stop() {
      clearInterval(timer);
      await ticking;
      cadence.stop();
      await writeAll(deps, 'all');
      log.debug({ left: cadence.pending }, 'deferred state written before leaving the group');
    },
  };
}

async function writeAll(deps: DeferredWritesDeps, which: 'overdue' | 'all'): Promise<void> {
  for (const partition of deps.cadence.pending) {
    await deps.inFlight.track(deps.cadence.exclusive(partition, () => writeOne(deps, partition, which)));
  }
}

async function writeOne(deps: DeferredWritesDeps, partition: number, which: 'overdue' | 'all'): Promise<void> {
  const { cadence, registry, log } = deps;
  if (!cadence.isDeferred(partition) || (which === 'overdue' && !cadence.overdue(partition))) return;
  const task = registry.restoredTasks.find((t) => t.partition === partition);
  if (task === undefined || !deps.running()) return; // revoked or rebalancing: the next owner re-reads
  try {
    await writeState(deps, task, () => assertMember(deps));
  } catch (err) {
    // The engine may now be ahead of its changelog: restored afresh before its next batch.
    registry.drop(partition);
    cadence.forget(partition);
    log.warn({ err, partition }, 'deferred state not written; the partition is restored from the changelog and re-read');
    return;
  }
  cadence.written(partition);
  try {
    await deps.consumer.commitOffsets([{ topic: deps.layout.engineInput, partition, offset: String(task.nextOffset) }]);
  } catch (err) {
    // The state is written with its progress marker: a re-read skips what it holds.
    log.warn({ err, partition }, 'offset not committed after writing deferred state; a restart re-reads from the last commit');
  }
}

async function assertMember(deps: DeferredWritesDeps): Promise<void> {
  const memberId = deps.memberId();
  const group = await deps.consumer.describeGroup();
  if (memberId === undefined || !group.members.some((m) => m.memberId === memberId)) {
    throw new Error(`member ${memberId ?? '(none)'} is no longer in the group (${group.state})`);
  }
}
