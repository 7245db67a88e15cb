import type { Admin, KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import type { FlowRecord } from '../../src/engine/types.js';
import { generateTraffic, resolveGenerateOptions } from '../../src/generate/index.js';
import { decodeFlowMessage } from '../../src/io/wire.js';
import { createKafka } from '../../src/kafka/client.js';
import { produceFlows } from '../../src/kafka/flow-producer.js';
import { startTestBroker, type TestBroker } from './helpers/broker.js';

const COUNT = 2000;

function firstFlows(n: number): FlowRecord[] {
  const { flows } = generateTraffic(
    resolveGenerateOptions({ seed: 7, duration_ms: 12 * 3_600_000, rate: 2, destinations: 40, incidents_per_type: 1, learning_ms: 3_600_000 }),
  );
  const out: FlowRecord[] = [];
  for (const flow of flows) {
    out.push(flow);
    if (out.length === n) break;
  }
  return out;
}

/** Reads `count` messages of a topic from its start, in partition order per partition. */
async function readBack(config: Config, topic: string, count: number): Promise<{ partition: number; message: KafkaMessage }[]> {
  const consumer = createKafka(config.kafka).consumer({ groupId: `read-${topic}` });
  const got: { partition: number; message: KafkaMessage }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${count} messages after 60 s`)), 60_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          got.push({ partition, message });
          if (got.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describe('produceFlows against a real broker', () => {
  let broker: TestBroker;
  let config: Config;
  let admin: Admin;
  const flows = firstFlows(COUNT);

  beforeAll(async () => {
    broker = await startTestBroker();
    const base = defaultConfig();
    config = { ...base, kafka: { ...base.kafka, brokers: [broker.bootstrap] } };
    admin = createKafka(config.kafka).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'flows-avro', numPartitions: 1 },
        { topic: 'flows-json', numPartitions: 3 },
        { topic: 'flows-confluent', numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
  });
  afterAll(async () => {
    await admin?.disconnect();
    await broker?.stop();
  });

  it('has 2,000 generated flows to send', () => {
    expect(flows).toHaveLength(COUNT);
  });

  it('sends Avro in order: every flow reads back equal, first and last as generated', async () => {
    const producedFrom = Date.now();
    const result = await produceFlows(config, 'flows-avro', flows, { format: 'avro', batchSize: 300 });
    expect(result).toEqual({ sent: COUNT, firstFlowId: flows[0].flow_id, lastFlowId: flows[COUNT - 1].flow_id });
    const back = await readBack(config, 'flows-avro', COUNT);
    const decoded = back.map(({ message }) => {
      const d = decodeFlowMessage(message.value!, 'avro');
      if (!d.ok) throw new Error(d.reason);
      return d.flow;
    });
    expect(decoded).toHaveLength(COUNT);
    expect(decoded[0].flow_id).toBe(flows[0].flow_id);
    expect(decoded[COUNT - 1].flow_id).toBe(flows[COUNT - 1].flow_id);
    expect(decoded).toEqual(flows);
    // Keyed by gateway, 'none' outside any gateway; stamped with the wall clock, not the (old)
    // event time, which retention would delete at once.
    back.forEach(({ message }, i) => {
      expect(message.key?.toString()).toBe(flows[i].gateway_id ?? 'none');
      expect(Number(message.timestamp)).toBeGreaterThanOrEqual(producedFrom);
    });
  });

  it('sends JSON over 3 partitions: every flow once, one gateway on one partition', async () => {
    const result = await produceFlows(config, 'flows-json', flows, { format: 'json' });
    expect(result.sent).toBe(COUNT);
    const back = await readBack(config, 'flows-json', COUNT);
    const byId = new Map(back.map(({ message }) => [JSON.parse(message.value!.toString()).flow_id as string, message]));
    expect(byId.size).toBe(COUNT);
    for (const flow of flows) {
      const d = decodeFlowMessage(byId.get(flow.flow_id)!.value!, 'json');
      expect(d.ok && d.flow).toEqual(flow);
    }
    const partitionOfKey = new Map<string, Set<number>>();
    for (const { partition, message } of back) {
      const key = message.key!.toString();
      partitionOfKey.set(key, (partitionOfKey.get(key) ?? new Set()).add(partition));
    }
    for (const [, partitions] of partitionOfKey) expect(partitions.size).toBe(1);
    // Order within a gateway is kept: per key, the flows come back in generation order.
    for (const key of partitionOfKey.keys()) {
      const sent = flows.filter((f) => (f.gateway_id ?? 'none') === key).map((f) => f.flow_id);
      const got = back.filter(({ message }) => message.key!.toString() === key).map(({ message }) => JSON.parse(message.value!.toString()).flow_id);
      expect(got).toEqual(sent);
    }
  });

  it('sends the Confluent wire format with the given schema id', async () => {
    const some = flows.slice(0, 10);
    await produceFlows(config, 'flows-confluent', some, { format: 'confluent', schemaId: 42 });
    const back = await readBack(config, 'flows-confluent', 10);
    expect(back.map(({ message }) => message.value!.subarray(0, 5).toString('hex'))).toEqual(Array(10).fill('000000002a'));
    expect(back.map(({ message }) => {
      const d = decodeFlowMessage(message.value!, 'auto');
      return d.ok ? d.flow : d.reason;
    })).toEqual(some);
  });

  it('refuses a rate that is not a positive number', async () => {
    await expect(produceFlows(config, 'flows-avro', [], { format: 'avro', rate: 0 })).rejects.toThrow(
      'rate: expected a positive number of flows per second, got 0',
    );
  });
});

