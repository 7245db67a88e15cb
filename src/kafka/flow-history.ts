// The flows a topic retains, read once from the beginning to the end offsets at the time of
// asking, decoded and checked as the service decodes and checks them, and handed on with the
// engine partition the service would process them in. For the audit report and flighting.
import type { Config } from '../config/types.js';
import type { FlowRecord } from '../engine/types.js';
import { checkFuture } from '../engine/future-bound.js';
import { DestinationKeyer } from '../engine/keys.js';
import { decodeFlowMessage } from '../io/wire.js';
import { createKafka } from './client.js';
import { readToEnd, type PartitionEnd } from './read-to-end.js';
import { partitionOfKey } from './murmur2.js';
import { partitionCount } from './topics.js';

export interface FlowHistoryHandlers {
  /** `partition`: the engine partition (with kafka.repartition on, the one its destination key maps to). */
  flow(partition: number, flow: FlowRecord): void;
  /** An undecodable record, with where it is and why. */
  bad(where: string, reason: string): void;
  /** Every record value as stored, before decoding (e.g. to hash the input). */
  raw?(partition: number, value: Buffer | null): void;
}

export async function readFlowHistory(config: Config, topic: string, purpose: string, on: FlowHistoryHandlers): Promise<PartitionEnd[]> {
  const kafka = createKafka(config.kafka, { clientId: `${config.kafka.client_id}-${purpose}` });
  const partitions = await topicPartitions(kafka, topic);
  const keyer = new DestinationKeyer(config.baseline.key);
  // As the service: a record too far ahead of the wall clock never reaches an engine.
  const bound = { processingMs: Date.now(), maxFutureMs: config.windows.max_future };
  return readToEnd(kafka, { topic, groupPrefix: `${config.kafka.group_id}.${purpose}` }, (partition, m, offset) => {
    on.raw?.(partition, m.value);
    const where = `${topic}/${partition}@${offset}`;
    if (m.value === null) return on.bad(where, 'empty message (tombstone), not a flow record');
    const decoded = decodeFlowMessage(m.value, config.kafka.format);
    if (!decoded.ok) return on.bad(where, decoded.reason);
    const ahead = checkFuture(decoded.flow, bound);
    if (ahead !== null) return on.bad(where, ahead);
    // The repartition topic has the flows topic's partition count (topics.ts creates it so).
    on.flow(config.kafka.repartition ? partitionOfKey(keyer.keyOf(decoded.flow), partitions) : partition, decoded.flow);
  });
}

async function topicPartitions(kafka: ReturnType<typeof createKafka>, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await partitionCount(admin, topic);
  } finally {
    await admin.disconnect();
  }
}
