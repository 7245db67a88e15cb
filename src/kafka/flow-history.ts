// The flows a topic retains, read once from the beginning to the end offsets at the time of
// asking, decoded as the service decodes them. For the audit report and config flighting.
import type { Config } from '../config/types.js';
import type { FlowRecord } from '../engine/types.js';
import { decodeFlowMessage } from '../io/wire.js';
import { createKafka } from './client.js';
import { readToEnd, type PartitionEnd } from './read-to-end.js';

export interface FlowHistoryHandlers {
  flow(partition: number, flow: FlowRecord): void;
  /** An undecodable record, with where it is and why. */
  bad(where: string, reason: string): void;
  /** Every record value as stored, before decoding (e.g. to hash the input). */
  raw?(partition: number, value: Buffer | null): void;
}

export async function readFlowHistory(config: Config, topic: string, purpose: string, on: FlowHistoryHandlers): Promise<PartitionEnd[]> {
  const kafka = createKafka(config.kafka, { clientId: `${config.kafka.client_id}-${purpose}` });
  return readToEnd(kafka, { topic, groupPrefix: `${config.kafka.group_id}.${purpose}` }, (partition, m, offset) => {
    on.raw?.(partition, m.value);
    const where = `${topic}/${partition}@${offset}`;
    if (m.value === null) return on.bad(where, 'empty message (tombstone), not a flow record');
    const decoded = decodeFlowMessage(m.value, config.kafka.format);
    if (decoded.ok) on.flow(partition, decoded.flow);
    else on.bad(where, decoded.reason);
  });
}
