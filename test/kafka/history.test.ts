// Retained history read from Kafka: flighting a config and the audit report over a topic
// give what they give over a file of the same flows.
import { writeFileSync } from 'node:fs';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flight } from '../../src/cli/flight.js';
import { runReport } from '../../src/cli/report-command.js';
import { parseConfig } from '../../src/config/load.js';
import { encodeFlowAvro, encodeFlowJson } from '../../src/io/wire.js';
import { tempDir } from '../io/fixtures.js';
import { startTestBroker, type TestBroker } from './helpers/broker.js';
import { createTopic, flow, produce, T0, testKafka, uniqueTopics } from './helpers/service-fixtures.js';

let broker: TestBroker;
let kafka: Kafka;
const tmp = tempDir();

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = testKafka(broker.bootstrap);
}, 180_000);
afterAll(async () => {
  await broker?.stop();
  tmp.remove();
});

function yaml(flows: string, allowed: string): string {
  return `
kafka: {brokers: [${broker.bootstrap}], group_id: history-test, topics: {flows: ${flows}}, repartition: false}
policy:
  internal_networks: [10.0.0.0/8]
  data_classes:
    eu_user_data: {allowed_countries: [${allowed}], principals: ["svc-eu-*"], require_gateway: true}
detectors:
  new_destination: {learning_period: 1h}
`;
}

describe('history on a topic', () => {
  it('flights a config and writes the report as over a file of the same flows', async () => {
    const topics = uniqueTopics('history');
    await createTopic(kafka, topics.flows, 2);
    // Partition 0: an allowed flow, then eu_user_data to a US host at +1 min and a second
    // US host at +2 h. Partition 1: a flow by mallory (principal violation). One record in
    // partition 1 is not a flow record at all.
    const p0 = [
      flow({ end_ms: T0 }),
      flow({ end_ms: T0 + 60_000, dst_host: 'us.example', dst_ip: '203.0.113.9', dst_country: 'US' }),
      flow({ end_ms: T0 + 7_200_000, dst_host: 'us2.example', dst_ip: '203.0.113.10', dst_country: 'US' }),
    ];
    const p1 = [flow({ end_ms: T0 + 30_000, dst_host: 'crm.example.eu', principal: 'mallory' })];
    await produce(kafka, topics.flows, [
      ...p0.map((f) => ({ partition: 0, value: encodeFlowAvro(f) })),
      ...p1.map((f) => ({ partition: 1, value: encodeFlowJson(f) })),
      { partition: 1, value: Buffer.from('{"flow_id": 42}') },
    ]);
    const nowCfg = parseConfig(yaml(topics.flows, 'EEA, GB'), 'now.yaml');
    const nextCfg = parseConfig(yaml(topics.flows, 'EEA, GB, US'), 'next.yaml');
    const logged: string[] = [];
    const diff = await flight({
      config: nextCfg, configPath: 'next.yaml', baselineConfig: nowCfg, baselineConfigPath: 'now.yaml',
      topic: topics.flows, output: null, progress: false, log: (l) => logged.push(l), print: () => {},
    });
    // As over a file (test/eval/flight.test.ts): allowing US loses both residency alerts and
    // makes the second US host a NEW_DESTINATION; the principal alert stays in both.
    expect(diff.changed).toEqual([
      { type: 'RESIDENCY_VIOLATION', destination: 'us.example', baseline: 1, candidate: 0, gained: 0, lost: 1 },
      { type: 'RESIDENCY_VIOLATION', destination: 'us2.example', baseline: 1, candidate: 0, gained: 0, lost: 1 },
      { type: 'NEW_DESTINATION', destination: 'us2.example', baseline: 0, candidate: 1, gained: 1, lost: 0 },
    ]);
    expect(diff.baseline.byType.UNAUTHORIZED_PRINCIPAL).toBe(1);
    expect(diff.candidate.byType.UNAUTHORIZED_PRINCIPAL).toBe(1);
    expect(logged[0]).toMatch(/^\S+\/1@1: /); // the bad record, named by topic, partition and offset
    expect(logged.at(-1)).toBe(`flight over ${topics.flows} (0:0-3 1:0-2): 4 flows, 1 undecodable`);

    // The report over the topic: same figures as over a file of the same flows.
    const cfgFile = tmp.file('now.yaml');
    writeFileSync(cfgFile, yaml(topics.flows, 'EEA, GB'));
    const fromTopic = await runReport({ config: cfgFile, topic: true, out: tmp.file('t.html'), log: () => {} });
    const file = tmp.file('flows.jsonl');
    writeFileSync(file, [...p0, ...p1].map((f) => JSON.stringify(f)).join('\n') + '\n');
    const fromFile = await runReport({ config: cfgFile, input: file, out: tmp.file('f.html'), log: () => {} });
    expect(fromTopic.totals).toEqual({ ...fromFile.totals, records: 5, malformed: 1 });
    expect(fromTopic.classes).toEqual(fromFile.classes);
    expect(fromTopic.violations).toEqual(fromFile.violations);
    expect(fromTopic.meta.inputs[1].name).toBe(`${topics.flows} (0:0-3 1:0-2)`);
    expect(fromTopic.violations.rows.map((v) => [v.flow_id, v.rule, v.alert_id !== null])).toEqual([
      [p1[0].flow_id, 'UNAUTHORIZED_PRINCIPAL', true],
      [p0[1].flow_id, 'RESIDENCY_VIOLATION', true],
      [p0[2].flow_id, 'RESIDENCY_VIOLATION', true],
    ]);
  }, 240_000);
});
