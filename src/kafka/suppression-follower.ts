// The service's view of the analysts' suppressions: the suppressions topic is read to its end
// before the first flow is processed (read-to-end.ts), then followed by a consumer of its own
// (a single-use group, deleted at stop) so a `suppress add` or `remove` takes effect within
// a fetch, without a restart. Records are applied in offset order; the latest per id wins.
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { SuppressionBook } from '../suppress/book.js';
import { decodeSuppression } from '../suppress/records.js';
import type { SuppressionRules } from '../suppress/validate.js';
import { readToEnd } from './read-to-end.js';
import { deleteThrowawayGroup } from './throwaway-group.js';

export interface SuppressionFollowerOptions {
  kafka: Kafka;
  topic: string;
  /** Prefix of the single-use group ids, `<group_id>.suppressions` (see acls.ts). */
  groupPrefix: string;
  book: SuppressionBook;
  /** The checks a record must pass (the config's max_duration, baseline.key, regions). */
  rules: () => SuppressionRules;
  log: {
    info: (obj: Record<string, unknown>, msg: string) => void;
    warn: (obj: Record<string, unknown>, msg: string) => void;
    error: (obj: Record<string, unknown>, msg: string) => void;
  };
}

export interface SuppressionFollower {
  stop(): Promise<void>;
}

export async function startSuppressionFollower(o: SuppressionFollowerOptions): Promise<SuppressionFollower> {
  const apply = (partition: number, m: KafkaMessage, offset: number): void => applyRecord(o, partition, m, offset);
  const ends = await readToEnd(o.kafka, { topic: o.topic, groupPrefix: o.groupPrefix }, apply);
  o.log.info({ topic: o.topic, suppressions: o.book.size }, `suppressions loaded: ${o.book.size} in force (config and topic)`);
  // Next offset to apply per partition: a consumer restart (which starts over, nothing being
  // committed) must not re-apply older records and briefly bring back a removed suppression.
  const next = new Map(ends.map((e) => [e.partition, e.high]));

  const groupId = `${o.groupPrefix}.${randomUUID()}`;
  const consumer: Consumer = o.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 1_000 });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) return; // kafkajs restarts it; `next` keeps what was applied
    o.log.error({ err: payload.error, topic: o.topic }, `following ${o.topic} failed: suppressions added or removed from now on are not seen until a restart`);
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      // The group is new, so it starts at the beginning: what was applied already is skipped.
      for (const m of batch.messages) {
        const offset = Number(m.offset);
        if (offset < (next.get(batch.partition) ?? 0)) continue;
        apply(batch.partition, m, offset);
        next.set(batch.partition, offset + 1);
      }
    },
  });
  return {
    async stop() {
      await consumer.disconnect().catch(() => {});
      await deleteThrowawayGroup(o.kafka, groupId);
    },
  };
}

function applyRecord(o: SuppressionFollowerOptions, partition: number, m: KafkaMessage, offset: number): void {
  const where = `${o.topic}/${partition}@${offset}`;
  const id = m.key?.toString('utf8') ?? null;
  if (id === null) {
    o.log.warn({ where }, `suppression record ${where} has no key (the suppression id); ignored`);
    return;
  }
  let refused: string | null;
  if (m.value === null) {
    refused = o.book.applyTopicRecord(id, null);
    if (refused === null) o.log.info({ where, id }, `suppression ${id} removed`);
  } else {
    const decoded = decodeSuppression(id, m.value, o.rules());
    if (!decoded.ok) {
      // The latest record of this id is the truth and it is unusable: nothing of this id stays in force.
      o.book.applyTopicRecord(id, null);
      o.log.warn({ where, id, reason: decoded.reason }, `suppression record ${where} refused, suppression ${id} not in force: ${decoded.reason}`);
      return;
    }
    refused = o.book.applyTopicRecord(id, decoded.value);
    if (refused === null) o.log.info({ where, id, scope: decoded.value.scope, expires_at_ms: decoded.value.expires_at_ms }, `suppression ${id} in force`);
  }
  if (refused !== null) o.log.warn({ where, id }, `suppression record ${where}: ${refused}`);
}
