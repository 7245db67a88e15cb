// The topics the service reads and writes, created when missing. The engines own the partitions
// of the engine-input topic (the internal repartition topic, or the flows topic itself when
// repartitioning is off); changelog partition p holds the state of engine-input partition p,
// as Kafka Streams does, so its partition count must be at least the engine-input count.
import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import type { Config } from '../config/types.js';
import { createTopicsAndWait } from './create-topics.js';
import { authorizationFailure, TopicCreationDenied } from './refusals.js';

export interface TopicLayout {
  flows: string;
  alerts: string;
  deadLetter: string;
  changelog: string;
  /** Analysts' suppressions (compacted, keyed by id), followed by the service. */
  suppressions: string;
  /** Alerts a suppression covered, each with it. */
  suppressed: string;
  /** `<group_id>.repartition`, or null when kafka.repartition is off. */
  repartition: string | null;
  /** The topic whose partitions the engines own. */
  engineInput: string;
  enginePartitions: number;
  flowsPartitions: number;
}

const KEEP_FOREVER = { name: 'retention.ms', value: '-1' };

export type TopicLog = (message: string, extra?: Record<string, unknown>) => void;

export function repartitionTopicName(groupId: string): string {
  return `${groupId}.repartition`;
}

/**
 * Changelog records of one batch go out as one record batch (atomic with the progress marker),
 * which may be larger than the broker's default 1 MB for a batch that touched many destinations.
 */
const CHANGELOG_MAX_MESSAGE_BYTES = String(32 * 1024 * 1024);

export async function ensureTopics(admin: Admin, config: Config, warn: TopicLog): Promise<TopicLayout> {
  const { topics, group_id } = config.kafka;
  const repartition = config.kafka.repartition ? repartitionTopicName(group_id) : null;

  // Broker defaults (-1) for partitions and replication: the operator's cluster policy decides.
  // The incident topic is the tamper-evident log: kept until an operator decides otherwise,
  // so `verify` can check every chain from its start (an existing topic is left as it is).
  await createMissing(admin, [{ topic: topics.flows }, { topic: topics.alerts, configEntries: [KEEP_FOREVER] }, { topic: topics.dead_letter }]);
  const flowsPartitions = await partitionCount(admin, topics.flows);

  if (repartition !== null) await createMissing(admin, [{ topic: repartition, numPartitions: flowsPartitions }]);
  const engineInput = repartition ?? topics.flows;
  const enginePartitions = repartition === null ? flowsPartitions : await partitionCount(admin, repartition);
  if (repartition !== null && enginePartitions !== flowsPartitions) {
    warn(`repartition topic ${repartition} has ${enginePartitions} partitions, the flows topic ${topics.flows} ${flowsPartitions}`);
  }

  await createMissing(admin, [
    {
      topic: topics.changelog,
      numPartitions: enginePartitions,
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'max.message.bytes', value: CHANGELOG_MAX_MESSAGE_BYTES },
      ],
    },
  ]);
  const changelogPartitions = await partitionCount(admin, topics.changelog);
  if (changelogPartitions < enginePartitions) {
    throw new Error(
      `kafka.topics.changelog: topic ${topics.changelog} has ${changelogPartitions} partitions, but the state of the ` +
        `${enginePartitions} partitions of ${engineInput} needs ${enginePartitions} (partition p holds the state of input partition p); ` +
        `add partitions to it or name a new changelog topic`,
    );
  }
  await checkCompacted(admin, topics.changelog, warn);
  await createMissing(admin, [suppressionsTopic(topics.suppressions), { topic: topics.suppressed, configEntries: [KEEP_FOREVER] }]);
  return {
    flows: topics.flows,
    alerts: topics.alerts,
    deadLetter: topics.dead_letter,
    changelog: topics.changelog,
    suppressions: topics.suppressions,
    suppressed: topics.suppressed,
    repartition,
    engineInput,
    enginePartitions,
    flowsPartitions,
  };
}

/** One partition: every change to the suppressions in one order; compacted: the latest record per id is the truth. */
function suppressionsTopic(topic: string): ITopicConfig {
  return { topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] };
}

/**
 * The topics `egress-watch suppress` writes: the suppressions and the audit trail of their
 * changes (append-only, kept forever: an auditor reads it back to the first change).
 */
export async function ensureSuppressionTopics(admin: Admin, config: Config): Promise<void> {
  const { topics } = config.kafka;
  await createMissing(admin, [
    suppressionsTopic(topics.suppressions),
    { topic: topics.suppression_audit, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] },
  ]);
}

async function createMissing(admin: Admin, wanted: ITopicConfig[]): Promise<void> {
  // Lists only the topics this client may see: under ACLs a topic it has no right on looks missing.
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return;
  // Another instance creating the same topic at the same time is fine: kafkajs treats
  // TOPIC_ALREADY_EXISTS as "not created" rather than as an error.
  try {
    await createTopicsAndWait(admin, missing);
  } catch (err) {
    const refused = authorizationFailure(err);
    if (refused === undefined) throw err;
    throw new TopicCreationDenied(missing.map((t) => t.topic), refused, { cause: err });
  }
}

export async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const count = topics[0]?.partitions.length ?? 0;
  if (count === 0) throw new Error(`topic ${topic} has no partitions`);
  return count;
}

async function checkCompacted(admin: Admin, topic: string, warn: TopicLog): Promise<void> {
  const { resources } = await admin.describeConfigs({
    resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
    includeSynonyms: false,
  });
  const policy = resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
  if (policy !== undefined && !policy.split(',').includes('compact')) {
    warn(`changelog topic ${topic} has cleanup.policy=${policy}, not compact: its state will grow without bound or be deleted`, {
      topic,
    });
  }
}
