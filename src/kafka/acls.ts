// The Kafka ACLs the service's principal needs on a cluster with an authorizer: the one list
// docs/operations.md documents, the security test grants (and nothing more), and error messages quote.
//
// The service creates no topic when they all exist, so it needs no CREATE: an operator (or a
// super user) creates the topics first. READ and WRITE imply DESCRIBE, so DESCRIBE is not listed.
import kafkajs, { type AclEntry } from 'kafkajs';
import type { Config } from '../config/types.js';
import { stateTransactionalIdPrefix } from './state-producers.js';
import { repartitionTopicName } from './topics.js';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

export type AclOperation = 'READ' | 'WRITE' | 'DESCRIBE_CONFIGS' | 'DELETE';

export interface AclRule {
  resourceType: 'TOPIC' | 'GROUP' | 'TRANSACTIONAL_ID';
  /** LITERAL: exactly this name; PREFIXED: every name starting with it. */
  patternType: 'LITERAL' | 'PREFIXED';
  name: string;
  operations: AclOperation[];
  /** Why the service needs it, for docs/operations.md and error messages. */
  why: string;
}

/** Prefix of the single-use consumer groups that read the changelog back (restore.ts). */
export function restoreGroupPrefix(groupId: string): string {
  return `${groupId}.restore`;
}

/** Prefix of the single-use consumer groups that read and follow the suppressions topic (suppression-follower.ts). */
export function suppressionGroupPrefix(groupId: string): string {
  return `${groupId}.suppressions`;
}

/** Every ACL the service needs for this config, topics first. */
export function serviceAcls(config: Config): AclRule[] {
  const { topics, group_id } = config.kafka;
  const rules: AclRule[] = [{ resourceType: 'TOPIC', patternType: 'LITERAL', name: topics.flows, operations: ['READ'], why: 'consume the gateway flows' }];
  if (config.kafka.repartition) {
    rules.push({
      resourceType: 'TOPIC',
      patternType: 'LITERAL',
      name: repartitionTopicName(group_id),
      operations: ['READ', 'WRITE'],
      why: 're-key flows by destination (written by the first stage, read by the engines)',
    });
  }
  rules.push(
    {
      resourceType: 'TOPIC',
      patternType: 'LITERAL',
      name: topics.changelog,
      operations: ['READ', 'WRITE', 'DESCRIBE_CONFIGS'],
      why: 'write state changes, read them back on restore, check cleanup.policy=compact at start',
    },
    { resourceType: 'TOPIC', patternType: 'LITERAL', name: topics.alerts, operations: ['WRITE'], why: 'publish alerts' },
    { resourceType: 'TOPIC', patternType: 'LITERAL', name: topics.dead_letter, operations: ['WRITE'], why: 'publish dead letters' },
    { resourceType: 'TOPIC', patternType: 'LITERAL', name: topics.suppressions, operations: ['READ'], why: "read and follow the analysts' suppressions" },
    { resourceType: 'TOPIC', patternType: 'LITERAL', name: topics.suppressed, operations: ['WRITE'], why: 'publish the alerts a suppression covered, each with it' },
    { resourceType: 'GROUP', patternType: 'LITERAL', name: group_id, operations: ['READ'], why: 'join the consumer group, commit offsets' },
    {
      resourceType: 'GROUP',
      patternType: 'PREFIXED',
      // The trailing dot keeps the prefix from matching other groups that merely start with the name.
      name: `${restoreGroupPrefix(group_id)}.`,
      operations: ['READ', 'DELETE'],
      why: 'single-use groups that read the changelog back on restore, deleted after use',
    },
    {
      resourceType: 'GROUP',
      patternType: 'PREFIXED',
      name: `${suppressionGroupPrefix(group_id)}.`,
      operations: ['READ', 'DELETE'],
      why: 'single-use groups that read and follow the suppressions topic, deleted after use',
    },
    {
      resourceType: 'TRANSACTIONAL_ID',
      patternType: 'PREFIXED',
      name: stateTransactionalIdPrefix(group_id),
      operations: ['WRITE'],
      why: "one transactional id per engine partition: each state write is a transaction, which fences a stalled former owner",
    },
  );
  return rules;
}

/** Prefix of the single-use consumer groups of `egress-watch alerts` (and the demo's console). */
export function consoleGroupPrefix(groupId: string): string {
  return `${groupId}.console`;
}

/** What `egress-watch alerts` needs: read the incident topic through a single-use group it deletes after use. */
export function consoleAcls(config: Config): AclRule[] {
  return [
    { resourceType: 'TOPIC', patternType: 'LITERAL', name: config.kafka.topics.alerts, operations: ['READ'], why: 'read the alerts' },
    {
      resourceType: 'GROUP',
      patternType: 'PREFIXED',
      name: `${consoleGroupPrefix(config.kafka.group_id)}.`,
      operations: ['READ', 'DELETE'],
      why: 'single-use groups that read the alerts, deleted after use',
    },
  ];
}

/** The rules as kafkajs createAcls entries, allowed for `principal` (e.g. `User:egress-watch`) from any host. */
export function toAclEntries(rules: AclRule[], principal: string): AclEntry[] {
  return rules.flatMap((rule) =>
    rule.operations.map((operation) => ({
      resourceType: AclResourceTypes[rule.resourceType],
      resourceName: rule.name,
      resourcePatternType: rule.patternType === 'LITERAL' ? ResourcePatternTypes.LITERAL : ResourcePatternTypes.PREFIXED,
      principal,
      host: '*',
      operation: AclOperationTypes[operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
}

const CLI_OPERATION: Record<AclOperation, string> = {
  READ: 'Read',
  WRITE: 'Write',
  DESCRIBE_CONFIGS: 'DescribeConfigs',
  DELETE: 'Delete',
};

const CLI_RESOURCE: Record<AclRule['resourceType'], string> = { TOPIC: 'topic', GROUP: 'group', TRANSACTIONAL_ID: 'transactional-id' };

/** One `kafka-acls.sh --add` command per rule, as an operator would type them. */
export function kafkaAclsCommands(rules: AclRule[], principal: string, bootstrap = 'BROKER:9093', commandConfig = 'admin.properties'): string[] {
  return rules.map((rule) =>
    [
      `kafka-acls.sh --bootstrap-server ${bootstrap} --command-config ${commandConfig} --add --allow-principal ${principal}`,
      ...rule.operations.map((op) => `--operation ${CLI_OPERATION[op]}`),
      `--${CLI_RESOURCE[rule.resourceType]} ${rule.name}`,
      ...(rule.patternType === 'PREFIXED' ? ['--resource-pattern-type prefixed'] : []),
    ].join(' '),
  );
}

/** `READ, WRITE on topic x` for one rule, as error messages quote it. */
export function describeRule(rule: AclRule): string {
  const prefixed = rule.patternType === 'PREFIXED' ? ' (prefixed)' : '';
  return `${rule.operations.join(', ')} on ${CLI_RESOURCE[rule.resourceType].replace('-', ' ')} ${rule.name}${prefixed}`;
}
