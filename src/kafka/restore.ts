// Reads changelog partitions back from the beginning up to their end offset at the time of
// asking: the state the engine of each of those partitions continues from.
//
// How: kafkajs has no manual assign(), so a short-lived consumer with a unique throwaway group
// id subscribes to the changelog topic from the beginning; as the only member of its group it
// is assigned every partition. Partitions nobody asked for are paused at once; each asked-for
// partition is read until it reaches the end offset fetched up front (records written after
// that moment are not ours to read: as the owner we are the only writer) and then paused.
// The consumer commits nothing and its group is deleted afterwards. This costs one group join
// per restore round, so one round restores every partition an assignment brings.
//
// The end is always reached: every batch the service writes ends with the progress marker,
// a live key compaction never removes, so offset end-1 is a record we will see.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { RestoredState } from './engine-task.js';
import { parseProgress, PROGRESS_KEY, type Progress } from './progress.js';
import { deleteThrowawayGroup } from './throwaway-group.js';

export interface RestoreRequest {
  topic: string;
  partitions: number[];
  /** Prefix of the throwaway group id, e.g. `<group_id>.restore`. */
  groupPrefix: string;
  signal?: AbortSignal;
  warn?: (message: string, extra?: Record<string, unknown>) => void;
}

export async function readChangelog(kafka: Kafka, req: RestoreRequest): Promise<Map<number, RestoredState>> {
  const result = new Map<number, RestoredState>();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(req.topic);
    const pending = new Map<number, number>(); // partition -> end offset still to reach
    for (const partition of req.partitions) {
      const o = offsets.find((x) => x.partition === partition);
      if (o === undefined) throw new Error(`changelog topic ${req.topic} has no partition ${partition}`);
      const end = Number(o.high);
      result.set(partition, { entries: new Map(), progress: null, changelogEnd: end });
      if (end > Number(o.low)) pending.set(partition, end);
    }
    if (pending.size > 0) await readUntil(kafka, req, pending, result);
  } finally {
    await admin.disconnect();
  }
  return result;
}

async function readUntil(
  kafka: Kafka,
  req: RestoreRequest,
  pending: Map<number, number>,
  result: Map<number, RestoredState>,
): Promise<void> {
  const groupId = `${req.groupPrefix}.${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 8 * 1024 * 1024 });
  let settle!: (err?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  const onAbort = () => settle(new Error('restore aborted'));
  req.signal?.addEventListener('abort', onAbort, { once: true });
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) settle(e.payload.error); // a retriable crash restarts by itself
  });
  try {
    if (req.signal?.aborted) throw new Error('restore aborted');
    await consumer.connect();
    await consumer.subscribe({ topics: [req.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, pause }) => {
        const end = pending.get(batch.partition);
        if (end === undefined) {
          pause(); // not asked for, or already complete
          return;
        }
        const state = result.get(batch.partition)!;
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset >= end) break;
          apply(state, m.key, m.value, req, batch.partition, offset);
        }
        if (Number(batch.lastOffset()) + 1 >= end) {
          pending.delete(batch.partition);
          pause();
          if (pending.size === 0) settle();
        }
      },
    });
    await finished;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => {});
    await deleteThrowawayGroup(kafka, groupId);
  }
}

function apply(state: RestoredState, key: Buffer | null, value: Buffer | null, req: RestoreRequest, partition: number, offset: number): void {
  if (key === null) {
    req.warn?.(`changelog ${req.topic} partition ${partition} offset ${offset}: record without a key, ignored`);
    return;
  }
  const k = key.toString('utf8');
  const v = value === null ? null : value.toString('utf8');
  if (k === PROGRESS_KEY) {
    const progress: Progress | string | null = v === null ? null : parseProgress(v);
    if (typeof progress === 'string') {
      req.warn?.(`changelog ${req.topic} partition ${partition} offset ${offset}: ${progress}; ignored`);
      return;
    }
    state.progress = progress;
    return;
  }
  state.entries.set(k, v);
}

