// Reads partitions of a topic from the beginning up to their end offset at the time of
// asking: changelog restore, `verify --topic`, reports and flighting over retained history.
//
// How: kafkajs has no manual assign(), so a short-lived consumer with a unique throwaway group
// id subscribes to the topic from the beginning; as the only member of its group it is
// assigned every partition. Partitions nobody asked for are paused at once; each asked-for
// partition is read until it reaches the end offset fetched up front (records written after
// that moment are not part of the snapshot being read) and then paused. The consumer commits
// nothing and its group is deleted afterwards.
//
// Both the end offsets (ListOffsets) and the fetches are read_committed, kafkajs's default: a
// transactional topic is read up to its last stable offset, without aborted records.
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { deleteThrowawayGroup } from './throwaway-group.js';
import { topicOffsets } from './topic-offsets.js';

export interface ReadToEndRequest {
  topic: string;
  /** The partitions to read; all of the topic's when absent. */
  partitions?: number[];
  /** Prefix of the throwaway group id, e.g. `<group_id>.restore`. */
  groupPrefix: string;
  signal?: AbortSignal;
}

export interface PartitionEnd {
  partition: number;
  /** Offset of the first retained record. */
  low: number;
  /** Offset the next record will get: the end of what was read. */
  high: number;
}

export type OnRecord = (partition: number, message: KafkaMessage, offset: number) => void;

/** Every record below the end offsets fetched first, in offset order per partition. */
export async function readToEnd(kafka: Kafka, req: ReadToEndRequest, onRecord: OnRecord): Promise<PartitionEnd[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: PartitionEnd[];
  try {
    const offsets = await topicOffsets(admin, req.topic);
    const wanted = req.partitions ?? offsets.map((o) => o.partition).sort((a, b) => a - b);
    ends = wanted.map((partition) => {
      const o = offsets.find((x) => x.partition === partition);
      if (o === undefined) throw new Error(`topic ${req.topic} has no partition ${partition}`);
      return { partition, low: Number(o.low), high: Number(o.high) };
    });
  } finally {
    await admin.disconnect();
  }
  const pending = new Map<number, number>(); // partition -> end offset still to reach
  for (const e of ends) if (e.high > e.low) pending.set(e.partition, e.high);
  if (pending.size > 0) await readUntil(kafka, req, pending, onRecord);
  return ends;
}

async function readUntil(kafka: Kafka, req: ReadToEndRequest, pending: Map<number, number>, onRecord: OnRecord): Promise<void> {
  const groupId = `${req.groupPrefix}.${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 8 * 1024 * 1024 });
  let settle!: (err?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  // Awaited only once the consumer runs: an abort (the instance stopping) or a crash while it
  // still connects must not count as an unhandled rejection, which would end the process.
  finished.catch(() => {});
  const aborted = () => new Error(`reading ${req.topic} aborted`);
  const onAbort = () => settle(aborted());
  req.signal?.addEventListener('abort', onAbort, { once: true });
  const reached = (partition: number, lastOffset: string, pause: () => void): void => {
    const end = pending.get(partition);
    if (end === undefined || Number(lastOffset) + 1 < end) return;
    pending.delete(partition);
    pause();
    if (pending.size === 0) settle();
  };
  // A transactional topic (the changelog) ends with a commit marker. Fetched apart from the
  // records before it, it makes a batch with nothing to deliver: kafkajs skips eachBatch for it
  // but still reports the batch's end here.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic !== req.topic) return;
    reached(payload.partition, payload.lastOffset, () => consumer.pause([{ topic: req.topic, partitions: [payload.partition] }]));
  });
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) settle(e.payload.error); // a retriable crash restarts by itself
  });
  try {
    if (req.signal?.aborted) throw aborted();
    await consumer.connect();
    if (req.signal?.aborted) throw aborted();
    await consumer.subscribe({ topics: [req.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, pause }) => {
        const end = pending.get(batch.partition);
        if (end === undefined) {
          pause(); // not asked for, or already complete
          return;
        }
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset >= end) break;
          onRecord(batch.partition, m, offset);
        }
        reached(batch.partition, batch.lastOffset(), pause);
      },
    });
    await finished;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => {});
    await deleteThrowawayGroup(kafka, groupId);
  }
}
