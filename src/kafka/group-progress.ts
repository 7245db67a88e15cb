// Where a consumer group stands on a topic, partition by partition: the topic's low and high
// offsets beside the group's committed offset. The fault suite's lag check, the soak sampler
// and the tests' "caught up" wait all read this one answer and differ only in what they make of
// it (a lag, or whether every partition's end is committed).
import type { Admin } from 'kafkajs';
import { topicOffsets } from './topic-offsets.js';

export interface PartitionProgress {
  partition: number;
  low: number;
  high: number;
  /** The group's committed offset on the partition; -1 where it never committed. */
  committed: number;
}

/** Each partition of `topic` with its low and high offsets and `groupId`'s committed offset. */
export async function groupProgress(admin: Admin, groupId: string, topic: string): Promise<PartitionProgress[]> {
  const [ends, [committed]] = await Promise.all([topicOffsets(admin, topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  return ends.map((end) => ({
    partition: end.partition,
    low: Number(end.low),
    high: Number(end.high),
    committed: Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1),
  }));
}

/** Records the group has yet to commit past, summed over partitions (a partition never committed counts from its low offset). */
export function lagOf(progress: readonly PartitionProgress[]): number {
  let lag = 0;
  for (const p of progress) lag += Math.max(0, p.high - Math.max(p.committed, p.low));
  return lag;
}
