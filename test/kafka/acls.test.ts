// The ACL list has one source (serviceAcls); the Security section of docs/operations.md must
// say the same, for the default names, as a table and as kafka-acls.sh commands.
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../src/config/load.js';
import { describeRule, kafkaAclsCommands, serviceAcls, toAclEntries, type AclRule } from '../../src/kafka/acls.js';
import { readDoc, section } from '../docs/markdown.js';

const security = section(readDoc('docs/operations.md'), 'Security');

const OPERATION_WORD = { READ: 'Read', WRITE: 'Write', DESCRIBE_CONFIGS: 'DescribeConfigs', DELETE: 'Delete' } as const;

const RESOURCE_WORD = { TOPIC: 'topic', GROUP: 'group', TRANSACTIONAL_ID: 'transactional-id' } as const;

function tableRow(rule: AclRule): string {
  const ops = rule.operations.map((o) => OPERATION_WORD[o]).join(', ');
  return `| ${RESOURCE_WORD[rule.resourceType]} | \`${rule.name}\` | ${rule.patternType.toLowerCase()} | ${ops} |`;
}

describe('serviceAcls', () => {
  it('lists, for the default config, the topics and groups the service uses', () => {
    expect(serviceAcls(defaultConfig()).map(describeRule)).toEqual([
      'READ on topic gateway.flows',
      'READ, WRITE on topic egress-watch.repartition',
      'READ, WRITE, DESCRIBE_CONFIGS on topic egress-watch.state',
      'WRITE on topic egress.alerts',
      'WRITE on topic gateway.flows.dlq',
      'READ on topic egress.alerts.suppressions',
      'WRITE on topic egress.alerts.suppressed',
      'READ on group egress-watch',
      'READ, DELETE on group egress-watch.restore. (prefixed)',
      'READ, DELETE on group egress-watch.suppressions. (prefixed)',
      'WRITE on transactional id egress-watch.state. (prefixed)',
    ]);
  });

  it('follows the configured names and leaves out the repartition topic when re-keying is off', () => {
    const config = parseConfig(
      'kafka:\n  group_id: ew-eu\n  repartition: false\n  topics: {flows: f, alerts: a, dead_letter: d, changelog: s}\n',
      'c.yaml',
    );
    expect(serviceAcls(config).map(describeRule)).toEqual([
      'READ on topic f',
      'READ, WRITE, DESCRIBE_CONFIGS on topic s',
      'WRITE on topic a',
      'WRITE on topic d',
      'READ on topic a.suppressions',
      'WRITE on topic a.suppressed',
      'READ on group ew-eu',
      'READ, DELETE on group ew-eu.restore. (prefixed)',
      'READ, DELETE on group ew-eu.suppressions. (prefixed)',
      'WRITE on transactional id ew-eu.state. (prefixed)',
    ]);
  });

  it('gives one allow entry per operation for kafkajs createAcls', () => {
    const entries = toAclEntries(serviceAcls(defaultConfig()), 'User:egress-watch');
    expect(entries).toHaveLength(16);
    expect(entries[0]).toEqual({
      resourceType: 2, // TOPIC
      resourceName: 'gateway.flows',
      resourcePatternType: 3, // LITERAL
      principal: 'User:egress-watch',
      host: '*',
      operation: 3, // READ
      permissionType: 3, // ALLOW
    });
    expect(entries.at(-2)).toMatchObject({ resourceType: 3, resourceName: 'egress-watch.suppressions.', resourcePatternType: 4, operation: 6 }); // GROUP, PREFIXED, DELETE
    expect(entries.at(-1)).toMatchObject({ resourceType: 5, resourceName: 'egress-watch.state.', resourcePatternType: 4, operation: 4 }); // TRANSACTIONAL_ID, PREFIXED, WRITE
  });
});

describe('docs/operations.md "Security"', () => {
  const rules = serviceAcls(defaultConfig());

  it('has one table row per rule, and no other', () => {
    const rows = security.split('\n').filter((line) => /^\| (topic|group|transactional-id) \|/.test(line));
    // The first four cells; the fifth says why in words.
    expect(rows.map((row) => `${row.split(' | ').slice(0, 4).join(' | ')} |`)).toEqual(rules.map(tableRow));
  });

  it('gives the same rules as kafka-acls.sh commands', () => {
    const commands = security.split('\n').filter((line) => line.startsWith('kafka-acls.sh '));
    expect(commands).toEqual(kafkaAclsCommands(rules, 'User:egress-watch'));
  });
});
