// Reading what the service left behind: whole topics up to their end offsets, and whether the
// group has committed everything (lag 0).
import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS } from '../kafka/dlq.js';
import { decodePack, isPack } from '../kafka/repartition-pack.js';
import { readToEnd } from '../kafka/read-to-end.js';
import { groupProgress, lagOf } from '../kafka/group-progress.js';

export interface TopicRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Record timestamp (the producer's wall clock), ms. */
  timestamp: number;
}

/** Every record of a topic up to its end offsets at the time of the call, per partition in offset order. */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 120_000): Promise<TopicRecord[]> {
  const out: TopicRecord[] = [];
  await readToEnd(kafka, { topic, groupPrefix: 'egress-watch-faults-reader', signal: AbortSignal.timeout(timeoutMs) }, (partition, m, offset) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.headers ?? {})) {
      const first = Array.isArray(v) ? v[0] : v;
      if (first !== undefined) headers[k] = first.toString();
    }
    out.push({ partition, offset, key: m.key?.toString('utf8') ?? null, value: m.value, headers, timestamp: Number(m.timestamp) });
  });
  // A partition can be fetched twice (a consumer restart): keep each offset once.
  const seen = new Set<string>();
  return out
    .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    .filter((r) => {
      const id = `${r.partition}/${r.offset}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
}

export interface GroupLag {
  /** Sum over the topics' partitions of end offset minus committed offset. */
  total: number;
  /** Per topic. */
  byTopic: Record<string, number>;
}

/** How far the group's committed offsets are behind the end offsets of the topics (in the order given). */
export async function groupLag(kafka: Kafka, groupId: string, topics: string[]): Promise<GroupLag> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const byTopic: Record<string, number> = {};
    let total = 0;
    for (const topic of topics) {
      const lag = lagOf(await groupProgress(admin, groupId, topic));
      byTopic[topic] = lag;
      total += lag;
    }
    return { total, byTopic };
  } finally {
    await admin.disconnect();
  }
}

/** State and member count of the consumer group. */
export async function groupState(kafka: Kafka, groupId: string): Promise<{ state: string; members: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const g = groups[0];
    return { state: g?.state ?? 'Unknown', members: g?.members.length ?? 0 };
  } finally {
    await admin.disconnect();
  }
}

/** One flow on the repartition topic: where it sits and which flows-topic record it came from. */
export interface RepartitionEntry {
  /** Engine partition and offset of the repartition record carrying it. */
  partition: number;
  offset: number;
  /** `sourcePartition/sourceOffset` on the flows topic. */
  source: string;
}

/**
 * The flows on the repartition topic in order, from packs (many flows per record, provenance in
 * the value: repartition-pack.ts) or from single-flow records (provenance in x-source-* headers).
 */
export function repartitionEntries(records: readonly TopicRecord[]): RepartitionEntry[] {
  const out: RepartitionEntry[] = [];
  for (const r of records) {
    if (isPack(r.value)) {
      const pack = decodePack(r.value!);
      if (typeof pack === 'string') throw new Error(`repartition partition ${r.partition} offset ${r.offset}: ${pack}`);
      for (const f of pack.flows) out.push({ partition: r.partition, offset: r.offset, source: `${pack.sourcePartition}/${f.offset}` });
    } else {
      out.push({ partition: r.partition, offset: r.offset, source: `${r.headers[DLQ_HEADERS.partition]}/${r.headers[DLQ_HEADERS.offset]}` });
    }
  }
  return out;
}
