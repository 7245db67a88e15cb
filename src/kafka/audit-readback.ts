// The audit trail read back from Kafka for `verify` and `report`: the alerts on the incident
// topic, each with the topic/partition@offset it was found at, and the chain heads the
// service recorded in its progress markers. The pure checks these feed (src/audit/) stay
// free of Kafka; this shell side reads.
import type { Kafka } from 'kafkajs';
import { suppressedChainId, type ChainHead } from '../audit/chain.js';
import type { OnBad } from '../audit/read-alerts.js';
import type { LocatedAlert } from '../audit/verify.js';
import { decodeAlert, type WireFormat } from '../io/wire.js';
import { parseProgress, PROGRESS_KEY } from './progress.js';
import { readToEnd, type PartitionEnd } from './read-to-end.js';

/** Every alert on the topic now, in offset order per partition. */
export async function readAlertTopic(
  kafka: Kafka,
  topic: string,
  groupPrefix: string,
  format: WireFormat,
  onBad: OnBad,
): Promise<{ alerts: LocatedAlert[]; ends: PartitionEnd[] }> {
  const alerts: LocatedAlert[] = [];
  const ends = await readToEnd(kafka, { topic, groupPrefix }, (partition, m, offset) => {
    const where = `${topic}/${partition}@${offset}`;
    if (m.value === null) return onBad(where, 'empty message (tombstone), not an alert');
    const decoded = decodeAlert(m.value, format);
    if (decoded.ok) alerts.push({ alert: decoded.alert, where });
    else onBad(where, decoded.reason);
  });
  return { alerts, ends };
}

/** The chain heads the service recorded: each changelog partition's latest progress marker. */
export async function readRecordedHeads(kafka: Kafka, changelog: string, groupPrefix: string): Promise<Map<string, ChainHead>> {
  const heads = new Map<string, ChainHead>();
  await readToEnd(kafka, { topic: changelog, groupPrefix }, (partition, m) => {
    if (m.key?.toString('utf8') !== PROGRESS_KEY || m.value === null) return;
    const p = parseProgress(m.value.toString('utf8'));
    if (typeof p === 'string') return;
    heads.set(`${p.topic}/${partition}`, p.chain);
    if (p.suppressed !== undefined) heads.set(suppressedChainId(`${p.topic}/${partition}`), p.suppressed);
  });
  return heads;
}
