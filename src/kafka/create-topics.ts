// Creating topics and waiting until every partition has a leader that answers. kafkajs's
// own wait (createTopics waitForLeaders) gives up at once on UNKNOWN_TOPIC_OR_PARTITION, and
// a busy KRaft broker answers that, then NOT_LEADER_FOR_PARTITION to offset requests, for a
// moment after it created the topic; this waits both out.
import type { Admin, ITopicConfig } from 'kafkajs';
import { stillSettling } from './topic-offsets.js';

export async function createTopicsAndWait(admin: Admin, topics: ITopicConfig[], timeoutMs = 30_000): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false }); // an existing topic is not an error
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: names });
      if (meta.length === names.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
        for (const name of names) await admin.fetchTopicOffsets(name); // the leaders answer offset requests too
        return;
      }
    } catch (err) {
      if (!stillSettling(err)) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics ${names.join(', ')} were created but have no leader after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
