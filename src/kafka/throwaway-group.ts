// Single-use consumer groups (state restore, the alerts console, benches) are deleted
// when done, so they do not pile up on the cluster.
import type { Kafka } from 'kafkajs';

/** Best effort: an empty group the broker cannot delete now expires by itself later. */
export async function deleteThrowawayGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // the broker expires empty groups after offsets.retention.minutes
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
