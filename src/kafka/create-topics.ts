// Creating topics and waiting until every partition has a leader that answers. kafkajs's
// own wait (createTopics waitForLeaders) gives up at once on UNKNOWN_TOPIC_OR_PARTITION, and
// a busy KRaft broker answers that, then NOT_LEADER_FOR_PARTITION to offset requests, for a
// moment after it created the topic; this waits both out (topic-offsets.ts whileSettling).
import type { Admin, ITopicConfig } from 'kafkajs';
import { stillSettling, whileSettling } from './topic-offsets.js';

export async function createTopicsAndWait(admin: Admin, topics: ITopicConfig[], timeoutMs = 30_000): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false }); // an existing topic is not an error
  const names = topics.map((t) => t.topic);
  try {
    await whileSettling(async () => {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: names });
      // A partition without a leader yet is the broker's LEADER_NOT_AVAILABLE by another name.
      if (!(meta.length === names.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)))) {
        throw Object.assign(new Error('a partition has no leader yet'), { type: 'LEADER_NOT_AVAILABLE' });
      }
      for (const name of names) await admin.fetchTopicOffsets(name); // the leaders answer offset requests too
    }, timeoutMs);
  } catch (err) {
    if (!stillSettling(err)) throw err;
    throw new Error(`topics ${names.join(', ')} were created but have no leader after ${timeoutMs} ms`);
  }
}
